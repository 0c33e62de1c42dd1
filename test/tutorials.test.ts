/**
 * The official Shipyard tutorials, Ikanos 1.0.0-beta5 (map shape) and Naftiko 1.0.0-alpha3 (array
 * shape), every step unmodified, each served by a real `naftiko serve` process against local stand-ins
 * of the Maritime Registry and Legacy Dockyard built from their OpenAPI examples (as upstream's CI does
 * with Microcks), and driven over MCP, REST and the skill catalog. The expected answers are the ones the
 * tutorial's mappings make of those examples.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { loadCapability } from '../runtime/index.js';
import { connectMcp, type McpSession } from './support/mcpJsonRpc.js';
import { serveOpenApiExamples, type ExamplesServer } from './support/openApiExamples.js';
import { startServe } from './support/serveProcess.js';
import { capabilityInternals } from '../runtime/internal.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const FIXTURES = new URL('fixtures/', import.meta.url).pathname;
const OPENAPI = `${FIXTURES}ikanos-beta5/openapi`;
const secrets = readFileSync(`${FIXTURES}ikanos-beta5/tutorial/shared/secrets.yaml`, 'utf8');
const MCP_TOKEN = /mcp-server-token: "([^"]+)"/.exec(secrets)![1];

const TUTORIALS = [
  { version: 'Ikanos 1.0.0-beta5', dir: `${FIXTURES}ikanos-beta5/tutorial` },
  { version: 'Naftiko 1.0.0-alpha3', dir: `${FIXTURES}naftiko-alpha3/tutorial` },
];

const NORTHERN_STAR = { imo: 'IMO-9321483', name: 'Northern Star', type: 'cargo', flag: 'NO', status: 'active' };
const PACIFIC_DAWN = { imo: 'IMO-9456781', name: 'Pacific Dawn', type: 'tanker', flag: 'SG', status: 'maintenance' };
const NORTHERN_STAR_SPECS = { yearBuilt: 2015, tonnage: 42000, length: 229 };
const OLD_FAITHFUL = { vesselCode: 'LEGACY-4012', name: 'Old Faithful', type: 'cargo', flag: 'GB', status: 'active' };
const IRON_MAIDEN = { vesselCode: 'LEGACY-2087', name: 'Iron Maiden', type: 'bulk_carrier', flag: 'PA', status: 'laid_up' };
const NORTHERN_STAR_CREW = [
  { fullName: 'Erik Lindström', role: 'captain' },
  { fullName: 'Aiko Tanaka', role: 'cook' },
];
const VOYAGE_INPUT = {
  shipImo: 'IMO-9321483',
  departurePort: 'Oslo',
  arrivalPort: 'Singapore',
  departureDate: '2026-04-10T08:00:00Z',
  arrivalDate: '2026-05-02T14:00:00Z',
  crewIds: ['CREW-001', 'CREW-003'],
  cargoIds: ['CARGO-2024-0451'],
};
const VOYAGE = {
  voyageId: 'VOY-2026-042',
  shipImo: 'IMO-9321483',
  route: { from: 'Oslo', to: 'Singapore' },
  dates: { departure: '2026-04-10T08:00:00Z', arrival: '2026-05-02T14:00:00Z' },
  crewIds: ['CREW-001', 'CREW-003'],
  cargoIds: ['CARGO-2024-0451'],
  status: 'planned',
};
const SHIP_WITH_CREW = { ...NORTHERN_STAR, ...NORTHERN_STAR_SPECS, crew: NORTHERN_STAR_CREW };
const MANIFEST = {
  voyageId: 'VOY-2026-042',
  status: 'planned',
  route: { from: 'Oslo', to: 'Singapore' },
  ship: { name: 'Northern Star', type: 'cargo', flag: 'NO' },
  crew: NORTHERN_STAR_CREW,
  cargo: [{ type: 'container', description: 'Electronics components', weight: 12.5, hazardous: false }],
};
/** The REST endpoint of step 11 maps the same manifest flat. */
const FLAT_MANIFEST = {
  voyageId: 'VOY-2026-042',
  status: 'planned',
  departurePort: 'Oslo',
  arrivalPort: 'Singapore',
  shipName: 'Northern Star',
  shipType: 'cargo',
  shipFlag: 'NO',
  crew: NORTHERN_STAR_CREW,
  cargo: MANIFEST.cargo,
};

/** Step number → what `get-ship` answers: specs appear with output shaping (step 4). */
const getShip = (step: number) => (step >= 4 ? { ...NORTHERN_STAR, specs: NORTHERN_STAR_SPECS } : NORTHERN_STAR);

let registry: ExamplesServer;
let dockyard: ExamplesServer;

beforeAll(async () => {
  registry = await serveOpenApiExamples(readFileSync(`${OPENAPI}/naftiko-shipyard-maritime-registry-api.yaml`, 'utf8'));
  dockyard = await serveOpenApiExamples(readFileSync(`${OPENAPI}/naftiko-shipyard-legacy-dockyard-api.yaml`, 'utf8'));
});
afterAll(async () => {
  await Promise.all([registry?.close(), dockyard?.close()]);
});

describe.each(TUTORIALS)('the $version Shipyard tutorial', ({ dir }) => {
  const steps = readdirSync(dir)
    .filter((f) => /^step-\d+-.*\.yml$/.test(f))
    .map((file) => ({ file, step: Number(/^step-(\d+)/.exec(file)![1]) }))
    .sort((a, b) => a.step - b.step);

  test('has its 11 steps', () => {
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test.each(steps)('step $step ($file) runs unmodified with naftiko serve, over every adapter it exposes', async ({ file, step }) => {
    const path = `${dir}/${file}`;
    const capability = await loadCapability(path);
    const exposes = (capabilityInternals(capability).document.capability as { exposes: Array<{ type: string; authentication?: unknown }> }).exposes;
    const served = exposes.filter((e) => ['mcp', 'rest', 'skill'].includes(e.type));
    const consumed = new Set(capability.operations.map((o) => o.namespace));
    const standIns = [...(consumed.has('registry') ? ['--base-uri', `registry=${registry.url}`] : []), ...(consumed.has('legacy') ? ['--base-uri', `legacy=${dockyard.url}`] : [])];
    const serve = await startServe(path, ['--address', '127.0.0.1', '--port', '0', ...standIns], served.length);
    const seen = registry.requests.length;
    try {
      const mcpUrl = serve.urls.get('mcp shipyard-tools')!;
      // No path declared: MCP is served at the root, as upstream serves it.
      expect(mcpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const secured = exposes.find((e) => e.type === 'mcp')!.authentication !== undefined;
      if (secured) {
        await expect(connectMcp(mcpUrl)).rejects.toThrow(/HTTP 401/);
      }
      const mcp = await connectMcp(mcpUrl, secured ? { authorization: `Bearer ${MCP_TOKEN}` } : {});
      await checkMcp(mcp, step);
      if (step >= 3) {
        const sent = registry.requests.slice(seen);
        expect(sent.length).toBeGreaterThan(0);
        // Step 11's shared consumes file writes its token without braces: it is sent as written.
        for (const request of sent) expect(request.headers.authorization).toBe(step === 11 ? 'Bearer REGISTRY_TOKEN' : 'Bearer dummy-token');
      }
      const rest = serve.urls.get('rest shipyard-api');
      if (rest) await checkRest(rest, step);
      const skills = serve.urls.get('skill shipyard-skills');
      if (skills) await checkSkills(skills.replace(/\/skills$/, ''), step);
      expect(await serve.stop()).toBe(0);
    } finally {
      if (serve.child.exitCode === null) await serve.stop();
    }
  });
});

async function checkMcp(mcp: McpSession, step: number): Promise<void> {
  const tools = new Map((await mcp.listTools()).map((t) => [t.name, t]));
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await mcp.callTool(name, args);
    expect(result.isError, `${name}: ${result.text}`).toBe(false);
    return result.output;
  };
  if (step === 1) {
    expect([...tools.keys()]).toEqual(['get-ship']);
    expect(await call('get-ship', { imo_number: 'IMO-9321483' })).toEqual(NORTHERN_STAR);
    return;
  }
  expect(tools.get('get-ship')!.inputSchema).toMatchObject({ type: 'object', required: ['imo'] });
  expect(await call('list-ships')).toEqual([NORTHERN_STAR, PACIFIC_DAWN]);
  expect(await call('list-ships', { status: 'maintenance' })).toEqual([PACIFIC_DAWN]);
  expect(await call('get-ship', { imo: 'IMO-9321483' })).toEqual(getShip(step));
  if (step >= 5) {
    expect(await call('list-legacy-vessels')).toEqual([OLD_FAITHFUL, IRON_MAIDEN]);
    expect(await call('list-legacy-vessels', { status: 'active' })).toEqual([OLD_FAITHFUL]);
    const sent = dockyard.requests.at(-1)!;
    expect(sent.headers['x-dock-key']).toBe('dummy-dockyard-key');
  }
  if (step >= 6) {
    expect(tools.get('create-voyage')!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    expect(await call('create-voyage', VOYAGE_INPUT)).toEqual(VOYAGE);
    const sent = registry.requests.findLast((r) => r.operationId === 'create-voyage')!;
    expect(JSON.parse(sent.body)).toEqual(VOYAGE_INPUT);
  }
  if (step >= 7) expect(await call('get-ship-with-crew', { imo: 'IMO-9321483' })).toEqual(SHIP_WITH_CREW);
  if (step === 9 || step === 10) {
    // Hints derived from the aggregate flow's semantics: safe → readOnly, idempotent → idempotent.
    expect(tools.get('get-ship-with-crew')!.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
  }
  if (step >= 11) expect(await call('get-voyage-manifest', { voyageId: 'VOY-2026-042' })).toEqual(MANIFEST);
}

async function checkRest(base: string, step: number): Promise<void> {
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    expect(response.status, path).toBe(200);
    return response.json();
  };
  expect(await get('/ships')).toEqual([NORTHERN_STAR, PACIFIC_DAWN]);
  expect(await get('/ships?status=maintenance')).toEqual([PACIFIC_DAWN]);
  expect(await get('/ships/IMO-9321483')).toEqual(getShip(step));
  expect(await get('/ships/IMO-9321483/crew')).toEqual(SHIP_WITH_CREW);
  expect(await get('/legacy/vessels')).toEqual([OLD_FAITHFUL, IRON_MAIDEN]);
  const created = await fetch(`${base}/voyages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(VOYAGE_INPUT) });
  expect(created.status).toBe(201);
  expect(await created.json()).toEqual(VOYAGE);
  if (step >= 11) expect(await get('/voyages/VOY-2026-042/manifest')).toEqual(FLAT_MANIFEST);
}

async function checkSkills(base: string, step: number): Promise<void> {
  const catalog = await fetch(`${base}/skills`);
  expect(catalog.status).toBe(200);
  const fleet = ['list-ships', 'get-ship', 'list-legacy-vessels', 'get-ship-with-crew'];
  const voyage = step >= 11 ? ['create-voyage', 'get-voyage-manifest'] : ['create-voyage'];
  expect(await catalog.json()).toEqual({
    count: 2,
    skills: [
      { name: 'fleet-ops', description: 'Fleet management — list, search, and inspect ships across all registries', tools: fleet },
      { name: 'voyage-ops', description: 'Voyage planning — create and manage voyages', tools: voyage },
    ],
  });
  const detail = await fetch(`${base}/skills/fleet-ops`);
  expect(detail.status).toBe(200);
  const body = (await detail.json()) as { name: string; tools: Array<Record<string, unknown>> };
  expect(body.name).toBe('fleet-ops');
  expect(body.tools.map((t) => t.name)).toEqual(fleet);
  expect(body.tools[1]).toEqual({
    name: 'get-ship',
    description: "Retrieve a ship's details by IMO number",
    type: 'derived',
    invocationRef: { targetNamespace: 'shipyard-tools', action: 'get-ship', mode: 'mcp' },
  });
  expect((await fetch(`${base}/skills/no-such-skill`)).status).toBe(404);
}
