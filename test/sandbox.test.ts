import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { SANDBOX_API_KEY, SANDBOX_ORG_KEY, startJunctionSandbox, type JunctionSandbox } from '../sandbox/junction.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$/;
const MISSING_USER = '00000000-0000-4000-8000-000000000000';

const address = { first_line: '1 Main St', country: 'US', zip: '10001', city: 'New York', state: 'NY' };
const filledAddress = { ...address, second_line: '', access_notes: null };
const insured = { first_name: 'Jane', last_name: 'Doe', gender: 'female', address, dob: '1990-01-02', email: 'jane@example.com', phone_number: '+15555550100' };
const insurance = { payor_code: 'AETNA', member_id: 'M1', relationship: 'Self', insured };
const demographics = { first_name: 'Jane', last_name: 'Doe', email: 'jane@example.com', phone_number: '+15555550100', gender: 'female', dob: '1990-01-02', address };

let sandbox: JunctionSandbox;

beforeAll(async () => {
  sandbox = await startJunctionSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

interface ApiOptions {
  /** JSON body. */
  body?: unknown;
  /** Body sent verbatim. */
  raw?: string;
  /** Team key; null sends none. */
  key?: string | null;
  orgKey?: string;
}

async function api(method: string, path: string, options: ApiOptions = {}) {
  const headers: Record<string, string> = {};
  if (options.key !== null) headers['X-Vital-API-Key'] = options.key ?? SANDBOX_API_KEY;
  if (options.orgKey !== undefined) headers['X-Vital-Org-Key'] = options.orgKey;
  let payload: string | undefined = options.raw;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(sandbox.url + path, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as any), text, headers: res.headers };
}

async function createUser(clientUserId = 'client-1', extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/v2/user', { body: { client_user_id: clientUserId, ...extra } });
  expect(res.status).toBe(200);
  return res.body;
}

describe('auth and routing', () => {
  test('a missing or wrong API key is 401 with a string detail', async () => {
    expect(await api('GET', '/v2/user', { key: null })).toMatchObject({ status: 401, body: { detail: 'invalid token' } });
    expect(await api('GET', '/v2/user', { key: 'nope' })).toMatchObject({ status: 401, body: { detail: 'invalid token' } });
  });

  test('a custom key replaces the default one', async () => {
    const other = await startJunctionSandbox({ apiKey: 'custom' });
    try {
      expect((await fetch(`${other.url}/v2/user`, { headers: { 'X-Vital-API-Key': 'custom' } })).status).toBe(200);
      expect((await fetch(`${other.url}/v2/user`, { headers: { 'X-Vital-API-Key': SANDBOX_API_KEY } })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  test('unknown routes are 404 and known paths with the wrong method 405', async () => {
    expect(await api('GET', '/v2/nothing')).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    expect(await api('GET', '/v2/user/')).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    expect(await api('PUT', '/v2/user')).toMatchObject({ status: 405, body: { detail: 'Method Not Allowed' } });
  });
});

describe('users', () => {
  test('create returns 200 with a ClientFacingUser', async () => {
    const user = await createUser('client-1', { fallback_time_zone: 'Europe/London', fallback_birth_date: '1989-09-12' });
    expect(user).toEqual({
      user_id: expect.stringMatching(UUID),
      team_id: expect.stringMatching(UUID),
      client_user_id: 'client-1',
      created_on: expect.stringMatching(TIMESTAMP),
      connected_sources: [],
      fallback_time_zone: { id: 'Europe/London', source_slug: 'manual', updated_at: expect.stringMatching(TIMESTAMP) },
      fallback_birth_date: { value: '1989-09-12', source_slug: 'manual', updated_at: expect.stringMatching(TIMESTAMP) },
      ingestion_start: null,
      ingestion_end: null,
    });
  });

  test('a duplicate client_user_id is 400 with the holder', async () => {
    const user = await createUser('dup');
    const res = await api('POST', '/v2/user', { body: { client_user_id: 'dup' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      detail: { error_type: 'INVALID_REQUEST', error_message: 'Client user id already exists.', user_id: user.user_id, created_on: user.created_on },
    });
  });

  test('body validation errors are FastAPI 422s', async () => {
    expect(await api('POST', '/v2/user', { body: {} })).toMatchObject({
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body', 'client_user_id'], msg: 'Field required', input: {} }] },
    });
    expect((await api('POST', '/v2/user', { body: { client_user_id: 7, fallback_birth_date: '12/09/1989' } })).body).toEqual({
      detail: [
        { type: 'string_type', loc: ['body', 'client_user_id'], msg: 'Input should be a valid string', input: 7 },
        {
          type: 'date_from_datetime_parsing',
          loc: ['body', 'fallback_birth_date'],
          msg: 'Input should be a valid date or datetime, invalid character in year',
          input: '12/09/1989',
          ctx: { error: 'invalid character in year' },
        },
      ],
    });
    expect((await api('POST', '/v2/user', { body: { client_user_id: 'x', fallback_time_zone: 'Mars/Base' } })).body.detail[0]).toMatchObject({
      type: 'value_error',
      loc: ['body', 'fallback_time_zone'],
    });
    expect((await api('POST', '/v2/user')).body).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
    expect((await api('POST', '/v2/user', { body: ['client_user_id'] })).body.detail[0].type).toBe('model_attributes_type');
  });

  test('malformed JSON is a 422 json_invalid', async () => {
    const res = await api('POST', '/v2/user', { raw: '{"client_user_id": ' });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 19], msg: 'JSON decode error' });
  });

  test('get by id, unknown id 404, malformed id 422', async () => {
    const user = await createUser();
    expect(await api('GET', `/v2/user/${user.user_id}`)).toMatchObject({ status: 200, body: user });
    expect(await api('GET', `/v2/user/${user.user_id.toUpperCase()}`)).toMatchObject({ status: 200, body: user });
    expect(await api('GET', `/v2/user/${MISSING_USER}`)).toMatchObject({ status: 404, body: { detail: 'User not found.' } });
    const bad = await api('GET', '/v2/user/u-123');
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toEqual([
      {
        type: 'uuid_parsing',
        loc: ['path', 'user_id'],
        msg: 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `u` at 1',
        input: 'u-123',
        ctx: { error: 'invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `u` at 1' },
      },
    ]);
  });

  test('list paginates with offset/limit defaults 0/100 and max 500', async () => {
    for (const id of ['a', 'b', 'c']) await createUser(id);
    const all = await api('GET', '/v2/user');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, offset: 0, limit: 100 });
    expect(all.body.users.map((u: any) => u.client_user_id)).toEqual(['a', 'b', 'c']);
    const page = await api('GET', '/v2/user?offset=1&limit=1');
    expect(page.body).toMatchObject({ total: 3, offset: 1, limit: 1 });
    expect(page.body.users.map((u: any) => u.client_user_id)).toEqual(['b']);
    expect((await api('GET', '/v2/user?limit=501')).body).toEqual({
      detail: [{ type: 'less_than_equal', loc: ['query', 'limit'], msg: 'Input should be less than or equal to 500', input: '501', ctx: { le: 500 } }],
    });
    expect((await api('GET', '/v2/user?offset=x')).body.detail[0]).toMatchObject({ type: 'int_parsing', loc: ['query', 'offset'] });
  });

  test('patch returns 204 without a body and changes only what was sent', async () => {
    const user = await createUser('before', { fallback_birth_date: '1989-09-12' });
    const res = await api('PATCH', `/v2/user/${user.user_id}`, { body: { fallback_time_zone: 'Europe/London', client_user_id: 'after' } });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const after = (await api('GET', `/v2/user/${user.user_id}`)).body;
    expect(after).toMatchObject({ client_user_id: 'after', fallback_time_zone: { id: 'Europe/London' }, fallback_birth_date: { value: '1989-09-12' } });
    expect((await api('PATCH', `/v2/user/${user.user_id}`, { body: { fallback_birth_date: null } })).status).toBe(204);
    expect((await api('GET', `/v2/user/${user.user_id}`)).body.fallback_birth_date).toBeNull();
  });

  test('patch to a taken client_user_id is 409, unknown user 404', async () => {
    const first = await createUser('first');
    const second = await createUser('second');
    const res = await api('PATCH', `/v2/user/${second.user_id}`, { body: { client_user_id: 'first' } });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatchObject({ error_message: 'Client user id already exists.', user_id: first.user_id });
    expect((await api('PATCH', `/v2/user/${second.user_id}`, { body: { client_user_id: 'second' } })).status).toBe(204);
    expect(await api('PATCH', `/v2/user/${MISSING_USER}`, { body: {} })).toMatchObject({ status: 404, body: { detail: 'User not found.' } });
  });

  test('delete hides the user; undo_delete restores it by user_id or client_user_id', async () => {
    const user = await createUser('gone');
    expect(await api('DELETE', `/v2/user/${user.user_id}`)).toMatchObject({ status: 200, body: { success: true } });
    expect((await api('GET', `/v2/user/${user.user_id}`)).status).toBe(404);
    expect((await api('GET', '/v2/user')).body.total).toBe(0);
    expect((await api('DELETE', `/v2/user/${user.user_id}`)).status).toBe(404);
    expect((await api('POST', '/v2/user', { body: { client_user_id: 'gone' } })).status).toBe(400);

    expect(await api('POST', `/v2/user/undo_delete?user_id=${user.user_id}`)).toMatchObject({ status: 200, body: { success: true } });
    expect((await api('GET', `/v2/user/${user.user_id}`)).status).toBe(200);
    expect(await api('POST', `/v2/user/undo_delete?user_id=${user.user_id}`)).toMatchObject({ status: 404, body: { detail: 'No deleted user found.' } });

    await api('DELETE', `/v2/user/${user.user_id}`);
    expect((await api('POST', '/v2/user/undo_delete?client_user_id=gone')).status).toBe(200);
  });

  test('undo_delete needs exactly one of user_id and client_user_id', async () => {
    const detail = 'Exactly one of user_id or client_user_id must be provided.';
    expect(await api('POST', '/v2/user/undo_delete')).toMatchObject({ status: 400, body: { detail } });
    expect(await api('POST', `/v2/user/undo_delete?user_id=${MISSING_USER}&client_user_id=x`)).toMatchObject({ status: 400, body: { detail } });
    expect((await api('POST', '/v2/user/undo_delete?user_id=nope')).body.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['query', 'user_id'] });
  });

  test('resolve finds a user by client_user_id, percent-decoded', async () => {
    const user = await createUser('client 1/a?b#c');
    expect(await api('GET', '/v2/user/resolve/client%201%2Fa%3Fb%23c')).toMatchObject({ status: 200, body: user });
    expect(await api('GET', '/v2/user/resolve/nobody')).toMatchObject({ status: 404, body: { detail: 'User with client_user_id nobody not found.' } });
  });

  test('metrics count live users and connections', async () => {
    const user = await createUser('a');
    await createUser('b');
    await api('POST', '/v2/link/connect/demo', { body: { user_id: user.user_id, provider: 'oura' } });
    const res = await api('GET', '/v2/user/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      team_id: user.team_id,
      number_of_connected_sources: 1,
      number_of_users: 2,
      number_of_errored_connected_sources: 0,
      number_of_connected_sources_by_week: [],
      number_of_ordered_tests: 0,
    });
  });
});

describe('demographics', () => {
  test('PATCH info returns 200 with the UserInfo; latest returns it', async () => {
    const user = await createUser();
    expect(await api('GET', `/v2/user/${user.user_id}/info/latest`)).toMatchObject({ status: 404, body: { detail: 'User info not found.' } });
    const res = await api('PATCH', `/v2/user/${user.user_id}/info`, { body: demographics });
    const info = {
      ...demographics,
      address: filledAddress,
      medical_proxy: null,
      race: null,
      ethnicity: null,
      sexual_orientation: null,
      gender_identity: null,
    };
    expect(res).toMatchObject({ status: 200, body: info });
    expect(await api('GET', `/v2/user/${user.user_id}/info/latest`)).toMatchObject({ status: 200, body: info });
  });

  test('invalid demographics are 422; unknown users 404', async () => {
    const user = await createUser();
    const res = await api('PATCH', `/v2/user/${user.user_id}/info`, { body: { ...demographics, email: 'jane', race: 'martian' } });
    expect(res.status).toBe(422);
    expect(res.body.detail.map((d: any) => [d.type, d.loc.join('.')])).toEqual([
      ['value_error', 'body.email'],
      ['enum', 'body.race'],
    ]);
    expect((await api('PATCH', `/v2/user/${MISSING_USER}/info`, { body: demographics })).status).toBe(404);
    expect((await api('GET', '/v2/user/not-a-uuid/info/latest')).status).toBe(404);
  });
});

describe('insurance', () => {
  test('create returns the ClientFacingInsurance; latest filters on is_primary', async () => {
    const user = await createUser();
    const res = await api('POST', `/v2/user/${user.user_id}/insurance`, { body: insurance });
    const stored = {
      member_id: 'M1',
      payor_code: 'AETNA',
      relationship: 'Self',
      insured: { ...insured, address: filledAddress },
      company: { name: 'AETNA Health Plan', address: expect.objectContaining({ country: 'US' }) },
      group_id: null,
      guarantor: null,
      is_primary: true,
    };
    expect(res).toMatchObject({ status: 200, body: stored });
    expect(await api('GET', `/v2/user/${user.user_id}/insurance/latest`)).toMatchObject({ status: 200, body: stored });
    expect(await api('GET', `/v2/user/${user.user_id}/insurance/latest?is_primary=false`)).toMatchObject({ status: 404, body: { detail: 'Insurance not found.' } });
    await api('POST', `/v2/user/${user.user_id}/insurance`, { body: { ...insurance, member_id: 'M2', is_primary: false } });
    expect((await api('GET', `/v2/user/${user.user_id}/insurance/latest?is_primary=false`)).body.member_id).toBe('M2');
    expect((await api('GET', `/v2/user/${user.user_id}/insurance/latest?is_primary=maybe`)).body.detail[0]).toMatchObject({
      type: 'bool_parsing',
      loc: ['query', 'is_primary'],
    });
  });

  test('missing fields and bad enums are 422 with nested locations', async () => {
    const user = await createUser();
    const { member_id: _omitted, ...withoutMember } = insurance;
    const res = await api('POST', `/v2/user/${user.user_id}/insurance`, {
      body: { ...withoutMember, relationship: 'Child', insured: { ...insured, gender: 'f' } },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      { type: 'missing', loc: ['body', 'member_id'], msg: 'Field required', input: expect.any(Object) },
      { type: 'enum', loc: ['body', 'relationship'], msg: "Input should be 'Self', 'Spouse' or 'Other'", input: 'Child', ctx: { expected: "'Self', 'Spouse' or 'Other'" } },
      {
        type: 'enum',
        loc: ['body', 'insured', 'gender'],
        msg: "Input should be 'female', 'male', 'other' or 'unknown'",
        input: 'f',
        ctx: { expected: "'female', 'male', 'other' or 'unknown'" },
      },
    ]);
    expect((await api('POST', `/v2/user/${MISSING_USER}/insurance`, { body: insurance })).status).toBe(404);
  });
});

describe('devices, connections, tokens', () => {
  test('every user has one seeded device', async () => {
    const user = await createUser();
    const list = await api('GET', `/v2/user/${user.user_id}/device`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ id: expect.stringMatching(UUID), user_id: user.user_id, provider: 'fitbit', source_type: 'scale' })]);
    const id = list.body[0].id;
    expect(await api('GET', `/v2/user/${user.user_id}/device/${id}`)).toMatchObject({ status: 200, body: list.body[0] });
    expect(await api('GET', `/v2/user/${user.user_id}/device/${MISSING_USER}`)).toMatchObject({ status: 404, body: { detail: 'Device not found.' } });
    expect((await api('GET', `/v2/user/${user.user_id}/device/dev_1`)).body.detail[0].loc).toEqual(['path', 'device_id']);
    expect((await api('GET', `/v2/user/${MISSING_USER}/device`)).status).toBe(404);
  });

  test('demo connection, providers, refresh and deregister', async () => {
    const user = await createUser();
    expect(await api('GET', `/v2/user/providers/${user.user_id}`)).toMatchObject({ status: 200, body: { providers: [] } });
    expect(await api('POST', `/v2/user/refresh/${user.user_id}`)).toMatchObject({
      status: 400,
      body: { success: false, user_id: user.user_id, error: 'user has no connected sources', failed_sources: [] },
    });

    expect(await api('POST', '/v2/link/connect/demo', { body: { user_id: user.user_id, provider: 'fitbit' } })).toMatchObject({
      status: 200,
      body: { success: true, detail: 'completed' },
    });
    const providers = (await api('GET', `/v2/user/providers/${user.user_id}`)).body.providers;
    expect(providers).toEqual([expect.objectContaining({ slug: 'fitbit', name: 'Fitbit', status: 'connected', created_on: expect.stringMatching(TIMESTAMP) })]);
    expect((await api('GET', `/v2/user/${user.user_id}`)).body.connected_sources).toEqual([
      expect.objectContaining({ provider: expect.objectContaining({ slug: 'fitbit' }), source: expect.objectContaining({ slug: 'fitbit' }) }),
    ]);

    const refreshed = await api('POST', `/v2/user/refresh/${user.user_id}?timeout=30`);
    expect(refreshed).toMatchObject({ status: 200, body: { success: true, user_id: user.user_id, in_progress_sources: [], failed_sources: [] } });
    expect(refreshed.body.refreshed_sources).toContain('fitbit/sleep');

    expect(await api('DELETE', `/v2/user/${user.user_id}/fitbit`)).toMatchObject({ status: 200, body: { success: true } });
    expect(await api('DELETE', `/v2/user/${user.user_id}/fitbit`)).toMatchObject({ status: 404, body: { detail: 'User is not connected to fitbit.' } });
    expect((await api('DELETE', `/v2/user/${user.user_id}/myspace`)).body.detail[0]).toMatchObject({ type: 'enum', loc: ['path', 'provider'], input: 'myspace' });
  });

  test('refresh timeout must be within 5..60', async () => {
    const user = await createUser();
    expect((await api('POST', `/v2/user/refresh/${user.user_id}?timeout=2.5`)).body).toEqual({
      detail: [{ type: 'greater_than_equal', loc: ['query', 'timeout'], msg: 'Input should be greater than or equal to 5', input: '2.5', ctx: { ge: 5 } }],
    });
    expect((await api('POST', `/v2/user/refresh/${user.user_id}?timeout=61`)).body.detail[0].type).toBe('less_than_equal');
    expect((await api('POST', `/v2/user/refresh/${user.user_id}?timeout=soon`)).body.detail[0].type).toBe('float_parsing');
  });

  test('sign-in token and portal URLs', async () => {
    const user = await createUser();
    const token = await api('POST', `/v2/user/${user.user_id}/sign_in_token`);
    expect(token).toMatchObject({ status: 200, body: { user_id: user.user_id, sign_in_token: expect.any(String) } });
    const launch = await api('POST', `/v2/user/${user.user_id}/create_portal_url`, { body: { context: 'launch' } });
    expect(launch).toMatchObject({ status: 200, body: { url: expect.stringContaining(sandbox.url), expires_in: 600 } });
    const comms = await api('POST', `/v2/user/${user.user_id}/create_portal_url`, { body: { context: 'communications' } });
    expect(comms.body.expires_in).toBe(1_209_600);
    expect((await api('POST', `/v2/user/${user.user_id}/create_portal_url`, { body: { context: 'email' } })).body.detail[0]).toMatchObject({
      type: 'enum',
      loc: ['body', 'context'],
    });
    expect((await api('POST', `/v2/user/${MISSING_USER}/sign_in_token`)).status).toBe(404);
  });
});

describe('org management', () => {
  const org = '/management/v1/org/11111111-1111-4111-8111-111111111111/prepare_team_custom_credentials';
  const team_id = '22222222-2222-4222-8222-222222222222';

  test('needs the org key, not the team key', async () => {
    expect(await api('POST', `${org}/sandbox/us`, { body: { team_id, provider: 'oura' } })).toMatchObject({ status: 401, body: { detail: 'invalid token' } });
    expect((await api('POST', `${org}/sandbox/us`, { key: null, orgKey: 'wrong', body: { team_id, provider: 'oura' } })).status).toBe(401);
  });

  test('OAuth providers need preparation, others do not', async () => {
    const oauth = await api('POST', `${org}/sandbox/eu`, { key: null, orgKey: SANDBOX_ORG_KEY, body: { team_id, provider: 'oura' } });
    expect(oauth).toMatchObject({
      status: 200,
      body: { status: 'preparations_required', preparation_steps: [{ type: 'redirect_uri', key: null, value: expect.stringContaining('sandbox.eu') }] },
    });
    const lab = await api('POST', `${org}/production/us`, { key: null, orgKey: SANDBOX_ORG_KEY, body: { team_id, provider: 'labcorp' } });
    expect(lab).toMatchObject({ status: 200, body: { status: 'no_action_needed', preparation_steps: [] } });
  });

  test('path enums and body are validated', async () => {
    const res = await api('POST', `${org}/staging/asia`, { key: null, orgKey: SANDBOX_ORG_KEY, body: { provider: 'oura' } });
    expect(res.status).toBe(422);
    expect(res.body.detail.map((d: any) => d.loc.join('.'))).toEqual(['path.env', 'path.region', 'body.team_id']);
    expect(res.body.detail[0]).toMatchObject({ type: 'enum', msg: "Input should be 'production' or 'sandbox'" });
  });
});

describe('recording', () => {
  test('records the raw target, headers and body of every request', async () => {
    await api('POST', '/v2/user', { body: { client_user_id: 'client-1' } });
    await api('GET', '/v2/user/resolve/client%201?x=a%20b', { key: 'wrong' });
    expect(sandbox.requests).toHaveLength(2);
    expect(sandbox.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v2/user',
      body: { client_user_id: 'client-1' },
      rawBody: '{"client_user_id":"client-1"}',
      headers: expect.objectContaining({ 'x-vital-api-key': SANDBOX_API_KEY, 'content-type': 'application/json' }),
    });
    expect(sandbox.requests[1]).toMatchObject({ method: 'GET', path: '/v2/user/resolve/client%201?x=a%20b', body: null, rawBody: '' });
  });

  test('reset empties the recording in place and forgets users', async () => {
    const user = await createUser();
    const recorded = sandbox.requests;
    sandbox.reset();
    expect(recorded).toHaveLength(0);
    expect((await api('GET', `/v2/user/${user.user_id}`)).status).toBe(404);
    expect(recorded).toHaveLength(1);
  });
});
