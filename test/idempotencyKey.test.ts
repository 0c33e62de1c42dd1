/**
 * `invoke(name, inputs, { idempotencyKey })`: the key travels in the operation's idempotency header,
 * the same on every attempt, and makes a POST or PATCH retryable for that call.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, inspectCapability, loadCapability, type Runtime } from '../runtime/index.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { failure } from './support/failure.js';
import { naftiko } from './support/cli.js';

const SHOP = new URL('./fixtures/behaviours/shop.yaml', import.meta.url);
let server: RecordingServer;
let runtime: Runtime;

beforeAll(async () => {
  server = await startRecordingServer();
  runtime = createRuntime(await loadCapability(SHOP), { env: { SHOP_TOKEN: 'shop-token-1234' }, baseUri: server.url, retry: { limit: 2, baseDelay: 1, maxDelay: 20 } });
});
afterAll(async () => {
  runtime.close();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

/** Answers each request in turn with the given statuses (the last one repeats). */
function answers(...statuses: number[]): void {
  let n = 0;
  server.handler = () => ({ status: statuses[Math.min(n++, statuses.length - 1)], body: { id: 'o1' } });
}

describe('a POST with an idempotency key', () => {
  test('is retried after a 503, the same key on every attempt', async () => {
    answers(503, 503, 201);
    expect(await runtime.invoke('create-order', { item: 'book' }, { idempotencyKey: 'order-42' })).toEqual({ id: 'o1' });
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['order-42', 'order-42', 'order-42']);
    expect(server.requests.map((r) => r.body)).toEqual(Array(3).fill('{"item":"book"}'));
  });

  test('fails retryable once the retries run out', async () => {
    answers(503);
    const error = await failure(runtime.invoke('create-order', { item: 'book' }, { idempotencyKey: 'order-43' }));
    expect(error).toMatchObject({ code: 'HTTP_ERROR', retryable: true });
    expect(server.requests).toHaveLength(3);
  });

  test('without a key, the same POST is sent once and is not retryable', async () => {
    answers(503, 201);
    const error = await failure(runtime.invoke('create-order', { item: 'book' }));
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 503, retryable: false });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].headers['idempotency-key']).toBeUndefined();
  });

  test('a PATCH with a key is retried too', async () => {
    answers(500, 200);
    await runtime.invoke('update-order', { id: 'o1', item: 'pen' }, { idempotencyKey: 'patch-1' });
    expect(server.requests.map((r) => `${r.method} ${r.headers['idempotency-key']}`)).toEqual(['PATCH patch-1', 'PATCH patch-1']);
  });

  test('the option wins over an Idempotency-Key given as an input header', async () => {
    answers(200);
    await runtime.invoke('create-order', { item: 'book', 'Idempotency-Key': 'from-input' }, { idempotencyKey: 'from-option' });
    expect(server.requests[0].headers['idempotency-key']).toBe('from-option');
  });
});

describe('the header a file names', () => {
  test('an operation sends the key in its own header (X-Request-Id), not in Idempotency-Key', async () => {
    answers(502, 201);
    await runtime.invoke('create-payment', { amount: 10 }, { idempotencyKey: 'pay-1' });
    expect(server.requests.map((r) => [r.headers['x-request-id'], r.headers['idempotency-key']])).toEqual([
      ['pay-1', undefined],
      ['pay-1', undefined],
    ]);
  });

  test("a namespace's header applies to its operations; an operation's own header wins", async () => {
    answers(200);
    await runtime.invoke('add-entry', { amount: 1 }, { idempotencyKey: 'e-1' });
    await runtime.invoke('add-tagged-entry', { amount: 1 }, { idempotencyKey: 'e-2' });
    expect(server.requests.map((r) => [r.headers['x-ledger-key'], r.headers['x-entry-key']])).toEqual([
      ['e-1', undefined],
      [undefined, 'e-2'],
    ]);
  });

  test('prepare() and --dry-run show the key where it will be sent', async () => {
    expect(runtime.prepare('create-payment', { amount: 10 }, { idempotencyKey: 'pay-2' }).headers).toMatchObject({ 'X-Request-Id': 'pay-2', authorization: 'Bearer ***' });
    const dry = await naftiko(['run', SHOP.pathname, 'create-payment', 'amount=10', '--idempotency-key', 'pay-3', '--dry-run', '--base-uri', server.url], { SHOP_TOKEN: 'shop-token-1234' });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).headers['X-Request-Id']).toBe('pay-3');
    expect(server.requests).toHaveLength(0);
  });

  test('naftiko run --idempotency-key sends it and lets the POST be retried', async () => {
    answers(503, 201);
    const result = await naftiko(['run', SHOP.pathname, 'create-order', 'item=book', '--idempotency-key', 'cli-1', '--base-uri', server.url], { SHOP_TOKEN: 'shop-token-1234' });
    expect(result.code).toBe(0);
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['cli-1', 'cli-1']);
  });
});

describe('refused keys and names', () => {
  test('an empty key, or one with a line break, is INPUT_INVALID and nothing is sent', async () => {
    for (const key of ['', '   ', 'a\r\nX-Evil: 1']) {
      const error = await failure(runtime.invoke('create-order', { item: 'book' }, { idempotencyKey: key }));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.message).toContain('create-order');
    }
    expect(server.requests).toHaveLength(0);
  });

  test('an idempotencyKey.header that is not a header name is a load error with file:line:col', async () => {
    const { diagnostics } = await inspectCapability(new URL('./fixtures/behaviours/mistakes.yaml', import.meta.url));
    const problem = diagnostics.find((d) => d.message.includes('idempotencyKey'));
    expect(problem).toMatchObject({ severity: 'error', line: 16, col: 17, message: "idempotencyKey.header 'Bad Header' is not an HTTP header name" });
  });
});
