/**
 * The `mcp` exposes of the alpha2 examples, served as `naftiko serve` serves them (serveCapability
 * with the MCP starter) on 127.0.0.1, port 0, and driven by the official SDK client (v2) over
 * Streamable HTTP, on 2026-07-28 unless a test says otherwise, against a local stand-in of the APIs
 * they consume. Outputs are checked field by field.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client, Tool } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createRuntime, loadCapability, type Runtime } from '../runtime/index.js';
import { serveCapability, type Served } from '../runtime/serve/serveCapability.js';
import { serveMcpExpose } from '../runtime/mcp/serveMcpExpose.js';
import { CREDENTIALS, CREW, EXAMPLES, FORECAST, LEGACY_VESSELS, SHIPS, startMaritimeServer, type MaritimeServer } from './support/maritimeServer.js';
import { REVISIONS, callTool as call, httpClient, modernToolCall, toolError, toolOutput as output, type Revision } from './support/mcpClient.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let upstream: MaritimeServer;

beforeAll(async () => {
  upstream = await startMaritimeServer();
});

afterAll(async () => {
  await upstream?.close();
});

afterEach(() => {
  upstream.delay = 0;
});

interface Example {
  served: Served;
  runtime: Runtime;
  /** URL of the MCP server. */
  url: string;
  /** Opens an SDK client, with extra request headers (credentials), on 2026-07-28 unless told otherwise. */
  connect(headers?: Record<string, string>, revision?: Revision): Promise<Client>;
  close(): Promise<void>;
}

/** Serves a capability file with every consumed namespace sent to `baseUri` (default: the stand-in). */
async function serveFile(file: string, env: Record<string, string> = {}, baseUri = upstream.url, options: { mcpPath?: string } = {}): Promise<Example> {
  const capability = await loadCapability(file);
  const runtime = createRuntime(capability, { baseUri, env: { ...env, MISTRAL_TOKEN: CREDENTIALS.mistralToken }, retry: { limit: 0 } });
  const served = await serveCapability(capability, runtime, { port: 0, address: '127.0.0.1', mcp: serveMcpExpose, log: () => {}, ...options });
  const url = served.servers.find((s) => s.type === 'mcp')!.url!;
  const clients: Client[] = [];
  return {
    served,
    runtime,
    url,
    async connect(headers = {}, revision: Revision = '2026-07-28') {
      const client = await httpClient(url, { revision, headers });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await served.close();
      runtime.close();
    },
  };
}

const byName = (tools: Tool[], name: string): Tool => tools.find((t) => t.name === name)!;

const mapped = (ship: (typeof SHIPS)[number]) => ({ imo: ship.imo_number, name: ship.vessel_name, type: ship.vessel_type, flag: ship.flag_code, status: ship.operational_status });

describe('step-1: mock tools', () => {
  let example: Example;
  let client: Client;

  beforeAll(async () => {
    example = await serveFile(join(EXAMPLES, 'step-1-shipyard-mock.yml'));
    client = await example.connect();
  });
  afterAll(() => example?.close());

  test('serves the declared tool with its input schema, and an output schema from its typed outputs', async () => {
    expect(example.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(client.getServerVersion()?.name).toBe('shipyard-tools');
    expect(client.getInstructions()).toBe('Shipyard MCP tools — mock mode');
    expect(client.getServerCapabilities()).toEqual({ tools: {} });
    const { tools } = await client.listTools();
    const text = { type: ['string', 'null'] };
    expect(tools).toEqual([
      {
        name: 'get-ship',
        description: "Retrieve a ship's details by IMO number",
        inputSchema: { type: 'object', properties: { imo_number: { type: 'string', description: 'IMO number of the ship' } }, required: ['imo_number'], additionalProperties: false },
        outputSchema: { type: 'object', properties: { imo: text, name: text, type: text, flag: text, status: text } },
      },
    ]);
  });

  test('answers the mock values, with the input echoed, calling nothing', async () => {
    const before = upstream.requests.length;
    expect(output(await call(client, 'get-ship', { imo_number: 'IMO0000001' }))).toEqual({ imo: 'IMO0000001', name: 'Northern Star', type: 'cargo', flag: 'NO', status: 'active' });
    expect(upstream.requests.length).toBe(before);
  });

  test('a missing required argument is INPUT_INVALID naming it', async () => {
    expect(toolError(await call(client, 'get-ship'))).toMatchObject({ code: 'INPUT_INVALID', parameter: 'imo_number' });
  });
});

describe('step-2: tools wired to the registry', () => {
  let example: Example;
  let client: Client;

  beforeAll(async () => {
    example = await serveFile(join(EXAMPLES, 'step-2-shipyard-wiring.yml'));
    client = await example.connect();
  });
  afterAll(() => example?.close());

  test('lists both tools, optional status not required; an array output is described as { result: [...] }', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['list-ships', 'get-ship']);
    expect(byName(tools, 'list-ships').outputSchema).toMatchObject({ type: 'object', properties: { result: { type: ['array', 'null'], items: { type: ['object', 'null'] } } } });
    expect(byName(tools, 'list-ships').outputSchema).not.toHaveProperty('required');
    expect(byName(tools, 'list-ships').inputSchema).toEqual({ type: 'object', properties: { status: { type: 'string', description: 'Filter by operational status' } }, additionalProperties: false });
    expect(byName(tools, 'get-ship').inputSchema.required).toEqual(['imo']);
  });

  test('list-ships maps every ship, and filters by status', async () => {
    expect(output(await call(client, 'list-ships'))).toEqual(SHIPS.map(mapped));
    expect(output(await call(client, 'list-ships', { status: 'active' }))).toEqual(SHIPS.filter((s) => s.operational_status === 'active').map(mapped));
    expect(upstream.requests.at(-1)).toMatchObject({ method: 'GET', url: '/ships?status=active' });
  });

  test('get-ship maps one ship', async () => {
    expect(output(await call(client, 'get-ship', { imo: 'IMO9456721' }))).toEqual(mapped(SHIPS[1]));
    expect(upstream.requests.at(-1)).toMatchObject({ method: 'GET', url: '/ships/IMO9456721' });
  });

  test('bad inputs and upstream errors are tool errors with their code', async () => {
    expect(toolError(await call(client, 'get-ship', {}))).toMatchObject({ code: 'INPUT_INVALID', parameter: 'imo' });
    expect(toolError(await call(client, 'get-ship', { imo: { number: 42 } }))).toMatchObject({ code: 'INPUT_INVALID', parameter: 'imo' });
    expect(toolError(await call(client, 'get-ship', { imo: 'IMO0000000' }))).toMatchObject({ code: 'HTTP_ERROR', status: 404 });
  });
});

describe('step-3: bearer authentication on the MCP server', () => {
  let example: Example;

  beforeAll(async () => {
    example = await serveFile(join(EXAMPLES, 'step-3-shipyard-auth.yml'));
  });
  afterAll(() => example?.close());

  test('without the token from secrets.yaml, the SDK client is refused with 401', async () => {
    for (const revision of ['2026-07-28', '2025-11-25'] as const) {
      await expect(example.connect({}, revision)).rejects.toMatchObject({ status: 401 });
      await expect(example.connect({ authorization: 'Bearer wrong-token' }, revision)).rejects.toMatchObject({ status: 401 });
      await expect(example.connect({ authorization: `Basic ${CREDENTIALS.mcpToken}` }, revision)).rejects.toMatchObject({ status: 401 });
    }
  });

  test('authentication guards every path, not only the endpoint', async () => {
    for (const path of ['/', '/mcp', '/anything']) {
      const response = await fetch(new URL(path, example.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status, path).toBe(401);
    }
    const authorized = await fetch(new URL('/anything', example.url), { method: 'POST', headers: { authorization: `Bearer ${CREDENTIALS.mcpToken}` } });
    expect(authorized.status).toBe(404);
  });

  test.each(REVISIONS)('a client on %s with the token calls the tools', async (revision) => {
    const client = await example.connect({ authorization: `Bearer ${CREDENTIALS.mcpToken}` }, revision);
    expect(client.getNegotiatedProtocolVersion()).toBe(revision);
    expect(output(await call(client, 'get-ship', { imo: 'IMO9321483' }))).toEqual(mapped(SHIPS[0]));
  });

  test('no answer carries a secret: upstream errors are masked', async () => {
    const client = await example.connect({ authorization: `Bearer ${CREDENTIALS.mcpToken}` });
    const failed = await call(client, 'get-ship', { imo: 'IMO0000000' });
    expect(toolError(failed)).toMatchObject({ code: 'HTTP_ERROR', status: 404 });
    const everything = JSON.stringify([failed, await client.listTools()]);
    for (const secret of [CREDENTIALS.registryToken, CREDENTIALS.mcpToken]) expect(everything).not.toContain(secret);
  });

  test('the 401 is JSON with a WWW-Authenticate challenge, and nothing reaches the registry', async () => {
    const before = upstream.requests.length;
    const response = await fetch(example.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-ships', arguments: {} } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="shipyard-tools"');
    expect(await response.json()).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: 'unauthorized: missing or wrong credentials' }, id: null });
    expect(upstream.requests.length).toBe(before);
  });

  test('with the token, tools call the registry with its own credentials', async () => {
    const client = await example.connect({ authorization: `Bearer ${CREDENTIALS.mcpToken}` });
    expect(output(await call(client, 'get-ship', { imo: 'IMO9321483' }))).toEqual(mapped(SHIPS[0]));
    const sent = upstream.requests.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${CREDENTIALS.registryToken}`);
    expect(sent.headers['registry-version']).toBe(CREDENTIALS.registryVersion);
    expect(output(await call(client, 'list-ships', { status: 'laid_up' }))).toEqual([mapped(SHIPS[1])]);
  });
});

describe('step-7: orchestrated lookup, XML, voyages', () => {
  let example: Example;
  let client: Client;
  let tools: Tool[];

  beforeAll(async () => {
    example = await serveFile(join(EXAMPLES, 'step-7-shipyard-orchestrated-lookup.yml'));
    client = await example.connect({ authorization: `Bearer ${CREDENTIALS.mcpToken}` });
    tools = (await client.listTools()).tools;
  });
  afterAll(() => example?.close());

  test('serves the five tools, with the declared hints as annotations', () => {
    expect(tools.map((t) => t.name)).toEqual(['list-ships', 'get-ship', 'list-legacy-vessels', 'create-voyage', 'get-ship-with-crew']);
    expect(byName(tools, 'create-voyage').annotations).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    expect(byName(tools, 'get-ship').annotations).toBeUndefined();
    const voyage = byName(tools, 'create-voyage').inputSchema;
    expect(voyage.required).toEqual(['shipImo', 'departurePort', 'arrivalPort', 'departureDate', 'arrivalDate', 'crewIds']);
    expect(voyage.properties).toMatchObject({ crewIds: { type: 'array', description: 'List of crew member IDs' }, cargoIds: { type: 'array' } });
  });

  test('get-ship maps nested specs', async () => {
    const ship = SHIPS[0];
    expect(output(await call(client, 'get-ship', { imo: ship.imo_number }))).toEqual({
      ...mapped(ship),
      specs: { yearBuilt: ship.year_built, tonnage: ship.gross_tonnage, length: ship.dimensions.length_overall },
    });
  });

  test('list-legacy-vessels maps the dockyard XML', async () => {
    const legacy = (v: (typeof LEGACY_VESSELS)[number]) => ({ vesselCode: v.vesselCode, name: v.vesselName, type: v.category, flag: v.flagState, status: v.operationalStatus });
    expect(output(await call(client, 'list-legacy-vessels'))).toEqual(LEGACY_VESSELS.map(legacy));
    expect(upstream.requests.at(-1)!.headers['x-dock-key']).toBe(CREDENTIALS.dockyardKey);
  });

  test('get-ship-with-crew resolves the crew in assignment order', async () => {
    const ship = SHIPS[0];
    const crew = ship.assignedCrew.map((id) => CREW.find((c) => c.crewId === id)!).map(({ fullName, role }) => ({ fullName, role }));
    expect(output(await call(client, 'get-ship-with-crew', { imo: ship.imo_number }))).toEqual({
      ...mapped(ship),
      yearBuilt: ship.year_built,
      tonnage: ship.gross_tonnage,
      length: ship.dimensions.length_overall,
      crew,
    });
  });

  test('create-voyage posts the voyage and maps the answer', async () => {
    const args = { shipImo: 'IMO9784512', departurePort: 'Oslo', arrivalPort: 'Rotterdam', departureDate: '2026-06-01', arrivalDate: '2026-06-04', crewIds: ['CR-001', 'CR-002'], cargoIds: ['CG-7'] };
    const voyage = output(await call(client, 'create-voyage', args));
    expect(voyage).toEqual({
      voyageId: expect.stringMatching(/^VOY-\d+$/),
      shipImo: 'IMO9784512',
      route: { from: 'Oslo', to: 'Rotterdam' },
      dates: { departure: '2026-06-01', arrival: '2026-06-04' },
      crewIds: ['CR-001', 'CR-002'],
      cargoIds: ['CG-7'],
      status: 'planned',
    });
    expect(JSON.parse(upstream.requests.at(-1)!.body)).toEqual(args);
  });

  test('bad inputs name the argument; an unknown ship is the upstream 404', async () => {
    const args = { shipImo: 'IMO9784512', departurePort: 'Oslo', arrivalPort: 'Rotterdam', departureDate: '2026-06-01', arrivalDate: '2026-06-04' };
    expect(toolError(await call(client, 'create-voyage', args))).toMatchObject({ code: 'INPUT_INVALID', parameter: 'crewIds' });
    expect(toolError(await call(client, 'create-voyage', { ...args, crewIds: 'CR-001' }))).toMatchObject({ code: 'INPUT_INVALID', parameter: 'crewIds' });
    expect(toolError(await call(client, 'create-voyage', { ...args, shipImo: 'IMO0000000', crewIds: [], cargoIds: [] }))).toMatchObject({ code: 'HTTP_ERROR', status: 404 });
  });
});

describe('forecast-aggregate: a tool by ref', () => {
  let example: Example;
  let client: Client;

  beforeAll(async () => {
    example = await serveFile(join(EXAMPLES, 'forecast-aggregate.yml'));
    client = await example.connect();
  });
  afterAll(() => example?.close());

  test('inherits the function, hints derived from its semantics, description overridden', async () => {
    const { tools } = await client.listTools();
    expect(tools).toEqual([
      {
        name: 'get-forecast',
        description: 'Get the weather forecast for a location.',
        inputSchema: {
          type: 'object',
          properties: { location: { type: 'string', description: "City name or coordinates (e.g. 'Paris' or '48.8566,2.3522')." } },
          required: ['location'],
          additionalProperties: false,
        },
        // safe → readOnly and not destructive, idempotent → idempotent; openWorld is never derived.
        annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
        outputSchema: { type: 'object', properties: { temperature: { type: ['number', 'null'] }, condition: { type: ['string', 'null'] } } },
      },
    ]);
  });

  test('maps the forecast', async () => {
    expect(output(await call(client, 'get-forecast', { location: 'Paris' }))).toEqual(FORECAST);
    expect(upstream.requests.at(-1)).toMatchObject({ method: 'GET' });
    expect(upstream.requests.at(-1)!.url).toMatch(/^\/forecast/);
  });
});

describe('mistral: a tool over a consumed operation with its own outputs', () => {
  let example: Example;
  let client: Client;

  beforeAll(async () => {
    example = await serveFile(join(EXAMPLES, 'mistral-capability.yaml'));
    client = await example.connect();
  });
  afterAll(() => example?.close());

  test('lists the tool with its hints and no arguments', async () => {
    const { tools } = await client.listTools();
    expect(tools).toEqual([
      {
        name: 'createagentcompletion',
        description: 'Mistral AI Create an agent completion',
        inputSchema: { type: 'object', properties: {}, additionalProperties: false },
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
        // One unnamed `type: object` output: an object, whatever its members.
        outputSchema: { type: 'object' },
      },
    ]);
  });

  test('posts the completion with the bearer token and maps the answer', async () => {
    const result = output(await call(client, 'createagentcompletion')) as { result: Record<string, unknown> };
    expect(result.result).toEqual({ id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Fair winds.' } }] });
    expect(upstream.requests.at(-1)).toMatchObject({ method: 'POST', url: '/agents/completions' });
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${CREDENTIALS.mistralToken}`);
  });
});

describe('resources, prompts, labels and API key authentication', () => {
  let dir: string;
  let example: Example;
  let client: Client;
  const KEY = 'fleet-key-0123';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'naftiko-mcp-'));
    mkdirSync(join(dir, 'docs', 'ships'), { recursive: true });
    writeFileSync(join(dir, 'docs', 'guide.md'), '# Fleet guide\n');
    writeFileSync(join(dir, 'docs', 'ships', 'codes.json'), '{"NO":"Norway"}\n');
    writeFileSync(
      join(dir, 'fleet.yml'),
      `naftiko: "1.0.0-alpha2"
capability:
  consumes:
    - namespace: registry
      type: http
      baseUri: "https://registry.invalid"
      resources:
        - name: ships
          path: "/ships"
          operations:
            - name: list-ships
              method: GET
              inputParameters:
                - name: status
                  in: query
  exposes:
    - type: mcp
      port: 3001
      namespace: fleet
      authentication:
        type: apikey
        key: X-Fleet-Key
        value: "{{FLEET_KEY}}"
        placement: header
      tools:
        - name: ship-names
          label: Ship names
          description: Names of the ships with a status
          hints:
            readOnly: true
            openWorld: false
          inputParameters:
            - name: status
              type: string
              description: Operational status
          call: registry.list-ships
          with:
            status: fleet.status
          outputParameters:
            - type: array
              mapping: "$."
              items:
                type: string
                mapping: "$.vessel_name"
      resources:
        - name: fleet
          label: Fleet
          uri: data://fleet/all
          description: Every ship, by IMO number
          mimeType: application/json
          call: registry.list-ships
          outputParameters:
            - type: array
              mapping: "$."
              items:
                type: object
                properties:
                  imo:
                    type: string
                    mapping: "$.imo_number"
        - name: docs
          uri: docs://fleet
          description: Fleet documentation
          location: file:///./docs
      prompts:
        - name: brief
          label: Ship brief
          description: Brief on one ship
          arguments:
            - name: imo
              description: IMO number
              required: true
            - name: tone
          messages:
            - role: user
              content: "Brief me on ship {imo} in a {tone} tone."
            - role: assistant
              content: "Looking up {imo}."
`,
    );
    example = await serveFile(join(dir, 'fleet.yml'), { FLEET_KEY: KEY });
    client = await example.connect({ 'x-fleet-key': KEY });
  });

  afterAll(async () => {
    await example?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the API key header is required', async () => {
    await expect(example.connect()).rejects.toMatchObject({ status: 401 });
    await expect(example.connect({ 'x-fleet-key': 'wrong' })).rejects.toMatchObject({ status: 401 });
    const response = await fetch(example.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  test('advertises tools, resources and prompts', () => {
    expect(client.getServerCapabilities()).toEqual({ tools: {}, resources: {}, prompts: {} });
  });

  test('label is the title, hints are annotations', async () => {
    const [tool] = (await client.listTools()).tools;
    expect(tool).toMatchObject({ name: 'ship-names', title: 'Ship names', annotations: { title: 'Ship names', readOnlyHint: true, openWorldHint: false } });
    expect(tool.inputSchema.required).toEqual(['status']);
    expect(output(await call(client, 'ship-names', { status: 'active' }))).toEqual(['Northern Star', 'Coral Dawn']);
  });

  test('lists the dynamic resource and one resource per static file', async () => {
    const { resources } = await client.listResources();
    expect(resources).toEqual([
      { uri: 'data://fleet/all', name: 'fleet', title: 'Fleet', description: 'Every ship, by IMO number', mimeType: 'application/json' },
      { uri: 'docs://fleet/guide.md', name: 'docs/guide.md', description: 'Fleet documentation', mimeType: 'text/markdown' },
      { uri: 'docs://fleet/ships/codes.json', name: 'docs/ships/codes.json', description: 'Fleet documentation', mimeType: 'application/json' },
    ]);
  });

  test('reads a dynamic resource through the registry, and static files as they are', async () => {
    const fleet = await client.readResource({ uri: 'data://fleet/all' });
    expect(fleet.contents).toHaveLength(1);
    expect(fleet.contents[0]).toMatchObject({ uri: 'data://fleet/all', mimeType: 'application/json' });
    expect(JSON.parse((fleet.contents[0] as { text: string }).text)).toEqual(SHIPS.map((s) => ({ imo: s.imo_number })));
    expect((await client.readResource({ uri: 'docs://fleet/guide.md' })).contents).toEqual([{ uri: 'docs://fleet/guide.md', mimeType: 'text/markdown', text: '# Fleet guide\n' }]);
    await expect(client.readResource({ uri: 'docs://fleet/missing.md' })).rejects.toMatchObject({ code: -32602, data: { uri: 'docs://fleet/missing.md' } });
  });

  test('a failing dynamic resource is a protocol error carrying the code', async () => {
    const gone = await startMaritimeServer();
    await gone.close();
    const down = await serveFile(join(dir, 'fleet.yml'), { FLEET_KEY: KEY }, gone.url);
    try {
      const downClient = await down.connect({ 'x-fleet-key': KEY });
      await expect(downClient.readResource({ uri: 'data://fleet/all' })).rejects.toMatchObject({ code: -32603, message: expect.stringMatching(/NETWORK: /) });
      expect(toolError(await call(downClient, 'ship-names', { status: 'active' }))).toMatchObject({ code: 'NETWORK' });
    } finally {
      await down.close();
    }
  });

  test('renders prompts from their arguments', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([
      {
        name: 'brief',
        title: 'Ship brief',
        description: 'Brief on one ship',
        arguments: [
          { name: 'imo', description: 'IMO number', required: true },
          { name: 'tone', required: false },
        ],
      },
    ]);
    expect(await client.getPrompt({ name: 'brief', arguments: { imo: 'IMO9321483', tone: 'calm' } })).toMatchObject({
      description: 'Brief on one ship',
      messages: [
        { role: 'user', content: { type: 'text', text: 'Brief me on ship IMO9321483 in a calm tone.' } },
        { role: 'assistant', content: { type: 'text', text: 'Looking up IMO9321483.' } },
      ],
    });
    await expect(client.getPrompt({ name: 'brief', arguments: { tone: 'calm' } })).rejects.toThrow(/needs argument imo/);
    await expect(client.getPrompt({ name: 'nope' })).rejects.toThrow(/unknown prompt 'nope'/);
  });
});

describe('naftiko serve', () => {
  test('runs a file written for 0.0.0.0 on 127.0.0.1, and SIGTERM lets a call in flight finish, then exits 0', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', join(EXAMPLES, 'step-2-shipyard-wiring.yml'), '--port', '0', '--address', '127.0.0.1', '--base-uri', upstream.url], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const match = /mcp 'shipyard-tools' listening on (http:\/\/127\.0\.0\.1:\d+\/) \(2 tools\)/.exec(stderr);
        if (match) resolve(match[1]);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });

    const client = await httpClient(url, { revision: '2026-07-28' });
    upstream.delay = 800;
    const before = upstream.requests.length;
    const pending = call(client, 'get-ship', { imo: 'IMO9321483' });
    await vi.waitFor(() => expect(upstream.requests.length).toBe(before + 1));
    child.kill('SIGTERM');
    expect(output(await pending)).toEqual(mapped(SHIPS[0]));
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM');
    expect(stdout).toBe('');
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
  });
});

describe('where MCP is served', () => {
  test('the call Ikanos CI makes: a 2026-07-28 tools/call POSTed to the server root, no initialize', async () => {
    const example = await serveFile(join(EXAMPLES, 'step-2-shipyard-wiring.yml'));
    try {
      expect(new URL(example.url).pathname).toBe('/');
      const { headers, body } = modernToolCall('get-ship', { imo: 'IMO9456721' }, 'ikanos-1');
      const response = await fetch(example.url, { method: 'POST', headers, body });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { jsonrpc: string; id: string; result: { structuredContent: unknown; content: Array<{ type: string; text: string }> } };
      expect(answer).toMatchObject({ jsonrpc: '2.0', id: 'ikanos-1' });
      expect(answer.result.structuredContent).toEqual(mapped(SHIPS[1]));
      expect(JSON.parse(answer.result.content[0].text)).toEqual(mapped(SHIPS[1]));
      // The Mcp-Name header must name the tool the body calls.
      const mismatch = await fetch(example.url, { method: 'POST', headers: { ...headers, 'mcp-name': 'list-ships' }, body });
      expect(mismatch.status).toBe(400);
      expect(((await mismatch.json()) as { error: { code: number } }).error.code).toBe(-32020);
    } finally {
      await example.close();
    }
  });

  test("at the expose's own path when it declares one, or at the path serve is given", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'naftiko-mcp-path-'));
    try {
      const file = join(dir, 'pathed.yml');
      writeFileSync(
        file,
        `naftiko: "1.0.0-alpha2"
capability:
  exposes:
    - type: mcp
      port: 3001
      path: /mcp
      namespace: pathed
      tools:
        - name: hello
          description: Says hello
          outputParameters:
            - name: greeting
              type: string
              value: hello
`,
      );
      const declared = await serveFile(file);
      try {
        expect(new URL(declared.url).pathname).toBe('/mcp');
        const client = await declared.connect();
        expect(output(await call(client, 'hello'))).toEqual({ greeting: 'hello' });
        expect((await fetch(new URL('/', declared.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
      } finally {
        await declared.close();
      }
      const moved = await serveFile(file, {}, upstream.url, { mcpPath: '/v1/mcp' });
      try {
        expect(new URL(moved.url).pathname).toBe('/v1/mcp');
        expect(output(await call(await moved.connect(), 'hello'))).toEqual({ greeting: 'hello' });
      } finally {
        await moved.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
