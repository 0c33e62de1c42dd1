/**
 * `exportOpenApi`: valid OpenAPI 3.1 for the shipped capabilities and for REST exposes, and the round
 * trip capability → export → import that sends the same requests as the original.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, type Capability, type JsonSchema } from '../runtime/index.js';
import { exportOpenApi } from '../runtime/openapi/index.js';
import { capabilityInternals } from '../runtime/internal.js';
import { fixture, importCapability } from './support/importCapability.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { wire } from './support/wire.js';

const SHIPPED = ['vital-users.yaml', 'vital-insurance.yaml', 'vital-org-management.yaml', 'vitable-groups.yaml'];
const folder = mkdtempSync(join(tmpdir(), 'naftiko-export-'));

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer(() => ({ body: { ok: true } }));
});
afterAll(() => server.close());

async function load(name: string): Promise<Capability> {
  return loadCapability(new URL(`../capabilities/${name}`, import.meta.url));
}

async function expectValidOpenApi(document: unknown): Promise<void> {
  const result = await new Validator().validate(document as Record<string, unknown>);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
}

/** A value for a schema: enums and consts first, bounds respected, required properties filled. */
function sample(schema: JsonSchema, name: string): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const variant = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (variant) return sample(variant[0], name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  const within = (fallback: number) => Math.min(Math.max(fallback, Number(schema.minimum ?? -Infinity)), Number(schema.maximum ?? Infinity));
  switch (type) {
    case 'integer':
      return within(3);
    case 'number':
      return within(2.5);
    case 'boolean':
      return true;
    case 'array':
      return [sample((schema.items ?? { type: 'string' }) as JsonSchema, name)];
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      if (Object.keys(properties).length === 0) return { note: `for ${name}` };
      const required = (schema.required ?? Object.keys(properties)) as string[];
      return Object.fromEntries(required.map((key) => [key, sample(properties[key] ?? {}, key)]));
    }
    default:
      return `${name}-1`;
  }
}

/** Every input of an operation, optional ones included, from its input schema. */
function inputsFor(inputs: JsonSchema): Record<string, unknown> {
  const properties = (inputs.properties ?? {}) as Record<string, JsonSchema>;
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, sample(schema, name)]));
}

describe('export openapi on the shipped capabilities', () => {
  test.each(SHIPPED)('%s exports valid OpenAPI 3.1 with nothing left out', async (name) => {
    const { document, report } = exportOpenApi(await load(name));
    await expectValidOpenApi(document);
    expect(report).toEqual([]);
    expect(document.openapi).toBe('3.1.0');
  });

  test('paths are the ones the runtime sends, appended path parameters included', async () => {
    const { document } = exportOpenApi(await load('vital-users.yaml'));
    const paths = document.paths as Record<string, Record<string, { operationId: string }>>;
    expect(paths['/v2/user/{user_id}'].get.operationId).toBe('get_user_v2_user__user_id__get');
    expect(document.components).toEqual({ securitySchemes: { 'users-apiKey': { type: 'apiKey', in: 'header', name: 'X-Vital-API-Key' } } });
  });

  test('several body parameters become one object schema marked for the round trip', async () => {
    const { document } = exportOpenApi(await load('vital-org-management.yaml'));
    const operation = (document.paths as Record<string, Record<string, Record<string, unknown>>>)['/v1/org/{org_id}/prepare_team_custom_credentials/{env}/{region}'].post;
    const requestBody = operation.requestBody as { content: Record<string, { schema: JsonSchema }>; 'x-naftiko-body-parameters': boolean };
    expect(requestBody['x-naftiko-body-parameters']).toBe(true);
    expect(requestBody.content['application/json'].schema.required).toEqual(['team_id', 'provider']);
  });
});

describe('round trip: capability → export → import sends the same requests', () => {
  test.each(SHIPPED)('%s', async (name) => {
    const original = await load(name);
    const variable = Object.keys(capabilityInternals(original).binds[0].keys)[0];
    const namespace = original.operations[0].namespace;
    const file = join(folder, `${name}.openapi.json`);
    writeFileSync(file, JSON.stringify(exportOpenApi(original).document));
    const imported = await importCapability(file, { namespace, secretEnv: variable });
    expect(imported.diagnostics).toEqual([]);
    expect(imported.capability.operations.map((o) => o.name)).toEqual(original.operations.map((o) => o.name));

    const env = { [variable]: 'round-trip-secret' };
    const before = createRuntime(original, { env, baseUri: server.url, retry: { limit: 0 } });
    const after = createRuntime(imported.capability, { env, baseUri: server.url, retry: { limit: 0 } });
    try {
      for (const operation of original.operations) {
        // Every input, then only the required ones (defaults must be sent alike).
        const all = inputsFor(operation.inputs);
        const required = new Set((operation.inputs.required ?? []) as string[]);
        for (const inputs of [all, Object.fromEntries(Object.entries(all).filter(([k]) => required.has(k)))]) {
          server.requests.length = 0;
          await before.invoke(operation.name, inputs);
          await after.invoke(operation.name, inputs);
          expect(server.requests).toHaveLength(2);
          expect(wire(server.requests[1]), operation.name).toEqual(wire(server.requests[0]));
        }
      }
    } finally {
      before.close();
      after.close();
    }
  });
});

describe('export openapi --exposes', () => {
  test('adds the REST routes at the expose address with their inputs and authentication, and reports forward routes', async () => {
    const capability = await loadCapability(fixture('expose/rest-features.yaml'));
    const { document, report } = exportOpenApi(capability, { exposes: true });
    await expectValidOpenApi(document);
    const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
    const fleet = paths['/fleet'].get;
    expect(fleet.servers).toEqual([{ url: 'http://0.0.0.0:3100' }]);
    expect(fleet.security).toEqual([{ 'fleet-bearer': [] }]);
    expect((fleet.parameters as Array<{ name: string; in: string }>).map((p) => `${p.in}:${p.name}`)).toContain('query:status');
    expect(report.map((e) => e.message)).toEqual(["a forward route to 'registry' takes any method and path below it; it is left out"]);
  });
});

describe('a capability that consumes several APIs', () => {
  test('gives each operation its own server and security, tagged with its namespace', async () => {
    const capability = await loadCapability(fixture('naftiko-alpha2/examples/step-7-shipyard-orchestrated-lookup.yml'));
    const { document, report } = exportOpenApi(capability);
    await expectValidOpenApi(document);
    expect(document.servers).toBeUndefined();
    const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
    expect(paths['/vessels'].get).toMatchObject({
      tags: ['legacy'],
      servers: [{ url: 'https://mocks.naftiko.net/rest/naftiko-shipyard-legacy-dockyard-api/1.0.0-alpha2' }],
      security: [{ 'legacy-apiKey': [] }],
    });
    expect(paths['/ships'].get).toMatchObject({ tags: ['registry'], security: [{ 'registry-bearer': [] }] });
    expect(report.map((e) => e.message)).toContain("header parameter 'Registry-Version' is filled from {{REGISTRY_VERSION}}; it is left out");
  });
});
