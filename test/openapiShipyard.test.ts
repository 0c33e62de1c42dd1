/**
 * The two Shipyard APIs of the Ikanos tutorial, imported from their OpenAPI files and called against
 * a local stand-in that answers with the files' own examples.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, type Runtime } from '../runtime/index.js';
import { fixture, importCapability, type Imported } from './support/importCapability.js';
import { startOpenApiStandIn } from './support/openapiStandIn.js';
import type { RecordingServer } from './support/recordingServer.js';
import { wire as sent } from './support/wire.js';

const REGISTRY = 'openapi/shipyard/naftiko-shipyard-maritime-registry-api.yaml';
const DOCKYARD = 'openapi/shipyard/naftiko-shipyard-legacy-dockyard-api.yaml';

const VOYAGE = { shipImo: 'IMO-9321483', departurePort: 'Oslo', arrivalPort: 'Singapore', departureDate: '2026-04-10T08:00:00Z', arrivalDate: '2026-05-02T14:00:00Z', crewIds: ['CREW-001'] };

/**
 * The `--format ikanos` output of the same document loads without warnings, and each call sends the
 * request of the naftiko output and gets the same outputs.
 */
function sameAsIkanos(path: string, options: { namespace: string; secretEnv: string; env: Record<string, string> }, calls: Array<[string, Record<string, unknown>]>): void {
  describe('the --format ikanos output', () => {
    let standIn: RecordingServer;
    let naftiko: Imported;
    let ikanos: Imported;
    const runtimes: Runtime[] = [];

    beforeAll(async () => {
      standIn = await startOpenApiStandIn(readFileSync(fixture(path), 'utf8'));
      naftiko = await importCapability(fixture(path), options);
      ikanos = await importCapability(fixture(path), { ...options, format: 'ikanos' });
      for (const imported of [naftiko, ikanos]) runtimes.push(createRuntime(imported.capability, { env: options.env, baseUri: standIn.url, retry: { limit: 0 } }));
    });
    afterAll(async () => {
      for (const runtime of runtimes) runtime.close();
      await standIn.close();
    });

    test('loads without warnings, every operation', () => {
      expect(ikanos.result.document.ikanos).toBe('1.0.0-beta5');
      expect(ikanos.diagnostics).toEqual([]);
      expect(ikanos.capability.operations.map((o) => `${o.method} ${o.path}`)).toEqual(naftiko.capability.operations.map((o) => `${o.method} ${o.path}`));
    });

    test.each(calls)('%s sends exactly the request of the naftiko output', async (name, inputs) => {
      const operation = naftiko.capability.operations.find((o) => o.name === name)!;
      const twin = ikanos.capability.operations.find((o) => o.method === operation.method && o.path === operation.path)!;
      standIn.requests.length = 0;
      const expected = await runtimes[0].invoke(name, inputs);
      expect(await runtimes[1].invoke(twin.name, inputs)).toEqual(expected);
      expect(standIn.requests).toHaveLength(2);
      expect(sent(standIn.requests[1])).toEqual(sent(standIn.requests[0]));
    });
  });
}

describe('Maritime Registry', () => {
  let standIn: RecordingServer;
  let registry: Imported;
  let runtime: Runtime;

  beforeAll(async () => {
    standIn = await startOpenApiStandIn(readFileSync(fixture(REGISTRY), 'utf8'));
    registry = await importCapability(fixture(REGISTRY), { namespace: 'registry', secretEnv: 'REGISTRY_TOKEN' });
    runtime = createRuntime(registry.capability, { env: { REGISTRY_TOKEN: 'reg-token' }, baseUri: standIn.url, retry: { limit: 0 } });
  });
  afterAll(async () => {
    runtime.close();
    await standIn.close();
  });

  test('imports the 7 operations with no warning and nothing to report', () => {
    expect(registry.diagnostics).toEqual([]);
    expect(registry.result.report).toEqual([]);
    expect(registry.capability.operations.map((o) => o.name)).toEqual(['list-ships', 'get-ship', 'refresh-crew', 'create-voyage', 'get-voyage', 'list-crew', 'list-cargo']);
  });

  test('list-ships filtered by status answers the matching example, with the bearer token and the version header', async () => {
    standIn.requests.length = 0;
    const { result } = await runtime.invoke('list-ships', { status: 'active', 'Registry-Version': '2024-01-01' });
    expect(result).toEqual([{ imo_number: 'IMO-9321483', vessel_name: 'Northern Star', vessel_type: 'cargo', flag_code: 'NO', operational_status: 'active' }]);
    expect(standIn.requests[0].url).toBe('/ships?status=active');
    expect(standIn.requests[0].headers.authorization).toBe('Bearer reg-token');
    expect(standIn.requests[0].headers['registry-version']).toBe('2024-01-01');
  });

  test('get-ship reads one ship by its path parameter', async () => {
    const { result } = (await runtime.invoke('get-ship', { imo_number: 'IMO-9456781' })) as { result: Record<string, unknown> };
    expect(result.vessel_name).toBe('Pacific Dawn');
    expect(result.dimensions).toEqual({ length_overall: 274, beam: 48, draft: 16.0 });
  });

  test('create-voyage sends the checked JSON body and gets the created voyage', async () => {
    const body = VOYAGE;
    const { result } = (await runtime.invoke('create-voyage', { body })) as { result: Record<string, unknown> };
    expect(result).toMatchObject({ voyageId: 'VOY-2026-042', shipImo: 'IMO-9321483', departurePort: 'Oslo', status: 'planned' });
    const { crewIds: _omitted, ...incomplete } = body;
    await expect(runtime.invoke('create-voyage', { body: incomplete })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  test('refresh-crew answers 204: no output', async () => {
    expect(await runtime.invoke('refresh-crew', { imo_number: 'IMO-9876543' })).toEqual({ result: null });
  });

  test('get-voyage, list-crew and list-cargo answer their examples', async () => {
    expect(((await runtime.invoke('get-voyage', { voyageId: 'VOY-2026-042' })) as { result: { arrivalPort: string } }).result.arrivalPort).toBe('Singapore');
    expect(((await runtime.invoke('list-crew', {})) as { result: unknown[] }).result).toHaveLength(4);
    expect(((await runtime.invoke('list-cargo', {})) as { result: Array<{ hazardous: boolean }> }).result.map((c) => c.hazardous)).toEqual([false, false, true]);
  });

  test('a status outside the enum never reaches the API', async () => {
    standIn.requests.length = 0;
    await expect(runtime.invoke('list-ships', { status: 'sunk' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    expect(standIn.requests).toHaveLength(0);
  });
  sameAsIkanos(REGISTRY, { namespace: 'registry', secretEnv: 'REGISTRY_TOKEN', env: { REGISTRY_TOKEN: 'reg-token' } }, [
    ['list-ships', { status: 'active', 'Registry-Version': '2024-01-01' }],
    ['get-ship', { imo_number: 'IMO-9456781' }],
    ['refresh-crew', { imo_number: 'IMO-9876543' }],
    ['create-voyage', { body: VOYAGE }],
    ['get-voyage', { voyageId: 'VOY-2026-042' }],
    ['list-crew', {}],
    ['list-cargo', {}],
  ]);
});

describe('Legacy Dockyard (XML)', () => {
  let standIn: RecordingServer;
  let dockyard: Imported;
  let runtime: Runtime;

  beforeAll(async () => {
    standIn = await startOpenApiStandIn(readFileSync(fixture(DOCKYARD), 'utf8'));
    dockyard = await importCapability(fixture(DOCKYARD), { namespace: 'legacy', secretEnv: 'DOCKYARD_API_KEY' });
    runtime = createRuntime(dockyard.capability, { env: { DOCKYARD_API_KEY: 'dock-key' }, baseUri: standIn.url, retry: { limit: 0 } });
  });
  afterAll(async () => {
    runtime.close();
    await standIn.close();
  });

  test('imports XML operations with the X-Dock-Key API key and no warning', () => {
    expect(dockyard.diagnostics).toEqual([]);
    const operations = dockyard.result.model.resources.flatMap((r) => r.operations);
    expect(operations.map((o) => [o.name, o.output.format])).toEqual([
      ['list-vessels', 'xml'],
      ['get-vessel', 'xml'],
      ['list-personnel', 'xml'],
    ]);
  });

  test('list-vessels filtered by status reads the XML example as JSON', async () => {
    standIn.requests.length = 0;
    const { result } = await runtime.invoke('list-vessels', { status: 'laid_up' });
    expect(result).toEqual({ vessels: { vessel: { vesselCode: 'LEGACY-2087', vesselName: 'Iron Maiden', category: 'bulk_carrier', flagState: 'PA', operationalStatus: 'laid_up' } } });
    expect(standIn.requests[0].headers['x-dock-key']).toBe('dock-key');
  });

  test('get-vessel and list-personnel answer their examples', async () => {
    expect(((await runtime.invoke('get-vessel', { vesselCode: 'LEGACY-4012' })) as { result: { vessel: { homePort: string } } }).result.vessel.homePort).toBe('Liverpool');
    const { result } = (await runtime.invoke('list-personnel', {})) as { result: { personnel: { employee: unknown[] } } };
    expect(result.personnel.employee).toHaveLength(2);
  });

  sameAsIkanos(DOCKYARD, { namespace: 'legacy', secretEnv: 'DOCKYARD_API_KEY', env: { DOCKYARD_API_KEY: 'dock-key' } }, [
    ['list-vessels', { status: 'laid_up' }],
    ['get-vessel', { vesselCode: 'LEGACY-4012' }],
    ['list-personnel', {}],
  ]);
});
