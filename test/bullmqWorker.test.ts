/**
 * The BullMQ adapter in this process, against a real redis-server and the orders API: the job format,
 * BullMQ owning retries (400 once, 503 every attempt, Retry-After honoured), idempotency keys,
 * cancellation, and producers getting outputs or the worker's error code back.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { createWorker, enqueue, enqueueAndWait, JobFailedError, type NaftikoWorker } from '../runtime/bullmq/index.js';
import { loadCapability, type Capability } from '../runtime/index.js';
import { HOLD, startOrdersApi, type OrdersApi } from './support/ordersApi.js';
import { SKIP_REDIS, startRedisServer, type RedisServer } from './support/redisServer.js';

const TOKEN = 'orders-token-SECRET-51f0';
const FIXTURE = new URL('./fixtures/engines/orders.yaml', import.meta.url);

describe.skipIf(SKIP_REDIS)('BullMQ worker', { timeout: 20_000 }, () => {
  let redis: RedisServer;
  let api: OrdersApi;
  let capability: Capability;
  let connection: { url: string };
  let queueNumber = 0;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    [redis, api, capability] = await Promise.all([startRedisServer(), startOrdersApi(), loadCapability(FIXTURE)]);
    connection = { url: redis.url };
  });
  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });
  beforeEach(() => {
    api.requests.length = 0;
    api.respond = () => undefined;
    api.delay = 0;
    return async () => {
      for (const close of cleanup.splice(0).reverse()) await close();
    };
  });

  /** A fresh queue, a worker on it and QueueEvents, all closed after the test. */
  async function setUp(options: { concurrency?: number } = {}): Promise<{ queue: Queue; events: QueueEvents; naftiko: NaftikoWorker }> {
    const name = `orders-${++queueNumber}`;
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    const naftiko = await createWorker({
      capabilities: capability,
      queue: name,
      connection,
      concurrency: options.concurrency ?? 4,
      runtimeOptions: { env: { ORDERS_TOKEN: TOKEN, WORKER_NAME: 'in-process' }, baseUri: api.url },
    });
    cleanup.push(() => queue.close(), () => events.close(), () => naftiko.close({ force: true }));
    await Promise.all([events.waitUntilReady(), naftiko.worker.waitUntilReady()]);
    return { queue, events, naftiko };
  }

  /** Resolves once the job is failed for good (its rejection from waitUntilFinished is swallowed). */
  async function failed(queue: Queue, job: Job, events: QueueEvents): Promise<Job> {
    await job.waitUntilFinished(events).then(
      () => expect.fail('the job completed'),
      () => {},
    );
    return (await queue.getJob(job.id!))!;
  }

  test('a job whose data names an operation returns its outputs, from a plain BullMQ producer too', async () => {
    const { queue, events } = await setUp();
    const job = await queue.add('anything', { operation: 'create-order', inputs: { sku: 'plain-1', quantity: 2 } });
    expect(await job.waitUntilFinished(events)).toEqual({ id: expect.stringMatching(/^ord-/), sku: 'plain-1' });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({ method: 'POST', url: '/orders', body: { sku: 'plain-1', quantity: 2 } });
  });

  test('the idempotency key is data.idempotencyKey, else QUEUE:JOB_ID', async () => {
    const { queue, events } = await setUp();
    const own = await queue.add('create-order', { operation: 'create-order', inputs: { sku: 'key-1' }, idempotencyKey: 'order-key-1' });
    const byId = await queue.add('create-order', { operation: 'create-order', inputs: { sku: 'key-2' } }, { jobId: 'custom-id' });
    await Promise.all([own.waitUntilFinished(events), byId.waitUntilFinished(events)]);
    expect(Object.fromEntries(api.requests.map((r) => [r.body?.sku, r.key]))).toEqual({ 'key-1': 'order-key-1', 'key-2': `${queue.name}:custom-id` });
  });

  test('a 400 fails the job after one attempt, whatever its attempts; failedReason starts with the code, no secret anywhere', async () => {
    const { queue, events } = await setUp();
    // The API echoes the token back: it must be masked in what goes to Redis.
    api.respond = (request) => ({ status: 400, body: { error: `bad sku for ${request.headers.authorization}` } });
    const job = await enqueue(queue, 'create-order', { sku: 'bad' }, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
    const stored = await failed(queue, job, events);
    expect(stored.attemptsMade).toBe(1);
    expect(api.requests).toHaveLength(1);
    expect(stored.failedReason).toMatch(/^HTTP_ERROR: orders\.create-order: POST http:\/\/127\.0\.0\.1:\d+\/orders answered 400: bad sku for Bearer \*\*\*/);
    expect(JSON.stringify(stored.stacktrace)).toMatch(/^\["UnrecoverableError: HTTP_ERROR: .*Bearer \*\*\*/);
    expect(JSON.stringify([stored.failedReason, stored.stacktrace])).not.toContain(TOKEN);
  });

  test('a 503 uses every attempt, each a single request (the runtime does not retry on its own)', async () => {
    const { queue, events } = await setUp();
    api.respond = () => ({ status: 503, body: { error: 'down' } });
    const job = await enqueue(queue, 'create-order', { sku: 'busy' }, { attempts: 3, backoff: { type: 'fixed', delay: 20 } });
    const stored = await failed(queue, job, events);
    expect(stored.attemptsMade).toBe(3);
    expect(api.requests).toHaveLength(3);
    expect(stored.failedReason).toMatch(/^HTTP_ERROR: .* answered 503/);
    // Every attempt sent the same key.
    expect(new Set(api.requests.map((r) => r.key))).toEqual(new Set([`${queue.name}:${job.id}`]));
  });

  test('Retry-After delays the next attempt beyond the job backoff, never earlier than the server asked', async () => {
    const { queue, events } = await setUp();
    let calls = 0;
    api.respond = () => (++calls === 1 ? { status: 503, headers: { 'retry-after': '1' }, body: { error: 'slow down' } } : undefined);
    const job = await enqueue(queue, 'create-order', { sku: 'later' }, { attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    expect(await job.waitUntilFinished(events)).toMatchObject({ sku: 'later' });
    const [first, second] = api.requests;
    expect(second.time - first.time).toBeGreaterThanOrEqual(1000);
    expect((await queue.getJob(job.id!))!.attemptsMade).toBe(2);
  });

  test('a job backoff longer than Retry-After wins', async () => {
    const { queue, events } = await setUp();
    let calls = 0;
    api.respond = () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '0' } } : undefined);
    const job = await enqueue(queue, 'create-order', { sku: 'backoff' }, { attempts: 2, backoff: { type: 'fixed', delay: 600 } });
    await job.waitUntilFinished(events);
    expect(api.requests[1].time - api.requests[0].time).toBeGreaterThanOrEqual(600);
  });

  test('cancelJob aborts the call in flight; the job fails with ABORTED and is not retried', async () => {
    const { queue, events, naftiko } = await setUp();
    api.respond = () => HOLD;
    const job = await enqueue(queue, 'create-order', { sku: 'cancel-me' }, { attempts: 3 });
    await vi.waitFor(() => expect(api.requests).toHaveLength(1));
    expect(naftiko.cancelJob(job.id!, 'the customer changed their mind')).toBe(true);
    const stored = await failed(queue, job, events);
    expect(stored.failedReason).toBe(`ABORTED: job ${job.id} was cancelled: the customer changed their mind`);
    expect(stored.attemptsMade).toBe(1);
    await vi.waitFor(() => expect(api.requests[0].aborted).toBe(true));
    expect(api.requests).toHaveLength(1);
    expect(naftiko.cancelJob('no-such-job')).toBe(false);
  });

  test('close({ force }) aborts the call in flight and puts the job back without using an attempt; another worker repeats it with the same key', async () => {
    const { queue, events, naftiko } = await setUp();
    api.respond = (request) => (request.worker === 'in-process' ? HOLD : undefined);
    const job = await enqueue(queue, 'create-order', { sku: 'handover' });
    await vi.waitFor(() => expect(api.requests).toHaveLength(1));
    await naftiko.close({ force: true });
    await vi.waitFor(() => expect(api.requests[0].aborted).toBe(true));
    const back = (await queue.getJob(job.id!))!;
    expect(['wait', 'delayed']).toContain(await back.getState());
    expect(back.attemptsMade).toBe(0);

    const other = await createWorker({ capabilities: capability, queue: queue.name, connection, runtimeOptions: { env: { ORDERS_TOKEN: TOKEN, WORKER_NAME: 'other' }, baseUri: api.url } });
    cleanup.push(() => other.close({ force: true }));
    expect(await job.waitUntilFinished(events)).toMatchObject({ sku: 'handover' });
    expect(api.requests.map((r) => [r.worker, r.key])).toEqual([
      ['in-process', `${queue.name}:${job.id}`],
      ['other', `${queue.name}:${job.id}`],
    ]);
  });

  test('a job that breaks the contract, or names no operation, fails at once with INPUT_INVALID or OPERATION_NOT_FOUND, nothing sent', async () => {
    const { queue, events } = await setUp();
    const cases: Array<[unknown, RegExp]> = [
      [{ inputs: { sku: 'x' } }, /^INPUT_INVALID: job data needs 'operation', a non-empty string/],
      [{ operation: 'create-order', inputs: [1] }, /^INPUT_INVALID: job data 'inputs' must be an object/],
      [{ operation: 'create-ordr' }, /^OPERATION_NOT_FOUND: .*create-order/],
      [{ operation: 'create-order', inputs: {} }, /^INPUT_INVALID: .*'sku'/],
    ];
    for (const [data, reason] of cases) {
      const job = await queue.add('bad', data, { attempts: 3 });
      const stored = await failed(queue, job, events);
      expect(stored.failedReason).toMatch(reason);
      expect(stored.attemptsMade).toBe(1);
    }
    expect(api.requests).toHaveLength(0);
  });

  test('enqueueAndWait resolves to the outputs, or rejects with the code the worker saw', async () => {
    const { queue, events } = await setUp();
    expect(await enqueueAndWait(queue, 'create-order', { sku: 'waited' }, { events })).toMatchObject({ sku: 'waited' });
    expect(await enqueueAndWait(queue, 'create-order', { sku: 'own-events' })).toMatchObject({ sku: 'own-events' });

    api.respond = () => ({ status: 409, body: { error: 'duplicate sku' } });
    const error = await enqueueAndWait(queue, 'create-order', { sku: 'dup' }, { events }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({ code: 'HTTP_ERROR', attemptsMade: 1, queue: queue.name, operation: 'create-order' });
    expect((error as Error).message).toMatch(/^job \d+ failed after 1 attempt: orders\.create-order: POST .* answered 409/);

    api.respond = () => HOLD;
    const timeout = await enqueueAndWait(queue, 'create-order', { sku: 'slow' }, { events, timeout: 200 }).catch((e: unknown) => e);
    expect(timeout).toMatchObject({ code: 'TIMEOUT', details: { state: 'active' } });
  });

  test('all: true walks every page, one progress report per page, and returns the records', async () => {
    const { queue, events, naftiko } = await setUp();
    for (let i = 0; i < 3; i++) await enqueueAndWait(queue, 'create-order', { sku: `listed-${i}` }, { events });
    const total = [...api.effects.values()].reduce((sum, n) => sum + n, 0);
    const progress: unknown[] = [];
    naftiko.worker.on('progress', (_job, report) => progress.push(report));
    api.requests.length = 0;
    const outputs = await enqueueAndWait(queue, 'list-orders', { limit: 2 }, { events, all: true });
    const skus = (outputs.items as Array<{ sku: string }>).map((o) => o.sku);
    expect(skus).toHaveLength(total);
    expect(skus.slice(-3)).toEqual(['listed-0', 'listed-1', 'listed-2']);
    expect(outputs.truncated).toBeUndefined();
    const pages = Math.ceil(total / 2);
    expect(progress).toEqual(Array.from({ length: pages }, (_, i) => ({ pages: i + 1, records: Math.min(total, (i + 1) * 2), more: i + 1 < pages })));
    expect(api.requests.map((r) => r.url)).toEqual(Array.from({ length: pages }, (_, i) => (i === 0 ? '/orders?limit=2' : `/orders?cursor=${i * 2}&limit=2`)));

    const bounded = await enqueueAndWait(queue, 'list-orders', { limit: 1 }, { events, all: true, maxPages: 2 });
    expect(bounded).toEqual({ items: [expect.any(Object), expect.any(Object)], truncated: true });
  });

  test('wait: true submits an asynchronous job once (with the key), polls it with a progress report per poll, and returns the final outputs', async () => {
    const { queue, events, naftiko } = await setUp();
    const progress: Array<Record<string, unknown>> = [];
    naftiko.worker.on('progress', (_job, report) => progress.push(report as Record<string, unknown>));
    const job = await enqueue(queue, 'export-orders', { format: 'csv' }, { wait: true });
    expect(await job.waitUntilFinished(events)).toMatchObject({ status: 'done', completed_at: '2026-11-27T12:00:00Z' });
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /exports', 'GET /exports/exp-1', 'GET /exports/exp-1', 'GET /exports/exp-1']);
    expect(api.requests[0].key).toBe(`${queue.name}:${job.id}`);
    expect(progress).toEqual([
      { state: 'running', polls: 1, elapsedMs: expect.any(Number), asyncJobId: 'exp-1' },
      { state: 'running', polls: 2, elapsedMs: expect.any(Number), asyncJobId: 'exp-1' },
    ]);

    const broken = await enqueue(queue, 'export-orders', { format: 'broken' }, { wait: true, attempts: 3 });
    const stored = await failed(queue, broken, events);
    expect(stored.failedReason).toMatch(/^ASYNC_FAILED: .*the format is broken/);
    expect(stored.attemptsMade).toBe(1);
  });

  test('many waits share one QueueEvents, and a job removed on completion still gives its outputs', async () => {
    const { queue, events } = await setUp({ concurrency: 8 });
    const warnings: Error[] = [];
    const warn = (warning: Error) => warnings.push(warning);
    process.on('warning', warn);
    try {
      const outputs = await Promise.all(Array.from({ length: 30 }, (_, i) => enqueueAndWait(queue, 'create-order', { sku: `many-${i}` }, { events, removeOnComplete: true })));
      expect(outputs.map((o) => o.sku)).toEqual(Array.from({ length: 30 }, (_, i) => `many-${i}`));
    } finally {
      process.off('warning', warn);
    }
    expect(warnings).toEqual([]);
    expect(await queue.getJobCounts('completed')).toEqual({ completed: 0 });
  });

  test('enqueue defaults to 3 attempts with exponential backoff, unless the call or the queue says otherwise', async () => {
    const { queue } = await setUp();
    api.respond = () => HOLD;
    expect((await enqueue(queue, 'get-order', { order_id: 'a' })).opts).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
    expect((await enqueue(queue, 'get-order', { order_id: 'b' }, { attempts: 7 })).opts).toMatchObject({ attempts: 7 });
    const configured = new Queue(queue.name, { connection, defaultJobOptions: { attempts: 10, backoff: 50 } });
    cleanup.push(() => configured.close());
    expect((await enqueue(configured, 'get-order', { order_id: 'c' })).opts).toMatchObject({ attempts: 10, backoff: { type: 'fixed', delay: 50 } });
  });
});
