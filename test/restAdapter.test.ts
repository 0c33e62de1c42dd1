import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, type Runtime, type RuntimeOptions } from '../runtime/index.js';
import { compileExposes } from '../runtime/orchestration/compileExposes.js';
import { startRestServer, type RunningServer } from '../runtime/rest/restServer.js';
import { closeOnSignal } from '../runtime/serve/listen.js';
import { serveCapability, type McpStarter } from '../runtime/serve/serveCapability.js';
import type { McpExposeSpec, RestExposeSpec } from '../runtime/orchestration/types.js';
import { CREDENTIALS, CREW, EXAMPLES, FORECAST, SHIPS, USERS, startMaritimeServer, type MaritimeServer } from './support/maritimeServer.js';
import { freePort } from './support/freePort.js';

const FIXTURES = new URL('./fixtures/expose/', import.meta.url).pathname;
const GATEWAY_TOKEN = 'gw-token-5c1e';
const ENV = { MISTRAL_TOKEN: CREDENTIALS.mistralToken, GATEWAY_TOKEN, REGISTRY_TOKEN: CREDENTIALS.registryToken };
const NORTHERN_STAR = SHIPS[0];
const STEP7 = `${EXAMPLES}/step-7-shipyard-orchestrated-lookup.yml`;

let maritime: MaritimeServer;
const cleanup: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  maritime = await startMaritimeServer();
});
afterAll(async () => {
  await maritime.close();
});
beforeEach(() => {
  maritime.requests.length = 0;
  maritime.delay = 0;
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Serves the file's rest expose on a free port of 127.0.0.1 (files say 0.0.0.0 or fixed ports). */
async function serve(file: string, options: RuntimeOptions = {}): Promise<{ url: string; server: RunningServer; runtime: Runtime }> {
  const capability = await loadCapability(file);
  const runtime = createRuntime(capability, { baseUri: maritime.url, env: ENV, retry: { limit: 0 }, ...options });
  const rest = compileExposes(capability, runtime).find((s): s is RestExposeSpec => s.type === 'rest');
  if (!rest) throw new Error(`${file} has no rest expose`);
  const server = await startRestServer(rest, { port: 0, address: '127.0.0.1' });
  cleanup.push(() => runtime.close(), () => server.close());
  return { url: server.url, server, runtime };
}

async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const { json, ...rest } = init;
  const response = await fetch(url, json === undefined ? rest : { ...rest, method: rest.method ?? 'POST', headers: { 'content-type': 'application/json', ...rest.headers }, body: JSON.stringify(json) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** A URL where nothing listens. */
async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

const summary = (ship: (typeof SHIPS)[number]) => ({ imo: ship.imo_number, name: ship.vessel_name, type: ship.vessel_type, flag: ship.flag_code, status: ship.operational_status });
const voyage = { shipImo: NORTHERN_STAR.imo_number, departurePort: 'Oslo', arrivalPort: 'Rotterdam', departureDate: '2026-05-01', arrivalDate: '2026-05-04', crewIds: ['CR-001'], cargoIds: [] };

describe('step-7 shipyard-api', () => {
  test('GET /ships?status= maps every ship, as JSON', async () => {
    const { url } = await serve(STEP7);
    const { status, headers, body } = await call(`${url}/ships?status=active`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(body).toEqual(SHIPS.filter((s) => s.operational_status === 'active').map(summary));
    expect(maritime.requests[0].url).toBe('/ships?status=active');
    expect(maritime.requests[0].headers.authorization).toBe(`Bearer ${CREDENTIALS.registryToken}`);
    expect(maritime.requests[0].headers['registry-version']).toBe(CREDENTIALS.registryVersion);
  });

  test('GET /ships/{imo}: path parameter into a mustache `with`, nested specs', async () => {
    const { url } = await serve(STEP7);
    const { status, body } = await call(`${url}/ships/${NORTHERN_STAR.imo_number}`);
    expect(status).toBe(200);
    expect(body).toEqual({ ...summary(NORTHERN_STAR), specs: { yearBuilt: 2008, tonnage: 51255, length: 229.5 } });
  });

  test('an upstream 404 keeps its status, with code HTTP_ERROR and the upstream body', async () => {
    const { url } = await serve(STEP7);
    const { status, body } = await call(`${url}/ships/IMO0000000`);
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ code: 'HTTP_ERROR', operation: 'registry.get-ship', status: 404, body: { detail: 'ship IMO0000000 not found' } });
    expect(body.error.message).toContain('answered 404');
  });

  test('GET /ships/{imo}/crew: orchestrated steps with a lookup', async () => {
    const { url } = await serve(STEP7);
    const { status, body } = await call(`${url}/ships/${NORTHERN_STAR.imo_number}/crew`);
    expect(status).toBe(200);
    const crew = NORTHERN_STAR.assignedCrew.map((id) => CREW.find((c) => c.crewId === id)!).map(({ fullName, role }) => ({ fullName, role }));
    expect(body).toEqual({ ...summary(NORTHERN_STAR), yearBuilt: 2008, tonnage: 51255, length: 229.5, crew });
  });

  test('GET /legacy/vessels: XML upstream mapped from `$.`', async () => {
    const { url } = await serve(STEP7);
    const { status, body } = await call(`${url}/legacy/vessels?status=active`);
    expect(status).toBe(200);
    expect(body).toEqual([{ vesselCode: 'DY-001', name: 'Old Faithful', type: 'bulk', flag: 'GB', status: 'active' }]);
  });

  test('POST /voyages: body parameters; the upstream 201 is kept', async () => {
    const { url } = await serve(STEP7);
    const { status, body } = await call(`${url}/voyages`, { json: voyage });
    expect(status).toBe(201);
    expect(body).toEqual({
      voyageId: expect.stringMatching(/^VOY-\d+$/),
      shipImo: NORTHERN_STAR.imo_number,
      route: { from: 'Oslo', to: 'Rotterdam' },
      dates: { departure: '2026-05-01', arrival: '2026-05-04' },
      crewIds: ['CR-001'],
      cargoIds: [],
      status: 'planned',
    });
    expect(maritime.voyages.at(-1)).toMatchObject({ shipImo: NORTHERN_STAR.imo_number, crewIds: ['CR-001'] });
  });

  test('a wrongly typed body parameter is a 400 INPUT_INVALID naming it; nothing is sent', async () => {
    const { url } = await serve(STEP7);
    const { status, body } = await call(`${url}/voyages`, { json: { ...voyage, crewIds: 'CR-001' } });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'INPUT_INVALID', parameter: 'crewIds' });
    expect(body.error.message).toContain("argument 'crewIds' must be a JSON array (got \"CR-001\")");
    expect(maritime.requests).toHaveLength(0);
  });

  test('a missing argument the consumed request needs is a 400 INPUT_INVALID naming it', async () => {
    const { url } = await serve(STEP7);
    const { shipImo: _omitted, ...incomplete } = voyage;
    const { status, body } = await call(`${url}/voyages`, { json: incomplete });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'INPUT_INVALID', parameter: 'shipImo' });
    expect(maritime.requests).toHaveLength(0);
  });

  test('a body that is not JSON is a 400', async () => {
    const { url } = await serve(STEP7);
    const { status, body } = await call(`${url}/voyages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'INPUT_INVALID', message: 'create-voyage: the request body is not valid JSON' });
  });

  test('unknown paths are 404 and wrong methods 405, as JSON', async () => {
    const { url } = await serve(STEP7);
    const missing = await call(`${url}/harbours`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'NOT_FOUND', message: 'no resource at /harbours' });
    const wrong = await call(`${url}/ships`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    // hono answers HEAD wherever GET is routed, so HEAD is allowed too.
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect(wrong.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  test('an upstream that is down is a 502 NETWORK', async () => {
    const { url } = await serve(STEP7, { baseUri: await deadUrl() });
    const { status, body } = await call(`${url}/ships`);
    expect(status).toBe(502);
    expect(body.error).toMatchObject({ code: 'NETWORK', operation: 'registry.list-ships' });
  });

  test('an upstream that is too slow is a 504 TIMEOUT', async () => {
    const { url } = await serve(STEP7, { timeout: 150 });
    maritime.delay = 1000;
    const { status, body } = await call(`${url}/ships`);
    expect(status).toBe(504);
    expect(body.error).toMatchObject({ code: 'TIMEOUT', timeout: 150 });
  });

  test('close() lets a call in flight finish, then refuses connections', async () => {
    const { url, server } = await serve(STEP7);
    maritime.delay = 300;
    const pending = call(`${url}/ships/${NORTHERN_STAR.imo_number}`);
    while (maritime.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const closed = server.close();
    const { status, body } = await pending;
    expect(status).toBe(200);
    expect(body.name).toBe('Northern Star');
    await closed;
    await expect(fetch(`${url}/ships`)).rejects.toThrow();
  });
});

describe('other examples over HTTP', () => {
  test('forecast-aggregate: GET /forecast/{location} through the aggregate ref', async () => {
    const { url } = await serve(`${EXAMPLES}/forecast-aggregate.yml`);
    const { status, body } = await call(`${url}/forecast/Paris`);
    expect(status).toBe(200);
    expect(body).toEqual(FORECAST);
  });

  test('http-header-query: `value: $.user.id` reads the JSON body', async () => {
    const { url } = await serve(`${EXAMPLES}/http-header-query-capability.yaml`);
    const { status, body } = await call(`${url}/search`, { json: { user: { id: 'u-42' } } });
    expect(status).toBe(200);
    expect(body).toEqual({ query: 'u-42', items: [{ id: 'item-1', owner: 'u-42' }] });
    expect(maritime.requests[0].url).toBe('/items?q=u-42');
    expect(maritime.requests[0].headers['x-api-key']).toBe(CREDENTIALS.searchKey);
  });

  test('http-header-query: without user.id the request cannot be built: 400', async () => {
    const { url } = await serve(`${EXAMPLES}/http-header-query-capability.yaml`);
    const { status, body } = await call(`${url}/search`, { json: { user: {} } });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'INPUT_INVALID', parameter: 'userId' });
  });

  test('xml-capability: GET /xml/users', async () => {
    const { url } = await serve(`${EXAMPLES}/xml-capability.yaml`);
    const { status, body } = await call(`${url}/xml/users`);
    expect(status).toBe(200);
    expect(body).toEqual(USERS);
  });

  test('mistral: POST /agents/completions', async () => {
    const { url } = await serve(`${EXAMPLES}/mistral-capability.yaml`);
    const { status, body } = await call(`${url}/agents/completions`, { json: {} });
    expect(status).toBe(200);
    expect(body.result.choices[0].message.content).toBe('Fair winds.');
  });
});

describe('authentication, typed parameters and forward (fixture)', () => {
  const FILE = `${FIXTURES}rest-features.yaml`;
  const auth = { authorization: `Bearer ${GATEWAY_TOKEN}` };

  test('requests without the exposed bearer token are 401', async () => {
    const { url } = await serve(FILE);
    const none = await call(`${url}/fleet?limit=1`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"$/);
    expect(none.body.error).toEqual({ code: 'UNAUTHORIZED', message: 'unauthorized: missing or wrong credentials' });
    expect((await call(`${url}/fleet?limit=1`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect(maritime.requests).toHaveLength(0);
  });

  test('resource-level query parameter through `with`; consumed auth is the registry token', async () => {
    const { url } = await serve(FILE);
    const { status, body } = await call(`${url}/fleet?limit=2&status=laid_up`, { headers: auth });
    expect(status).toBe(200);
    expect(body).toEqual(['IMO9456721']);
    expect(maritime.requests[0].url).toBe('/ships?status=laid_up');
    expect(maritime.requests[0].headers.authorization).toBe(`Bearer ${CREDENTIALS.registryToken}`);
  });

  test('missing, mistyped and pattern-failing parameters are 400 naming the parameter', async () => {
    const { url } = await serve(FILE);
    const missing = await call(`${url}/fleet`, { headers: auth });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'INPUT_INVALID', parameter: 'limit', message: "list-fleet: missing required argument 'limit'" });
    const mistyped = await call(`${url}/fleet?limit=two`, { headers: auth });
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.error).toMatchObject({ code: 'INPUT_INVALID', parameter: 'limit' });
    const pattern = await call(`${url}/fleet?limit=1&status=Laid-Up`, { headers: auth });
    expect(pattern.status).toBe(400);
    expect(pattern.body.error).toMatchObject({ code: 'INPUT_INVALID', parameter: 'status' });
    expect(maritime.requests).toHaveLength(0);
  });

  test('named outputs are typed: a number declared string becomes text', async () => {
    const { url } = await serve(FILE);
    const { status, body } = await call(`${url}/fleet/${NORTHERN_STAR.imo_number}`, { headers: auth });
    expect(status).toBe(200);
    expect(body).toEqual({ name: 'Northern Star', built: '2008' });
  });

  test('forward passes the rest of the path and the query, and only the trusted headers', async () => {
    const { url } = await serve(FILE);
    const { status, body } = await call(`${url}/registry/ships/${NORTHERN_STAR.imo_number}?view=full`, {
      headers: { ...auth, 'X-Trace-Id': 'trace-7', 'X-Internal-Secret': 'do-not-pass' },
    });
    expect(status).toBe(200);
    expect(body).toEqual(NORTHERN_STAR);
    const sent = maritime.requests[0];
    expect(sent.url).toBe(`/ships/${NORTHERN_STAR.imo_number}?view=full`);
    expect(sent.headers['x-trace-id']).toBe('trace-7');
    expect(sent.headers['x-internal-secret']).toBeUndefined();
    // The namespace's own authentication, never the caller's gateway token.
    expect(sent.headers.authorization).toBe(`Bearer ${CREDENTIALS.registryToken}`);
  });

  test('forward relays the method, body and upstream status', async () => {
    const { url } = await serve(FILE);
    const created = await call(`${url}/registry/voyages`, { headers: auth, json: voyage });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ shipImo: NORTHERN_STAR.imo_number, status: 'planned' });
    expect(maritime.requests[0].method).toBe('POST');
    expect(JSON.parse(maritime.requests[0].body)).toEqual(voyage);
    const missing = await call(`${url}/registry/ships/IMO0000000`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'HTTP_ERROR', status: 404, body: { detail: 'ship IMO0000000 not found' } });
  });

  test('a forwarded response never shows the namespace secret, even when the upstream echoes it', async () => {
    const { url } = await serve(FILE);
    const echoed = await call(`${url}/registry/whoami`, { headers: auth });
    expect(echoed.status).toBe(200);
    expect(echoed.body).toEqual({ authorization: 'Bearer ***' });
    expect(maritime.requests[0].headers.authorization).toBe(`Bearer ${CREDENTIALS.registryToken}`);
  });

  test('an apikey in the query authenticates the caller and is not forwarded', async () => {
    const capability = await loadCapability(FILE);
    const runtime = createRuntime(capability, { baseUri: maritime.url, env: ENV, retry: { limit: 0 } });
    const rest = compileExposes(capability, runtime).find((s): s is RestExposeSpec => s.type === 'rest')!;
    const server = await startRestServer(
      { ...rest, auth: { type: 'apikey', queryParameter: 'api_key', verify: (_headers, query) => query?.get('api_key') === 'k-1' } },
      { port: 0, address: '127.0.0.1' },
    );
    cleanup.push(() => runtime.close(), () => server.close());
    expect((await call(`${server.url}/registry/ships?status=active`)).status).toBe(401);
    const { status } = await call(`${server.url}/registry/ships?api_key=k-1&status=active`);
    expect(status).toBe(200);
    expect(maritime.requests.map((r) => r.url)).toEqual(['/ships?status=active']);
  });

  test('forward refuses dot segments that would leave the base URI', async () => {
    const { url } = await serve(FILE);
    // `%2e%2e` is normalised away by URL parsers; an encoded slash is not.
    const { status, body } = await call(`${url}/registry/ships%2F..%2F..%2Fadmin`, { headers: auth });
    expect(status).toBe(400);
    expect(body.error.code).toBe('INPUT_INVALID');
    expect(maritime.requests).toHaveLength(0);
  });
});

describe('serveCapability', () => {
  function fakeMcp(started: Array<{ spec: McpExposeSpec; port?: number; address?: string; closed: boolean }>): McpStarter {
    return async (spec, options) => {
      const entry = { spec, port: options.port, address: options.address, closed: false };
      started.push(entry);
      return { url: `http://${options.address}:${options.port}/mcp`, close: async () => void (entry.closed = true) };
    };
  }

  test('starts MCP, skill and REST in file order, logs what listens, closes everything', async () => {
    const capability = await loadCapability(STEP7);
    const runtime = createRuntime(capability, { baseUri: maritime.url, retry: { limit: 0 } });
    cleanup.push(() => runtime.close());
    const lines: string[] = [];
    const started: Parameters<typeof fakeMcp>[0] = [];
    const served = await serveCapability(capability, runtime, { port: 0, address: '127.0.0.1', log: (line) => lines.push(line), mcp: fakeMcp(started) });
    expect(started.map((s) => [s.spec.namespace, s.port, s.address])).toEqual([['shipyard-tools', 0, '127.0.0.1']]);
    expect(started[0].spec.tools.map((t) => t.name)).toEqual(['list-ships', 'get-ship', 'list-legacy-vessels', 'create-voyage', 'get-ship-with-crew']);
    const rest = served.servers.find((s) => s.type === 'rest')!;
    expect(rest.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const skill = served.servers.find((s) => s.type === 'skill')!;
    expect(lines).toEqual([
      "mcp 'shipyard-tools' listening on http://127.0.0.1:0/mcp (5 tools)",
      `skill 'shipyard-skills' listening on ${skill.url}/skills (2 skills)`,
      `rest 'shipyard-api' listening on ${rest.url} (5 routes)`,
    ]);
    expect((await call(`${skill.url}/skills`)).status).toBe(200);
    expect((await call(`${rest.url}/ships/${NORTHERN_STAR.imo_number}`)).status).toBe(200);
    await served.close();
    expect(started[0].closed).toBe(true);
    await expect(fetch(`${rest.url}/ships`)).rejects.toThrow();
    await expect(fetch(`${skill.url}/skills`)).rejects.toThrow();
  });

  test('--port numbers the adapters from the given port, in file order', async () => {
    const capability = await loadCapability(`${EXAMPLES}/forecast-aggregate.yml`);
    const runtime = createRuntime(capability, { baseUri: maritime.url, retry: { limit: 0 } });
    cleanup.push(() => runtime.close());
    const port = Number(new URL(await deadUrl()).port);
    const started: Parameters<typeof fakeMcp>[0] = [];
    const served = await serveCapability(capability, runtime, { port, address: '127.0.0.1', log: () => {}, mcp: fakeMcp(started) });
    cleanup.push(() => served.close());
    expect(started[0].port).toBe(port);
    expect(served.servers.find((s) => s.type === 'rest')?.url).toBe(`http://127.0.0.1:${port + 1}`);
  });

  test('SIGTERM closes the servers after calls in flight', async () => {
    const capability = await loadCapability(`${EXAMPLES}/xml-capability.yaml`);
    const runtime = createRuntime(capability, { baseUri: maritime.url, retry: { limit: 0 } });
    cleanup.push(() => runtime.close());
    const lines: string[] = [];
    const served = await serveCapability(capability, runtime, { port: 0, address: '127.0.0.1', log: (line) => lines.push(line) });
    const stopped = closeOnSignal(served, (line) => lines.push(line));
    maritime.delay = 200;
    const pending = call(`${served.servers[0].url}/xml/users`);
    while (maritime.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    process.emit('SIGTERM', 'SIGTERM');
    expect((await pending).status).toBe(200);
    expect(await stopped).toBe('SIGTERM');
    expect(lines.at(-1)).toBe('SIGTERM: finishing calls in flight, then stopping');
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  test('a capability that cannot be served fails before anything listens', async () => {
    const capability = await loadCapability(`${EXAMPLES}/script-step.yml`);
    const runtime = createRuntime(capability);
    cleanup.push(() => runtime.close());
    await expect(serveCapability(capability, runtime, { log: () => {} })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });
});
