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
import { fixture, importCapability, type Imported } from './support/importCapability.js';
import { startOAuthServer, type OAuthServer } from './support/oauthServer.js';
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

/** A compiled plan as plain data: JSONPaths and templates as written. */
function plain(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (v !== null && typeof v === 'object' && 'evaluate' in v && 'expression' in v) return v.expression;
      if (v !== null && typeof v === 'object' && 'raw' in v && 'parts' in v) return v.raw;
      return v;
    }),
  );
}

/** What each operation declares about pages and jobs, as the runtime compiled it (defaults filled in). */
function behaviours(capability: Capability): Record<string, unknown> {
  return Object.fromEntries(capabilityInternals(capability).plans.map((plan) => [plan.name, { pagination: plain(plan.pagination), async: plain(plan.async) }]));
}

/** Exports `original`, imports the document again as users would, and checks it loads without warnings. */
async function roundTrip(original: Capability, label: string, secretEnv: string): Promise<Imported> {
  const file = join(folder, `${label}.openapi.json`);
  const { document } = exportOpenApi(original);
  await expectValidOpenApi(document);
  writeFileSync(file, JSON.stringify(document));
  const imported = await importCapability(file, { namespace: original.operations[0].namespace, secretEnv });
  expect(imported.diagnostics).toEqual([]);
  expect(imported.capability.operations.map((o) => o.name)).toEqual(original.operations.map((o) => o.name));
  return imported;
}

describe('round trip: capability → export → import sends the same requests and declares the same pages and jobs', () => {
  test.each(SHIPPED)('%s', async (name) => {
    const original = await load(name);
    const variable = Object.keys(capabilityInternals(original).binds[0].keys)[0];
    const imported = await roundTrip(original, name, variable);
    expect(behaviours(imported.capability)).toEqual(behaviours(original));

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

describe('pagination, jobs and OAuth2 client credentials in the exported document', () => {
  test('vitable-groups: pagination as x-speakeasy-pagination and x-naftiko-pagination, the job as a 202 linked to its poll operation', async () => {
    const paths = exportOpenApi(await load('vitable-groups.yaml')).document.paths as Record<string, Record<string, Record<string, unknown>>>;
    const list = paths['/v1/groups'].get;
    expect(list['x-speakeasy-pagination']).toEqual({
      type: 'offsetLimit',
      inputs: [
        { name: 'page', in: 'parameters', type: 'page' },
        { name: 'limit', in: 'parameters', type: 'limit' },
      ],
      outputs: { results: '$.data' },
    });
    expect(list['x-naftiko-pagination']).toEqual({ type: 'page', items: '$.data', limit: 'limit', page: 'page', total: '$.pagination.total', maxPages: 1000 });
    const submit = paths['/v1/groups/{group_id}/members/sync'].post;
    expect(Object.keys(submit.responses as object)).toEqual(['202']);
    expect((submit.responses as Record<string, { links: unknown }>)['202'].links).toEqual({
      'get-member-sync-request': {
        operationId: 'get-member-sync-request',
        parameters: { request_id: '$response.body#/data/request_id', group_id: '$request.path.group_id' },
        description: 'Poll the job until it is done ($.data.completed_at)',
      },
    });
    expect(submit['x-naftiko-async']).toEqual({
      id: '$.data.request_id',
      poll: { operation: 'get-member-sync-request', with: { request_id: '{{id}}' } },
      done: '$.data.completed_at',
      interval: 2000,
      maxInterval: 30000,
      backoff: 1.5,
      timeout: 1800000,
    });
  });

  describe('the rest of the vocabulary, against an authorization server', () => {
    let oauth: OAuthServer;
    beforeAll(async () => {
      oauth = await startOAuthServer({ 'vault-app': 'vault-s3cret' });
    });
    afterAll(() => oauth.close());

    test('OAuth2 as a clientCredentials flow, Link-header pagination, a job whose poll input no link can give: same declarations, same requests', async () => {
      const original = await loadCapability(fixture('openapi/round-trip-behaviours.yaml'));
      const { document, report } = exportOpenApi(original);
      expect(document.components).toEqual({
        securitySchemes: {
          'vault-oauth2': {
            type: 'oauth2',
            flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: { 'secrets.read': '', 'exports.write': '' } } },
            'x-naftiko-audience': 'https://vault.example.com',
            'x-naftiko-client-authentication': 'body',
          },
        },
      });
      expect(document.security).toEqual([{ 'vault-oauth2': ['secrets.read', 'exports.write'] }]);
      expect(report.map((e) => e.message)).toEqual(["the 202 response has no OpenAPI link to 'get-export': its input 'export_id' (archive-{{id}}) has no runtime expression; x-naftiko-async describes the job"]);

      const imported = await roundTrip(original, 'round-trip-behaviours', 'VAULT');
      expect(behaviours(imported.capability)).toEqual(behaviours(original));
      const auth = (capability: Capability) => plain(capabilityInternals(capability).plans[0].auth);
      expect(auth(imported.capability)).toEqual(auth(original));

      const env = { VAULT_CLIENT_ID: 'vault-app', VAULT_CLIENT_SECRET: 'vault-s3cret' };
      const calls: Array<[string, Record<string, unknown>]> = [
        ['list-secrets', {}],
        ['search-secrets', { query: 'db' }],
        ['start-export', { vault: 'v1' }],
        ['start-archive', { vault: 'v1' }],
        ['get-export', { vault: 'v1', export_id: 'e1' }],
      ];
      const requests = [];
      for (const capability of [original, imported.capability]) {
        oauth.reset();
        const runtime = createRuntime(capability, { env, baseUri: oauth.url, retry: { limit: 0 } });
        try {
          for (const [name, inputs] of calls) await runtime.invoke(name, inputs);
        } finally {
          runtime.close();
        }
        requests.push({ token: oauth.tokenRequests.map((r) => [r.url, r.headers.authorization, r.body]), api: oauth.apiRequests.map((r) => [r.method, r.url, r.headers.authorization, r.body, r.status]) });
      }
      expect(requests[0].token).toHaveLength(1);
      expect(requests[0].api).toHaveLength(calls.length);
      expect(requests[1]).toEqual(requests[0]);
    });
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
