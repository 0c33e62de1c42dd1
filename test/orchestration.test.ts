import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, type Runtime } from '../runtime/index.js';
import { compileExposes } from '../runtime/orchestration/compileExposes.js';
import { lookup } from '../runtime/orchestration/lookup.js';
import type { ExposeSpec, ExposedOperation, McpExposeSpec, RestExposeSpec } from '../runtime/orchestration/types.js';
import { CREDENTIALS, CREW, EXAMPLES, FORECAST, LEGACY_VESSELS, SHIPS, USERS, startMaritimeServer, type MaritimeServer } from './support/maritimeServer.js';
import { failure } from './support/failure.js';

const FIXTURES = new URL('./fixtures/expose/', import.meta.url).pathname;
const ENV = { MISTRAL_TOKEN: CREDENTIALS.mistralToken };
const NORTHERN_STAR = SHIPS[0];

let maritime: MaritimeServer;
const runtimes: Runtime[] = [];

beforeAll(async () => {
  maritime = await startMaritimeServer();
});
afterAll(async () => {
  for (const runtime of runtimes) runtime.close();
  await maritime.close();
});
beforeEach(() => {
  maritime.requests.length = 0;
});

/** Loads a capability against the local maritime server and compiles its exposes. */
async function compile(file: string): Promise<ExposeSpec[]> {
  const capability = await loadCapability(file);
  const runtime = createRuntime(capability, { baseUri: maritime.url, env: ENV, retry: { limit: 0 } });
  runtimes.push(runtime);
  return compileExposes(capability, runtime);
}

function tool(specs: ExposeSpec[], name: string): ExposedOperation {
  const mcp = specs.find((s): s is McpExposeSpec => s.type === 'mcp');
  const found = mcp?.tools.find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
}

function restOperation(specs: ExposeSpec[], method: string, path: string): ExposedOperation {
  const rest = specs.find((s): s is RestExposeSpec => s.type === 'rest');
  const found = rest?.operations.find((o) => o.method === method && o.path === path);
  if (!found) throw new Error(`no ${method} ${path}`);
  return found.operation;
}

const summary = (ship: (typeof SHIPS)[number]) => ({ imo: ship.imo_number, name: ship.vessel_name, type: ship.vessel_type, flag: ship.flag_code, status: ship.operational_status });

describe('mock mode (step-1)', () => {
  test('static and mustache values, nothing sent', async () => {
    const getShip = tool(await compile(`${EXAMPLES}/step-1-shipyard-mock.yml`), 'get-ship');
    expect(await getShip.run({ imo_number: 'IMO1234567' })).toEqual({ imo: 'IMO1234567', name: 'Northern Star', type: 'cargo', flag: 'NO', status: 'active' });
    expect(maritime.requests).toHaveLength(0);
  });

  test('input schema from inputParameters; a missing required argument is named', async () => {
    const getShip = tool(await compile(`${EXAMPLES}/step-1-shipyard-mock.yml`), 'get-ship');
    expect(getShip.description).toBe("Retrieve a ship's details by IMO number");
    expect(getShip.inputSchema).toEqual({
      type: 'object',
      properties: { imo_number: { type: 'string', description: 'IMO number of the ship' } },
      additionalProperties: false,
      required: ['imo_number'],
    });
    const error = await failure(getShip.run({}));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details).toEqual({ parameter: 'imo_number' });
    expect(error.message).toContain("missing required argument 'imo_number'");
  });

  test('typed static values are converted to their declared type', async () => {
    const greeting = tool(await compile(`${FIXTURES}/engine.yaml`), 'greeting');
    expect(await greeting.run({ who: 'Ada' })).toEqual({ text: 'Hello, Ada!', answer: 42, ok: true });
  });
});

describe('simple mode', () => {
  test('step-2 list-ships: array mapping item by item, with status injected from the tool input', async () => {
    const listShips = tool(await compile(`${EXAMPLES}/step-2-shipyard-wiring.yml`), 'list-ships');
    const active = (await listShips.run({ status: 'active' })) as unknown[];
    expect(active).toEqual(SHIPS.filter((s) => s.operational_status === 'active').map(summary));
    expect(maritime.requests.map((r) => r.url)).toEqual(['/ships?status=active']);
  });

  test('an optional input that is absent is not sent at all', async () => {
    const listShips = tool(await compile(`${EXAMPLES}/step-2-shipyard-wiring.yml`), 'list-ships');
    expect(await listShips.run({})).toEqual(SHIPS.map(summary));
    expect(maritime.requests.map((r) => r.url)).toEqual(['/ships']);
  });

  test('step-2 get-ship: object mapping with `with` renaming the input (imo → imo_number)', async () => {
    const getShip = tool(await compile(`${EXAMPLES}/step-2-shipyard-wiring.yml`), 'get-ship');
    expect(await getShip.run({ imo: NORTHERN_STAR.imo_number })).toEqual(summary(NORTHERN_STAR));
    expect(maritime.requests[0].url).toBe(`/ships/${NORTHERN_STAR.imo_number}`);
  });

  test('step-3: bound bearer token and Registry-Version header reach the registry', async () => {
    const getShip = tool(await compile(`${EXAMPLES}/step-3-shipyard-auth.yml`), 'get-ship');
    expect(await getShip.run({ imo: NORTHERN_STAR.imo_number })).toEqual(summary(NORTHERN_STAR));
    expect(maritime.requests[0].headers.authorization).toBe(`Bearer ${CREDENTIALS.registryToken}`);
    expect(maritime.requests[0].headers['registry-version']).toBe(CREDENTIALS.registryVersion);
  });

  test('step-3: the MCP server token comes from the bind file', async () => {
    const [mcp] = (await compile(`${EXAMPLES}/step-3-shipyard-auth.yml`)) as McpExposeSpec[];
    expect(mcp.auth?.type).toBe('bearer');
    expect(mcp.auth?.verify({ authorization: `Bearer ${CREDENTIALS.mcpToken}` })).toBe(true);
    expect(mcp.auth?.verify({ authorization: 'Bearer wrong' })).toBe(false);
    expect(mcp.auth?.verify({})).toBe(false);
  });

  test('step-7 get-ship: nested object properties', async () => {
    const getShip = tool(await compile(`${EXAMPLES}/step-7-shipyard-orchestrated-lookup.yml`), 'get-ship');
    expect(await getShip.run({ imo: NORTHERN_STAR.imo_number })).toEqual({
      ...summary(NORTHERN_STAR),
      specs: { yearBuilt: 2008, tonnage: 51255, length: 229.5 },
    });
  });

  test('step-7 create-voyage: arrays in and out, nested route/dates, explicit hints', async () => {
    const createVoyage = tool(await compile(`${EXAMPLES}/step-7-shipyard-orchestrated-lookup.yml`), 'create-voyage');
    expect(createVoyage.hints).toEqual({ readOnly: false, destructive: false, idempotent: false, openWorld: true });
    const voyage = await createVoyage.run({
      shipImo: NORTHERN_STAR.imo_number,
      departurePort: 'Oslo',
      arrivalPort: 'Rotterdam',
      departureDate: '2026-05-01',
      arrivalDate: '2026-05-04',
      crewIds: ['CR-001', 'CR-003'],
      cargoIds: ['CG-9'],
    });
    expect(voyage).toEqual({
      voyageId: expect.stringMatching(/^VOY-\d+$/),
      shipImo: NORTHERN_STAR.imo_number,
      route: { from: 'Oslo', to: 'Rotterdam' },
      dates: { departure: '2026-05-01', arrival: '2026-05-04' },
      crewIds: ['CR-001', 'CR-003'],
      cargoIds: ['CG-9'],
      status: 'planned',
    });
    expect(JSON.parse(maritime.requests[0].body)).toEqual({
      shipImo: NORTHERN_STAR.imo_number,
      departurePort: 'Oslo',
      arrivalPort: 'Rotterdam',
      departureDate: '2026-05-01',
      arrivalDate: '2026-05-04',
      crewIds: ['CR-001', 'CR-003'],
      cargoIds: ['CG-9'],
    });
  });

  test('a wrongly typed argument is rejected before anything is sent', async () => {
    const createVoyage = tool(await compile(`${EXAMPLES}/step-7-shipyard-orchestrated-lookup.yml`), 'create-voyage');
    const error = await failure(createVoyage.run({ shipImo: 'x', departurePort: 'a', arrivalPort: 'b', departureDate: 'c', arrivalDate: 'd', crewIds: 'CR-001' }));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details).toEqual({ parameter: 'crewIds' });
    expect(maritime.requests).toHaveLength(0);
  });

  test('step-7 list-legacy-vessels: XML from the dockyard, X-Dock-Key sent', async () => {
    const listLegacy = tool(await compile(`${EXAMPLES}/step-7-shipyard-orchestrated-lookup.yml`), 'list-legacy-vessels');
    const toSummary = (v: (typeof LEGACY_VESSELS)[number]) => ({ vesselCode: v.vesselCode, name: v.vesselName, type: v.category, flag: v.flagState, status: v.operationalStatus });
    expect(await listLegacy.run({})).toEqual(LEGACY_VESSELS.map(toSummary));
    expect(await listLegacy.run({ status: 'active' })).toEqual([toSummary(LEGACY_VESSELS[0])]);
    expect(maritime.requests[0].headers['x-dock-key']).toBe(CREDENTIALS.dockyardKey);
  });

  test('an upstream 404 is an HTTP_ERROR keeping the status', async () => {
    const getShip = tool(await compile(`${EXAMPLES}/step-2-shipyard-wiring.yml`), 'get-ship');
    const error = await failure(getShip.run({ imo: 'IMO0000000' }));
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.details).toMatchObject({ status: 404, body: { detail: 'ship IMO0000000 not found' } });
  });

  test('`{{$.x}}` mappings over the named outputs of the consumed operation', async () => {
    const shipCard = tool(await compile(`${FIXTURES}/engine.yaml`), 'ship-card');
    expect(await shipCard.run({ imo: NORTHERN_STAR.imo_number })).toEqual({ title: 'Northern Star', crew: ['CR-003', 'CR-001'] });
  });

  test('static `with` values are sent; keys the operation does not take are dropped', async () => {
    const activeShips = tool(await compile(`${FIXTURES}/engine.yaml`), 'active-ships');
    expect(await activeShips.run({})).toEqual(['Northern Star', 'Coral Dawn']);
    expect(maritime.requests.map((r) => r.url)).toEqual(['/ships?status=active']);
  });

  test('http-header-query: exposed input flows into the consumed {{userId}} template; fixed header sent', async () => {
    const search = restOperation(await compile(`${EXAMPLES}/http-header-query-capability.yaml`), 'POST', '/search');
    expect(await search.run({ userId: 'u-42' })).toEqual({ query: 'u-42', items: [{ id: 'item-1', owner: 'u-42' }] });
    expect(maritime.requests[0].url).toBe('/items?q=u-42');
    expect(maritime.requests[0].headers['x-api-key']).toBe(CREDENTIALS.searchKey);
  });

  test('xml-capability: `$.root.user` over an XML document', async () => {
    const users = restOperation(await compile(`${EXAMPLES}/xml-capability.yaml`), 'GET', '/xml/users');
    expect(await users.run({})).toEqual(USERS);
    expect(maritime.requests[0].headers['user-agent']).toBe('Naftiko/1.0.0-alpha2');
  });

  test('mistral: without a mapping root the step output is the declared outputs', async () => {
    const specs = await compile(`${EXAMPLES}/mistral-capability.yaml`);
    const completion = { id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Fair winds.' } }] };
    expect(await restOperation(specs, 'POST', '/agents/completions').run({})).toEqual({ result: completion });
    expect(await tool(specs, 'createagentcompletion').run({})).toEqual({ result: completion });
    expect(maritime.requests[0].headers.authorization).toBe(`Bearer ${CREDENTIALS.mistralToken}`);
  });
});

describe('orchestrated mode', () => {
  test('step-7 get-ship-with-crew: call + call + lookup + mappings', async () => {
    const withCrew = tool(await compile(`${EXAMPLES}/step-7-shipyard-orchestrated-lookup.yml`), 'get-ship-with-crew');
    const byId = (id: string) => CREW.find((c) => c.crewId === id)!;
    expect(await withCrew.run({ imo: NORTHERN_STAR.imo_number })).toEqual({
      ...summary(NORTHERN_STAR),
      yearBuilt: 2008,
      tonnage: 51255,
      length: 229.5,
      // In the order of the ship's assignedCrew, projected to the lookup's outputParameters.
      crew: NORTHERN_STAR.assignedCrew.map((id) => ({ fullName: byId(id).fullName, role: byId(id).role })),
    });
    expect(maritime.requests.map((r) => r.url)).toEqual([`/ships/${NORTHERN_STAR.imo_number}`, '/crew']);
  });

  test('a ship without crew gives an empty crew list', async () => {
    const withCrew = tool(await compile(`${EXAMPLES}/step-7-shipyard-orchestrated-lookup.yml`), 'get-ship-with-crew');
    const result = (await withCrew.run({ imo: SHIPS[2].imo_number })) as Record<string, unknown>;
    expect(result.crew).toEqual([]);
    expect(result.name).toBe('Coral Dawn');
  });

  test('a failing step fails the whole operation with its error', async () => {
    const withCrew = tool(await compile(`${EXAMPLES}/step-7-shipyard-orchestrated-lookup.yml`), 'get-ship-with-crew');
    const error = await failure(withCrew.run({ imo: 'IMO0000000' }));
    expect(error.code).toBe('HTTP_ERROR');
    expect(maritime.requests).toHaveLength(1);
  });

  test('dotted targets nest; declared outputs are all present and typed; single-value lookup over columns', async () => {
    const firstOfficer = tool(await compile(`${FIXTURES}/engine.yaml`), 'first-officer');
    expect(await firstOfficer.run({ imo: NORTHERN_STAR.imo_number })).toEqual({
      ship: { name: 'Northern Star', imo: NORTHERN_STAR.imo_number },
      officer: 'Aiko Tanaka',
      missing: null,
      unmapped: null,
    });
  });

  test('integer arguments are checked', async () => {
    const firstOfficer = tool(await compile(`${FIXTURES}/engine.yaml`), 'first-officer');
    const error = await failure(firstOfficer.run({ imo: 'x', position: 'first' }));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details).toEqual({ parameter: 'position' });
    expect(await failure(firstOfficer.run({ imo: 'x', position: 1.5 }))).toMatchObject({ code: 'INPUT_INVALID' });
  });

  test('unknown arguments are rejected by name', async () => {
    const greeting = tool(await compile(`${FIXTURES}/engine.yaml`), 'greeting');
    const error = await failure(greeting.run({ who: 'Ada', shout: true }));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.details).toEqual({ parameter: 'shout' });
  });
});

describe('lookup', () => {
  const index = [
    { crewId: 'A', fullName: 'Ann', role: 'Captain' },
    { crewId: 7, fullName: 'Bo', role: 'Cook' },
  ];

  test('one value gives one projected entry or null', () => {
    expect(lookup(index, 'crewId', 'A', ['fullName'])).toEqual({ fullName: 'Ann' });
    expect(lookup(index, 'crewId', 'Z', ['fullName'])).toBeNull();
  });

  test('values compare as text; missing fields are null', () => {
    expect(lookup(index, 'crewId', '7', ['fullName', 'age'])).toEqual({ fullName: 'Bo', age: null });
  });

  test('an array of values gives the matches in order, unmatched skipped', () => {
    expect(lookup(index, 'crewId', [7, 'Z', 'A'], ['role'])).toEqual([{ role: 'Cook' }, { role: 'Captain' }]);
  });

  test('an object of equal-length columns is read row by row', () => {
    expect(lookup({ crewId: ['A', 'B'], fullName: ['Ann', 'Bo'] }, 'crewId', 'B', ['fullName'])).toEqual({ fullName: 'Bo' });
  });
});

describe('aggregates (forecast-aggregate)', () => {
  test('semantics become hints; the tool keeps its own name and description', async () => {
    const forecast = tool(await compile(`${EXAMPLES}/forecast-aggregate.yml`), 'get-forecast');
    expect(forecast.hints).toEqual({ readOnly: true, destructive: false, idempotent: true });
    expect(forecast.description).toBe('Get the weather forecast for a location.');
    expect(forecast.inputSchema).toMatchObject({ properties: { location: { type: 'string' } }, required: ['location'] });
  });

  test('MCP and REST run the same function: object mapping below $.forecast', async () => {
    const specs = await compile(`${EXAMPLES}/forecast-aggregate.yml`);
    expect(await tool(specs, 'get-forecast').run({ location: 'Paris' })).toEqual(FORECAST);
    const rest = restOperation(specs, 'GET', '/forecast/{location}');
    expect(rest.hints).toEqual({ readOnly: true, destructive: false, idempotent: true });
    expect(rest.description).toBe('Fetch current weather forecast for a location.');
    expect(await rest.run({ location: 'Oslo' })).toEqual(FORECAST);
    // The consumed operation declares no input, so `location` is not sent.
    expect(maritime.requests.map((r) => r.url)).toEqual(['/forecast', '/forecast']);
  });
});

describe('compile-time errors', () => {
  test('script steps are NOT_SUPPORTED, each located', async () => {
    const error = await failure(compile(`${EXAMPLES}/script-step.yml`));
    expect(error.code).toBe('NOT_SUPPORTED');
    expect(error.message).toContain('script-step.yml:53:15');
    expect(error.message).toContain('script-step.yml:86:15');
    expect(error.message).toContain("step 'filter-active' is a script step");
  });

  test('every unresolvable reference is a SPEC_INVALID with file:line:col', async () => {
    const file = `${FIXTURES}bad-calls.yaml`;
    const capability = await loadCapability(file);
    expect(capability.warnings.map((w) => w.line)).toEqual([26, 29]);
    const error = await failure(() => compileExposes(capability, createRuntime(capability)));
    expect(error.code).toBe('SPEC_INVALID');
    const lines = error.message.split('\n').slice(1);
    expect(lines).toEqual([
      `${file}:26:11: error: call 'registry.list-shipz': no operation named 'registry.list-shipz'; did you mean 'registry.list-ships'?`,
      `${file}:29:11: error: call 'nowhere.list-ships' names namespace 'nowhere', which is not consumed or imported (namespaces: registry)`,
      `${file}:38:15: error: lookup 'find': index 'shipz' is not a previous call step`,
      `${file}:50:15: error: ref 'weather.get-forecast' names no aggregate function`,
    ]);
  });

  test('an invalid JSONPath given as a value is a SPEC_INVALID with file:line:col, never sent as text', async () => {
    const file = `${FIXTURES}bad-paths.yaml`;
    const capability = await loadCapability(file);
    const error = await failure(() => compileExposes(capability, createRuntime(capability)));
    expect(error.code).toBe('SPEC_INVALID');
    expect(error.message.split('\n').slice(1)).toEqual([
      `${file}:32:13: error: call 'registry.list-ships': with 'flag': invalid JSONPath '$.ships[?lenght(@.flag) == 2].flag': unknown function 'lenght()' (did you mean 'length()'?); known: length, count, match, search, value at character 10`,
      `${file}:48:15: error: lookup 'find': lookupValue: invalid JSONPath '$.ships[0': expected ',' or ']', found end of expression at character 10`,
    ]);
  });

  test('skill and control exposes are left out', async () => {
    const specs = await compile(`${EXAMPLES}/step-7-shipyard-orchestrated-lookup.yml`);
    expect(specs.map((s) => s.type)).toEqual(['mcp', 'rest']);
    expect(specs.map((s) => s.source.line)).toEqual([26, 330]);
  });
});
