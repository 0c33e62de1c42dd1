import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, type Runtime } from '../runtime/index.js';
import { SANDBOX_API_KEY, SANDBOX_ORG_KEY, startJunctionSandbox, type JunctionSandbox } from '../sandbox/junction.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { failure } from './support/failure.js';

const capability = (name: string) => loadCapability(new URL(`../capabilities/${name}`, import.meta.url));

const insured = {
  first_name: 'Jane',
  last_name: 'Doe',
  gender: 'female',
  dob: '1990-04-01',
  email: 'jane@example.com',
  phone_number: '+15555550100',
  address: { first_line: '1 Main St', second_line: null, city: 'Springfield', state: 'IL', zip: '62701', country: 'US' },
};

describe('every shipped capability loads', () => {
  test.each([
    ['vital-users.yaml', 19, 6],
    ['vital-insurance.yaml', 2, 0],
    ['vital-org-management.yaml', 1, 0],
    ['vitable-groups.yaml', 6, 0],
  ])('%s has %i operations and %i warnings', async (file, operations, warnings) => {
    const loaded = await capability(file);
    expect(loaded.operations).toHaveLength(operations);
    expect(loaded.warnings).toHaveLength(warnings);
  });
});

describe('Junction users and insurance against the sandbox', () => {
  let sandbox: JunctionSandbox;
  let runtime: Runtime;
  beforeAll(async () => {
    sandbox = await startJunctionSandbox();
    runtime = createRuntime([await capability('vital-users.yaml'), await capability('vital-insurance.yaml')], {
      env: { VITAL_API_KEY: SANDBOX_API_KEY },
      baseUri: sandbox.url,
    });
  });
  afterAll(async () => {
    runtime.close();
    await sandbox.close();
  });

  test('create a user, add insurance, read it back by name', async () => {
    const { result: user } = (await runtime.invoke('create_user_v2_user_post', { body: { client_user_id: 'cap-test-1' } })) as { result: { user_id: string } };
    expect(user.user_id).toMatch(/^[0-9a-f-]{36}$/);
    const created = await runtime.invoke('insurance.create-insurance', {
      user_id: user.user_id,
      body: { payor_code: 'AETNA', member_id: 'M-1', relationship: 'Self', insured, group_id: null },
    });
    expect(created).toMatchObject({ member_id: 'M-1', payor_code: 'AETNA', relationship: 'Self', is_primary: true });
    const latest = await runtime.invoke('get-latest-insurance', { user_id: user.user_id });
    expect(latest.member_id).toBe('M-1');
    expect((latest.insured as { first_name: string }).first_name).toBe('Jane');
    expect(sandbox.requests.at(-1)!.path).toBe(`/v2/user/${user.user_id}/insurance/latest?is_primary=true`);
  });

  test('the insurance body schema is enforced before sending, naming the JSON pointer', async () => {
    const before = sandbox.requests.length;
    const error = await failure(
      runtime.invoke('insurance.create-insurance', {
        user_id: 'u-1',
        body: { payor_code: 'AETNA', member_id: 'M-1', relationship: 'Cousin', insured: { ...insured, first_name: undefined, gender: 'x' } },
      }),
    );
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain("parameter 'body'");
    expect(error.message).toContain('at /relationship: must be one of "Self", "Spouse", "Other"');
    expect(error.message).toContain('at /insured/first_name: is required');
    expect(sandbox.requests.length).toBe(before);
  });

  test('an unknown user is an HTTP_ERROR carrying the API error body', async () => {
    const error = await failure(runtime.invoke('get-latest-insurance', { user_id: 'nobody' }));
    expect(error.toJSON()).toMatchObject({ code: 'HTTP_ERROR', status: 404, method: 'GET' });
  });
});

describe('Junction org management', () => {
  let sandbox: JunctionSandbox;
  let runtime: Runtime;
  beforeAll(async () => {
    sandbox = await startJunctionSandbox();
    runtime = createRuntime(await capability('vital-org-management.yaml'), {
      env: { VITAL_ORG_KEY: SANDBOX_ORG_KEY },
      baseUris: { 'org-management': `${sandbox.url}/management` },
    });
  });
  afterAll(async () => {
    runtime.close();
    await sandbox.close();
  });
  const orgId = '4b6f8f3e-6c1e-4a3b-9d59-2f1c0c3e8a11';
  const teamId = '9d0c2f1e-7a4b-4c3d-8e5f-1a2b3c4d5e6f';

  test('prepares custom credentials with a POST and the org key', async () => {
    const outputs = await runtime.invoke('prepare-team-custom-credentials', { org_id: orgId, env: 'sandbox', region: 'eu', team_id: teamId, provider: 'oura' });
    expect(outputs.result).toBeTypeOf('object');
    const [request] = sandbox.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/management/v1/org/${orgId}/prepare_team_custom_credentials/sandbox/eu`);
    expect(request.headers['x-vital-org-key']).toBe(SANDBOX_ORG_KEY);
    expect(request.body).toEqual({ team_id: teamId, provider: 'oura' });
  });

  test('enums of env, region and provider are checked before sending', async () => {
    const before = sandbox.requests.length;
    for (const [field, value] of [
      ['env', 'staging'],
      ['region', 'apac'],
      ['provider', 'myspace'],
    ]) {
      const error = await failure(runtime.invoke('prepare-team-custom-credentials', { org_id: orgId, env: 'sandbox', region: 'us', team_id: teamId, provider: 'oura', [field]: value }));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.message).toContain(`parameter '${field}'`);
    }
    expect(runtime.find('prepare-team-custom-credentials').inputs.properties).toMatchObject({ provider: { enum: expect.arrayContaining(['oura', 'fitbit', 'garmin']) } });
    expect(((runtime.find('prepare-team-custom-credentials').inputs.properties as Record<string, { enum: string[] }>).provider.enum)).toHaveLength(37);
    expect(sandbox.requests.length).toBe(before);
  });
});

describe('Vitable groups', () => {
  let server: RecordingServer;
  let runtime: Runtime;
  const TOKEN = 'vitable-test-token';
  beforeAll(async () => {
    server = await startRecordingServer();
    runtime = createRuntime(await capability('vitable-groups.yaml'), { env: { VITABLE_CONNECT_API_KEY: TOKEN }, baseUri: server.url });
  });
  afterAll(async () => {
    runtime.close();
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  test('lists groups with the documented defaults and a bearer token', async () => {
    server.handler = () => ({ body: { data: [{ id: 'grp_1', name: 'Acme' }], pagination: { page: 1, limit: 20, total: 1, total_pages: 1 } } });
    const outputs = await runtime.invoke('list-groups');
    expect(outputs).toMatchObject({ groups: [{ id: 'grp_1', name: 'Acme' }], page: 1, limit: 20, total: 1, total_pages: 1 });
    expect(server.requests[0].url).toBe('/v1/groups?page=1&limit=20');
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    const error = await failure(runtime.invoke('list-groups', { limit: 500 }));
    expect(error.code).toBe('INPUT_INVALID');
    expect(server.requests).toHaveLength(1);
  });

  test('creates, reads and updates a group', async () => {
    server.handler = (r) => ({ status: r.method === 'POST' ? 201 : 200, body: { data: { id: 'grp_9', name: 'Acme', external_reference_id: 'ext-1', ...(r.body ? JSON.parse(r.body) : {}) } } });
    expect(await runtime.invoke('create-group', { name: 'Acme', external_reference_id: 'ext-1' })).toMatchObject({ id: 'grp_9', name: 'Acme' });
    expect(JSON.parse(server.requests[0].body)).toEqual({ external_reference_id: 'ext-1', name: 'Acme' });
    expect((await runtime.invoke('get-group', { group_id: 'grp_9' })).id).toBe('grp_9');
    await runtime.invoke('update-group', { group_id: 'grp_9', name: 'Acme 2' });
    expect(server.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(['POST /v1/groups {"external_reference_id":"ext-1","name":"Acme"}', 'GET /v1/groups/grp_9 ', 'PATCH /v1/groups/grp_9 {"name":"Acme 2"}']);
  });

  test('submits a member sync (202) and polls the request until completed_at is set', async () => {
    const member = { reference_id: 'emp-1', first_name: 'A', last_name: 'B', date_of_birth: '1990-01-01', phone: '+15555550100', plan_id: 'pln_1', address: { address_line_1: '1 Main', city: 'X', state: 'CA', zipcode: '90001' } };
    let polls = 0;
    server.handler = (r) => {
      if (r.method === 'POST') return { status: 202, body: { data: { request_id: 'grpmsr_1', group_id: 'grp_9', accepted_at: '2026-11-23T10:00:00Z' } } };
      polls += 1;
      return { body: { data: { request_id: 'grpmsr_1', group_id: 'grp_9', accepted_at: '2026-11-23T10:00:00Z', completed_at: polls < 2 ? null : '2026-11-23T10:00:05Z', results: polls < 2 ? null : { added_group_member_ids: ['gm_1'], removed_group_member_ids: [], failures: [] } } } };
    };
    const submitted = await runtime.invoke('submit-member-sync', { group_id: 'grp_9', body: { members: [member] } });
    expect(submitted).toMatchObject({ request_id: 'grpmsr_1', group_id: 'grp_9' });
    expect(JSON.parse(server.requests[0].body)).toEqual({ members: [member] });
    let status = await runtime.invoke('get-member-sync-request', { group_id: 'grp_9', request_id: 'grpmsr_1' });
    expect(status.completed_at).toBeNull();
    status = await runtime.invoke('get-member-sync-request', { group_id: 'grp_9', request_id: 'grpmsr_1' });
    expect(status).toMatchObject({ completed_at: '2026-11-23T10:00:05Z', added_group_member_ids: ['gm_1'] });
    expect(server.requests[1].url).toBe('/v1/groups/grp_9/members/sync/grpmsr_1');
  });
});

describe('defaultHeaders of generated files', () => {
  test('are sent with every request of the namespace (Conekta)', async () => {
    const conekta = await loadCapability(new URL('fixtures/corpus/api-evangelist__conekta/capabilities/customers.yaml', import.meta.url));
    const runtime = createRuntime(conekta, { env: { CONEKTA_API_KEY: 'key_test_123' } });
    const operation = conekta.operations.find((o) => o.method === 'GET' && !(o.inputs.required as string[] | undefined)?.length)!;
    const prepared = runtime.prepare(operation.id);
    expect(prepared.headers).toMatchObject({ 'Accept-Language': 'es', Accept: 'application/vnd.conekta-v2.2.0+json' });
    expect(prepared.headers.accept).toBeUndefined();
    runtime.close();
  });
});
