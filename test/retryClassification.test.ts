/**
 * Every error tells a workflow engine whether to try again (`retryable`) and when (`retryAfterMs`),
 * and the runtime's own retries make the same decision: for each failure, the client retried exactly
 * when the error it finally throws says retryable.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, type Capability, type Runtime, type RuntimeOptions } from '../runtime/index.js';
import { HttpError, type ErrorCode } from '../runtime/errors.js';
import { destroySocket, startScriptedServer, type ScriptedServer } from './support/scriptedServer.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { failure } from './support/failure.js';
import { startOAuthServer, type TokenEndpointBehaviour } from './support/oauthServer.js';
import { jobApi } from './support/jobApi.js';

const TOKEN = 'shop-SECRET-7c1d';
const FAST = { baseDelay: 1, maxDelay: 20 };
let server: RecordingServer;
let shop: Capability;
let runtime: Runtime;

beforeAll(async () => {
  server = await startRecordingServer();
  shop = await loadCapability(new URL('./fixtures/behaviours/shop.yaml', import.meta.url));
  runtime = createRuntime(shop, { env: { SHOP_TOKEN: TOKEN }, baseUri: server.url, retry: { limit: 1, ...FAST } });
});
afterAll(async () => {
  runtime.close();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.handler = () => ({});
});

/** Runs `work` on a runtime of its own, closed afterwards. */
async function withRuntime<T>(options: RuntimeOptions, work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const own = createRuntime(shop, options);
  try {
    return await work(own);
  } finally {
    own.close();
  }
}

/** Runs `work` against an authorization server of its own (refusing the client when `secret` is wrong). */
async function withOAuth<T>(failWith: TokenEndpointBehaviour['failWith'], work: (runtime: Runtime) => Promise<T>, secret = 'right-secret'): Promise<T> {
  const oauth = await startOAuthServer({ app: 'right-secret' });
  oauth.behaviour.failWith = failWith;
  const own = createRuntime(await loadCapability(new URL('./fixtures/behaviours/oauth.yaml', import.meta.url)), { env: { VAULT_CLIENT_ID: 'app', VAULT_CLIENT_SECRET: secret }, baseUri: oauth.url, retry: { limit: 0 } });
  try {
    return await work(own);
  } finally {
    own.close();
    await oauth.close();
  }
}

/** Runs `work` against a job API whose jobs fail. */
async function withFailingJob<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const jobs = await startRecordingServer(jobApi({ runningPolls: 0, outcome: { error: 'Invalid plan_id' } }).handler);
  const own = createRuntime(await loadCapability(new URL('./fixtures/behaviours/jobs.yaml', import.meta.url)), { baseUri: jobs.url });
  try {
    return await work(own);
  } finally {
    own.close();
    await jobs.close();
  }
}

/** Each code, the failure that gives it here, and whether it is retryable. */
describe('every error code has a retryable flag, in toJSON() too', () => {
  const cases: Array<[ErrorCode, boolean, () => Promise<unknown>]> = [
    ['SPEC_INVALID', false, () => loadCapability(new URL('./fixtures/behaviours/mistakes.yaml', import.meta.url))],
    ['OPERATION_NOT_FOUND', false, () => runtime.invoke('no-such-operation')],
    ['INPUT_INVALID', false, () => runtime.invoke('get-order', {})],
    ['SECRET_MISSING', false, () => withRuntime({ env: {}, baseUri: server.url }, (r) => r.invoke('list-orders'))],
    ['NOT_SUPPORTED', false, () => runtime.invoke('list-things')],
    [
      'RESPONSE_INVALID',
      false,
      () => {
        server.handler = () => ({ headers: { 'content-type': 'application/json' }, body: '{not json' });
        return runtime.invoke('list-orders');
      },
    ],
    [
      'OUTPUT_INVALID',
      false,
      () => {
        server.handler = () => ({ body: { id: 'o1', total: 'lots' } });
        return runtime.invoke('get-order', { id: 'o1' });
      },
    ],
    ['ABORTED', false, () => runtime.invoke('list-orders', {}, { signal: AbortSignal.abort() })],
    [
      'HTTP_ERROR',
      false,
      () => {
        server.handler = () => ({ status: 404, body: { detail: 'no such order' } });
        return runtime.invoke('get-order', { id: 'o1' });
      },
    ],
    [
      'HTTP_ERROR',
      true,
      () => {
        server.handler = () => ({ status: 503 });
        return runtime.invoke('get-order', { id: 'o1' });
      },
    ],
    [
      'TIMEOUT',
      true,
      () => {
        server.handler = () => new Promise((resolve) => setTimeout(() => resolve({}), 400));
        return runtime.invoke('list-orders', {}, { timeout: 50 });
      },
    ],
    ['AUTH_FAILED', false, () => withOAuth(undefined, (r) => r.invoke('list-secrets'), 'wrong-secret')],
    ['AUTH_FAILED', true, () => withOAuth({ status: 503, error: 'temporarily_unavailable' }, (r) => r.invoke('list-secrets'))],
    ['ASYNC_FAILED', false, () => withFailingJob((r) => r.invoke('submit-job', { group_id: 'g', members: [] }, { wait: true }))],
    ['NETWORK', true, () => withRuntime({ env: { SHOP_TOKEN: TOKEN }, baseUri: 'http://127.0.0.1:9', retry: { limit: 0 } }, (r) => r.invoke('list-orders'))],
  ];

  test.each(cases.map(([code, retryable, call], i) => ({ code, retryable, call, i })))('$code → retryable $retryable (#$i)', async ({ code, retryable, call }) => {
    const error = await failure(call);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.toJSON()).toMatchObject({ code, retryable });
  });
});

describe('HTTP statuses', () => {
  const statuses: Array<[number, boolean]> = [
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
    [408, true],
    [425, true],
    [429, true],
    [500, true],
    [501, true],
    [502, true],
    [503, true],
    [504, true],
  ];

  test.each(statuses)('GET answered %i: retryable %s, and the client retried exactly then', async (status, retryable) => {
    server.handler = () => ({ status, body: { detail: 'no' } });
    const error = await failure(runtime.invoke('get-order', { id: 'o1' }));
    expect(error).toBeInstanceOf(HttpError);
    expect(error.retryable).toBe(retryable);
    expect(server.requests).toHaveLength(retryable ? 2 : 1);
  });

  test('a POST that may have been processed (5xx) is not retryable and not retried', async () => {
    for (const status of [500, 502, 503, 504]) {
      server.requests.length = 0;
      server.handler = () => ({ status });
      const error = await failure(runtime.invoke('create-order', { item: 'book' }));
      expect(error.retryable).toBe(false);
      expect(server.requests).toHaveLength(1);
    }
  });

  test('a POST the server refused before processing (408, 425, 429) is retryable and retried', async () => {
    for (const status of [408, 425, 429]) {
      server.requests.length = 0;
      server.handler = () => ({ status });
      const error = await failure(runtime.invoke('create-order', { item: 'book' }));
      expect(error.retryable).toBe(true);
      expect(server.requests).toHaveLength(2);
    }
  });

  test('PUT and DELETE are idempotent: a 503 is retryable', async () => {
    server.handler = () => ({ status: 503 });
    expect((await failure(runtime.invoke('replace-order', { id: 'o1', item: 'x' }))).retryable).toBe(true);
    expect((await failure(runtime.invoke('delete-order', { id: 'o1' }))).retryable).toBe(true);
    expect(server.requests).toHaveLength(4);
  });

  test('retry.unsafe makes a POST retryable', async () => {
    server.handler = () => ({ status: 502 });
    const error = await failure(runtime.invoke('create-order', { item: 'book' }, { retry: { unsafe: true } }));
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  test('retryAfterMs comes from Retry-After in seconds', async () => {
    server.handler = () => ({ status: 503, headers: { 'retry-after': '120' } });
    const error = await failure(runtime.invoke('get-order', { id: 'o1' }, { retry: { limit: 0 } }));
    expect(error.retryAfterMs).toBe(120_000);
    expect(error.toJSON()).toMatchObject({ retryable: true, retryAfterMs: 120_000 });
  });

  test('retryAfterMs comes from Retry-After as an HTTP date', async () => {
    const at = Date.now() + 90_000;
    server.handler = () => ({ status: 429, headers: { 'retry-after': new Date(at).toUTCString() } });
    const error = await failure(runtime.invoke('get-order', { id: 'o1' }, { retry: { limit: 0 } }));
    // An HTTP date has whole seconds: the wait is within a second (and the test's own run time) of 90 s.
    expect(error.retryAfterMs).toBeGreaterThan(85_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(90_000);
  });

  test('no retryAfterMs without Retry-After, nor on a status that is not retryable', async () => {
    server.handler = () => ({ status: 503 });
    expect((await failure(runtime.invoke('get-order', { id: 'o1' }, { retry: { limit: 0 } }))).retryAfterMs).toBeUndefined();
    server.handler = () => ({ status: 400, headers: { 'retry-after': '5' } });
    const error = await failure(runtime.invoke('get-order', { id: 'o1' }));
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.toJSON()).not.toHaveProperty('retryAfterMs');
  });

  test('HttpError keeps the response headers, secrets masked, out of toJSON()', async () => {
    server.handler = () => ({ status: 429, headers: { 'x-ratelimit-remaining': '0', 'x-echo': `Bearer ${TOKEN}` } });
    const error = (await failure(runtime.invoke('get-order', { id: 'o1' }, { retry: { limit: 0 } }))) as HttpError;
    expect(error.headers['x-ratelimit-remaining']).toBe('0');
    expect(error.headers['x-echo']).toBe('Bearer ***');
    expect(error.toJSON()).not.toHaveProperty('headers');
    expect(JSON.stringify(error.toJSON())).not.toContain(TOKEN);
  });
});

describe('network failures and timeouts', () => {
  let scripted: ScriptedServer;
  let scriptedRuntime: Runtime;
  beforeAll(async () => {
    scripted = await startScriptedServer();
    scriptedRuntime = createRuntime(shop, { env: { SHOP_TOKEN: TOKEN }, baseUri: scripted.url, retry: { limit: 1, ...FAST } });
  });
  afterAll(async () => {
    scriptedRuntime.close();
    await scripted.close();
  });

  test('a connection reset is retryable for a GET (retried), not for a POST (sent once)', async () => {
    scripted.enqueue(destroySocket, destroySocket);
    const get = await failure(scriptedRuntime.invoke('list-orders'));
    expect(get).toMatchObject({ code: 'NETWORK', retryable: true });
    expect(scripted.requests).toHaveLength(2);

    scripted.enqueue(destroySocket);
    const post = await failure(scriptedRuntime.invoke('create-order', { item: 'book' }));
    expect(post).toMatchObject({ code: 'NETWORK', retryable: false });
    expect(scripted.requests).toHaveLength(3);
  });

  test('a refused connection is retryable for any method: the server never saw the request', async () => {
    const error = await failure(withRuntime({ env: { SHOP_TOKEN: TOKEN }, baseUri: 'http://127.0.0.1:9', retry: { limit: 1, ...FAST } }, (r) => r.invoke('create-order', { item: 'book' })));
    expect(error).toMatchObject({ code: 'NETWORK', retryable: true });
    expect(error.message).toContain('2 attempts');
  });

  test('a timeout is retryable for a GET, not for a POST without an idempotency key', async () => {
    scripted.enqueue({ delay: 400 }, { delay: 400 }, { delay: 400 });
    expect(await failure(scriptedRuntime.invoke('list-orders', {}, { timeout: 60 }))).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(await failure(scriptedRuntime.invoke('create-order', { item: 'a' }, { timeout: 60 }))).toMatchObject({ code: 'TIMEOUT', retryable: false });
    expect(await failure(scriptedRuntime.invoke('create-order', { item: 'a' }, { timeout: 60, idempotencyKey: 'k' }))).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });
});
