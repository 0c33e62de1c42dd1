/**
 * `naftiko enqueue` and `naftiko worker` on the command line (in-process through runCli), against a
 * real redis-server and a worker of this process: job ids, idempotency keys, --wait with the exit codes
 * of `run`, usage errors, an unreachable Redis.
 */
import { Queue } from 'bullmq';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { createWorker, type NaftikoWorker } from '../runtime/bullmq/index.js';
import { BASE_ENV, CLI, ROOT, naftiko } from './support/cli.js';
import { startOrdersApi, type OrdersApi } from './support/ordersApi.js';
import { SKIP_REDIS, startRedisServer, type RedisServer } from './support/redisServer.js';

const FIXTURE = 'test/fixtures/engines/orders.yaml';
const TOKEN = 'orders-token-SECRET-cli';

describe('naftiko worker and enqueue without Redis', () => {
  test('--help describes both; a missing --queue or file is a usage error (2)', async () => {
    for (const command of ['worker', 'enqueue']) {
      const help = await naftiko([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`usage: naftiko ${command}`);
      expect(help.stdout).toContain('--redis URL');
    }
    expect(await naftiko(['worker', FIXTURE])).toMatchObject({ code: 2, stderr: expect.stringContaining('--queue NAME is required') });
    expect(await naftiko(['worker', '--queue', 'q'])).toMatchObject({ code: 2, stderr: expect.stringContaining('no capability file given') });
    expect(await naftiko(['enqueue', FIXTURE, '--queue', 'q'])).toMatchObject({ code: 2, stderr: expect.stringContaining('give a capability file and an operation') });
    expect(await naftiko(['enqueue', FIXTURE, 'create-order', '--queue', 'q', '--timeout', '5'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--timeout needs --wait') });
    expect(await naftiko(['worker', FIXTURE, '--queue', 'q', '--redis', 'http://x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--redis must be a redis:// or rediss:// URL') });
  });

  test('the top-level help lists them', async () => {
    const { stdout } = await naftiko(['--help']);
    expect(stdout).toContain('naftiko worker FILE... --queue NAME');
    expect(stdout).toContain('naftiko enqueue FILE OP');
  });

  test('an unreachable Redis is exit 4, with the password of its URL never shown', async () => {
    const r = await naftiko(['enqueue', FIXTURE, 'create-order', 'sku=x', '--queue', 'q', '--redis', 'redis://:hunter2-secret@127.0.0.1:1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^naftiko: NETWORK: cannot reach Redis: .*ECONNREFUSED/);
    expect(r.stderr).not.toContain('hunter2');
  });

  test('a worker that cannot reach Redis says so once, and stops at the first SIGTERM with 0', async () => {
    const child = spawn(process.execPath, [CLI, 'worker', FIXTURE, '--queue', 'q', '--redis', 'redis://:hunter2-secret@127.0.0.1:1'], { cwd: ROOT, env: BASE_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await vi.waitFor(() => expect(stderr).toContain('naftiko worker: connect ECONNREFUSED 127.0.0.1:1'), { timeout: 10_000 });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr.match(/ECONNREFUSED/g)).toHaveLength(1);
    expect(stderr).not.toContain('hunter2');
  }, 20_000);

  test('an unknown operation is exit 1 with a did-you-mean, before Redis is touched', async () => {
    const r = await naftiko(['enqueue', FIXTURE, 'create-ordr', '--queue', 'q', '--redis', 'redis://127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("did you mean 'orders.create-order'");
  });
});

describe.skipIf(SKIP_REDIS)('naftiko enqueue with a worker', () => {
  let redis: RedisServer;
  let api: OrdersApi;
  let worker: NaftikoWorker;
  let queue: Queue;

  beforeAll(async () => {
    [redis, api] = await Promise.all([startRedisServer(), startOrdersApi()]);
    worker = await createWorker({ capabilities: FIXTURE, queue: 'cli', connection: { url: redis.url }, concurrency: 2, runtimeOptions: { env: { ORDERS_TOKEN: TOKEN, WORKER_NAME: 'cli-test' }, baseUri: api.url } });
    queue = new Queue('cli', { connection: { url: redis.url } });
  });
  afterAll(async () => {
    await queue?.close();
    await worker?.close({ force: true });
    await api?.close();
    await redis?.stop();
  });
  beforeEach(() => {
    api.requests.length = 0;
    api.respond = () => undefined;
  });

  const enqueue = (...args: string[]) => naftiko(['enqueue', FIXTURE, ...args, '--queue', 'cli', '--redis', redis.url]);

  test('prints the queue, the job id and the operation id; --job-id and --attempts go to the job', async () => {
    const r = await enqueue('create-order', 'sku=cli-1', 'quantity=3', '--job-id', 'order-cli-1', '--attempts', '5');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ queue: 'cli', jobId: 'order-cli-1', operation: 'orders.create-order' });
    const job = (await queue.getJob('order-cli-1'))!;
    expect(job.data).toEqual({ operation: 'orders.create-order', inputs: { sku: 'cli-1', quantity: '3' } });
    expect(job.opts.attempts).toBe(5);
  });

  test('--wait prints the outputs; the idempotency key follows --job-id, or --idempotency-key', async () => {
    const r = await enqueue('create-order', '--input', '{"sku":"cli-2"}', '--job-id', 'order-cli-2', '--wait');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: expect.stringMatching(/^ord-/), sku: 'cli-2' });
    const own = await enqueue('create-order', 'sku=cli-3', '--idempotency-key', 'mine-3', '--wait');
    expect(own.code).toBe(0);
    const keys = Object.fromEntries(api.requests.map((q) => [q.body?.sku, q.key]));
    expect(keys).toMatchObject({ 'cli-2': 'cli:order-cli-2', 'cli-3': 'mine-3' });
  });

  test('--all walks the pages in the job, --poll waits for the API\'s job in it; a failed API job is exit 5', async () => {
    for (const sku of ['page-a', 'page-b', 'page-c']) expect((await enqueue('create-order', `sku=${sku}`, '--wait')).code).toBe(0);
    const listed = await enqueue('list-orders', 'limit=1', '--all', '--max-pages', '2', '--wait');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ items: [expect.objectContaining({ sku: expect.any(String) }), expect.any(Object)], truncated: true });
    const exported = await enqueue('export-orders', 'format=csv', '--poll', '--wait');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ status: 'done' });
    const broken = await enqueue('export-orders', 'format=broken', '--poll', '--wait');
    expect(broken.code).toBe(5);
    expect(broken.stderr).toMatch(/^naftiko: ASYNC_FAILED: job \d+ failed after 1 attempt: .*the format is broken/);
    expect(await enqueue('list-orders', '--all', '--poll')).toMatchObject({ code: 2, stderr: expect.stringContaining('--all and --poll cannot be combined') });
    // Eight naftiko processes in a row: on a loaded machine that takes longer than the default 5 s.
  }, 20_000);

  test('--wait exits as run does for the job error: 3 for an HTTP error, 1 for invalid input, error JSON with --json', async () => {
    api.respond = () => ({ status: 422, body: { error: 'sku unknown' } });
    const http = await enqueue('create-order', 'sku=nope', '--wait');
    expect(http.code).toBe(3);
    expect(http.stderr).toMatch(/^naftiko: HTTP_ERROR: job \d+ failed after 1 attempt: orders\.create-order: POST .* answered 422/);
    const invalid = await enqueue('create-order', 'quantity=1', '--wait', '--json');
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stderr)).toMatchObject({ name: 'JobFailedError', code: 'INPUT_INVALID', queue: 'cli', attemptsMade: 1 });
  });
});
