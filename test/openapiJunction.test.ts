/**
 * `importOpenApi` on Junction's published OpenAPI documents: the imported Users capability sends the
 * requests of the conformance table, and the Org Management one its documented request.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, type Runtime } from '../runtime/index.js';
import { failure } from './support/failure.js';
import { fixture, importCapability, type Imported } from './support/importCapability.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { expectUsersWire, wire as sent, type ExpectedWire, type UsersWireCase } from './support/wire.js';

const table = JSON.parse(readFileSync(fixture('conformance/vital-users-wire.json'), 'utf8')) as { cases: UsersWireCase[] };
const API_KEY = 'conformance-key-7f3a';

/**
 * Four inputs of the table break constraints the published OpenAPI declares (the seed capability
 * declares none): `timeout` has minimum 5, undo-delete's `user_id` is a uuid, and both bodies lack
 * required fields. The imported capability refuses them before sending; with the constraints met it
 * sends the table's request.
 */
const CONSTRAINED: Record<string, { parameter: string; inputs: Record<string, unknown>; path?: string }> = {
  refresh_user_id_v2_user_refresh__user_id__post: { parameter: 'timeout', inputs: { user_id: 'u-123', timeout: 5 }, path: '/v2/user/refresh/u-123?timeout=5' },
  undo_user_delete_v2_user_undo_delete_post: {
    parameter: 'user_id',
    inputs: { user_id: '7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b' },
    path: '/v2/user/undo_delete?user_id=7f3c2a10-4b5d-4e6f-8a9b-0c1d2e3f4a5b',
  },
  create_insurance_v2_user__user_id__insurance_post: {
    parameter: 'body',
    inputs: {
      user_id: 'u-123',
      body: {
        member_id: 'M1',
        payor_code: 'P1',
        relationship: 'Self',
        insured: { first_name: 'Jane', last_name: 'Doe', gender: 'female', address: { first_line: '1 Main St', country: 'US', zip: '10001', city: 'New York', state: 'NY' }, dob: '1990-01-01', email: 'jane@example.com', phone_number: '+15550100' },
      },
    },
  },
  create_user_demographics_v2_user__user_id__info_patch: {
    parameter: 'body',
    inputs: {
      user_id: 'u-123',
      body: { first_name: 'Jane', last_name: 'Doe', email: 'jane@example.com', phone_number: '+15550100', gender: 'female', dob: '1990-01-01', address: { first_line: '1 Main St', country: 'US', zip: '10001', city: 'New York', state: 'NY' } },
    },
  },
};

let server: RecordingServer;
let users: Imported;
let runtime: Runtime;

beforeAll(async () => {
  server = await startRecordingServer(() => ({ body: { echoed: true } }));
  users = await importCapability(fixture('junction/openapi-users.json'), { namespace: 'users', secretEnv: 'VITAL_API_KEY' });
  runtime = createRuntime(users.capability, { env: { VITAL_API_KEY: API_KEY }, baseUri: server.url, retry: { limit: 0 } });
});

afterAll(async () => {
  runtime.close();
  await server.close();
});

function expectWire(wire: ExpectedWire): void {
  expect(server.requests).toHaveLength(1);
  expectUsersWire(server.requests[0], wire, API_KEY);
}

describe('the Junction Users OpenAPI imports into a capability that sends the conformance requests', () => {
  test('19 operations named by operationId, the first server as baseUri, the key bound to VITAL_API_KEY, no warning', () => {
    expect(users.diagnostics).toEqual([]);
    expect(new Set(users.capability.operations.map((o) => o.name))).toEqual(new Set(table.cases.map((c) => c.operation)));
    const consumes = (users.result.document.capability as { consumes: Array<Record<string, unknown>> }).consumes[0];
    expect(consumes.baseUri).toBe('https://api.us.junction.com');
    expect(consumes.description).toContain('https://api.sandbox.eu.junction.com');
    expect(consumes.authentication).toEqual({ type: 'apikey', key: 'x-vital-api-key', placement: 'header', value: '{{VITAL_API_KEY}}' });
    expect(users.result.yaml).not.toContain(API_KEY);
  });

  test('every resource path is exact: each placeholder is a declared path parameter', () => {
    for (const operation of users.capability.operations) {
      const placeholders = [...operation.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = Object.entries(operation.inputs.properties as Record<string, { 'x-in': string }>).filter(([, p]) => p['x-in'] === 'path').map(([n]) => n);
      expect(declared.sort()).toEqual(placeholders.sort());
    }
  });

  test.each(table.cases.map((c) => [c.operation, c] as const))('%s', async (name, wire) => {
    server.requests.length = 0;
    const constrained = CONSTRAINED[name];
    if (constrained) {
      const error = await failure(runtime.invoke(name, wire.inputs));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.toJSON().parameter).toBe(constrained.parameter);
      expect(server.requests).toHaveLength(0);
      const outputs = await runtime.invoke(name, constrained.inputs);
      expect(outputs).toEqual({ result: { echoed: true } });
      const body = constrained.inputs.body ?? null;
      expectWire({ method: wire.method, path: constrained.path ?? wire.path, body });
      return;
    }
    expect(await runtime.invoke(name, wire.inputs)).toEqual({ result: { echoed: true } });
    expectWire(wire);
  });

  test('limits from the document are checked before sending (limit has maximum 500)', async () => {
    server.requests.length = 0;
    const error = await failure(runtime.invoke('get_teams_users_v2_user_get', { limit: 501 }));
    expect(error.message).toContain("parameter 'limit'");
    expect(server.requests).toHaveLength(0);
  });
});

describe('--format ikanos: the beta5 output of the same import', () => {
  let ikanos: Imported;
  let ikanosRuntime: Runtime;

  beforeAll(async () => {
    ikanos = await importCapability(fixture('junction/openapi-users.json'), { namespace: 'users', secretEnv: 'VITAL_API_KEY', format: 'ikanos' });
    ikanosRuntime = createRuntime(ikanos.capability, { env: { VITAL_API_KEY: API_KEY }, baseUri: server.url, retry: { limit: 0 } });
  });
  afterAll(() => ikanosRuntime.close());

  /** The beta5 name (kebab-case) of a naftiko operation: the one with its method and path. */
  function ikanosName(name: string): string {
    const operation = users.capability.operations.find((o) => o.name === name)!;
    return ikanos.capability.operations.find((o) => o.method === operation.method && o.path === operation.path)!.name;
  }

  test('loads without warnings, all 19 operations', () => {
    expect(ikanos.result.document.ikanos).toBe('1.0.0-beta5');
    expect(ikanos.diagnostics).toEqual([]);
    expect(ikanos.capability.operations).toHaveLength(19);
  });

  test.each(table.cases.map((c) => [c.operation, c] as const))('%s sends exactly the request of the naftiko output', async (name, wire) => {
    // Beta5 carries no constraints: give both the inputs the naftiko output accepts.
    const inputs = CONSTRAINED[name]?.inputs ?? wire.inputs;
    server.requests.length = 0;
    await runtime.invoke(name, inputs);
    await ikanosRuntime.invoke(ikanosName(name), inputs);
    expect(server.requests).toHaveLength(2);
    expect(sent(server.requests[1])).toEqual(sent(server.requests[0]));
    server.requests.shift();
    expectWire({ method: wire.method, path: CONSTRAINED[name]?.path ?? wire.path, body: CONSTRAINED[name]?.inputs.body ?? wire.body });
  });
});

describe('the Org Management custom-credentials OpenAPI', () => {
  let org: Imported;
  let orgRuntime: Runtime;
  const PREPARE = 'prepare_team_custom_credentials_v1_org__org_id__prepare_team_custom_credentials__env___region__post';

  beforeAll(async () => {
    org = await importCapability(fixture('junction/openapi-org-custom-credentials.json'), { namespace: 'org-management' });
    orgRuntime = createRuntime(org.capability, { env: { ORG_MANAGEMENT_API_KEY: 'org-key-1' }, baseUri: server.url, retry: { limit: 0 } });
  });
  afterAll(() => orgRuntime.close());

  test('imports without warnings, the key bound to a variable named after the namespace', () => {
    expect(org.diagnostics).toEqual([]);
    expect(org.result.document.binds).toEqual([{ namespace: 'env', keys: { ORG_MANAGEMENT_API_KEY: 'ORG_MANAGEMENT_API_KEY' } }]);
  });

  test('prepare team custom credentials sends its POST with the path enums, the JSON body and the management key', async () => {
    server.requests.length = 0;
    const body = { team_id: '5d5b3c4e-1f1a-4f7e-9a39-0c7f8f1e2d3c', provider: 'oura' };
    await orgRuntime.invoke(PREPARE, { org_id: 'org-1', env: 'sandbox', region: 'eu', body });
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/org/org-1/prepare_team_custom_credentials/sandbox/eu');
    expect(request.headers['x-management-key']).toBe('org-key-1');
    expect(JSON.parse(request.body)).toEqual(body);
  });

  test('an environment outside the enum is refused before sending', async () => {
    server.requests.length = 0;
    const error = await failure(orgRuntime.invoke(PREPARE, { org_id: 'org-1', env: 'staging', region: 'eu', body: { team_id: 't', provider: 'oura' } }));
    expect(error.message).toContain("parameter 'env'");
    expect(server.requests).toHaveLength(0);
  });
});
