/**
 * `naftiko worker` processes sharing a queue on a real redis-server: a worker killed with SIGKILL in
 * the middle of 300 jobs loses none of them and no effect happens twice (its jobs are repeated by the
 * other worker with the same idempotency keys, which the API deduplicates); SIGTERM lets the jobs in
 * flight finish and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { BASE_ENV, CLI, ROOT } from './support/cli.js';
import { HOLD, startOrdersApi, type OrdersApi } from './support/ordersApi.js';
import { SKIP_REDIS, startRedisServer, type RedisServer } from './support/redisServer.js';

const TOKEN = 'orders-token-SECRET-fleet';
const FIXTURE = fileURLToPath(new URL('./fixtures/engines/orders.yaml', import.meta.url));

/** A `naftiko worker` child process. */
interface WorkerProcess {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

describe.skipIf(SKIP_REDIS)('naftiko worker processes', () => {
  let redis: RedisServer;
  let api: OrdersApi;
  const started: WorkerProcess[] = [];
  const closing: Array<{ close(): Promise<unknown> }> = [];

  beforeAll(async () => {
    [redis, api] = await Promise.all([startRedisServer(), startOrdersApi()]);
  });
  afterAll(async () => {
    for (const worker of started) worker.child.kill('SIGKILL');
    await Promise.all(started.map((w) => w.exited));
    await api?.close();
    await redis?.stop();
  });
  beforeEach(() => {
    api.requests.length = 0;
    api.effects.clear();
    api.respond = () => undefined;
    return async () => {
      for (const c of closing.splice(0)) await c.close();
    };
  });

  /** Starts `naftiko worker` as WORKER_NAME=name and resolves once it said it is ready. */
  async function startWorker(name: string, queue: string, ...extra: string[]): Promise<WorkerProcess> {
    const args = [CLI, 'worker', FIXTURE, '--queue', queue, '--redis', redis.url, '--base-uri', api.url, ...extra];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...BASE_ENV, ORDERS_TOKEN: TOKEN, WORKER_NAME: name }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const worker = { child, stderr: () => stderr, exited };
    started.push(worker);
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (stderr.includes(`worker on queue '${queue}'`)) resolve();
      });
      void exited.then((code) => reject(new Error(`worker ${name} exited with ${code}: ${stderr}`)));
    });
    return worker;
  }

  function open(name: string): { queue: Queue; events: QueueEvents } {
    const queue = new Queue(name, { connection: { url: redis.url } });
    const events = new QueueEvents(name, { connection: { url: redis.url } });
    closing.push(queue, events);
    return { queue, events };
  }

  test('300 jobs over two workers, one killed with SIGKILL mid-run: every job completes, every effect happens once', async () => {
    const { queue } = open('fleet');
    // A short lock, so that the killed worker's jobs are repeated within seconds, long enough that a
    // loaded machine renews the live worker's locks in time.
    const lock = ['--concurrency', '8', '--lock-duration', '4000'];
    const [a, b] = await Promise.all([startWorker('a', 'fleet', ...lock), startWorker('b', 'fleet', ...lock)]);
    // Worker a's requests after its 20th are held: they have had their effect, and never get an answer.
    let fromA = 0;
    api.respond = (request) => (request.worker === 'a' && ++fromA > 20 ? HOLD : undefined);
    api.delay = 2;

    const jobs = await queue.addBulk(
      Array.from({ length: 300 }, (_, i) => ({
        name: 'create-order',
        // Every third job carries its own key; the others get QUEUE:JOB_ID.
        data: { operation: 'create-order', inputs: { sku: `sku-${i}` }, ...(i % 3 === 0 ? { idempotencyKey: `key-${i}` } : {}) },
        opts: { attempts: 3, backoff: { type: 'fixed', delay: 50 } },
      })),
    );
    await vi.waitFor(() => expect(fromA).toBeGreaterThanOrEqual(24), { timeout: 20_000, interval: 20 });
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe(null);

    await vi.waitFor(async () => expect(await queue.getJobCounts('completed', 'failed')).toEqual({ completed: 300, failed: 0 }), { timeout: 40_000, interval: 200 });

    for (const [i, job] of jobs.entries()) {
      const done = (await queue.getJob(job.id!))!;
      expect(done.returnvalue).toMatchObject({ sku: `sku-${i}` });
    }
    // Every order was created exactly once ...
    expect(api.effects.size).toBe(300);
    expect([...api.effects.values()].every((count) => count === 1)).toBe(true);
    // ... although the jobs worker a held were sent twice: by a, then by b, with the same key.
    const sent = new Map<string, Array<{ worker?: string; key?: string }>>();
    for (const r of api.requests) sent.set(String(r.body?.sku), [...(sent.get(String(r.body?.sku)) ?? []), { worker: r.worker, key: r.key }]);
    const repeated = [...sent.entries()].filter(([, requests]) => requests.length > 1);
    expect(repeated.length).toBeGreaterThanOrEqual(4);
    for (const [sku, requests] of repeated) {
      expect(requests.map((r) => r.worker)).toEqual(['a', 'b']);
      const i = Number(sku.slice(4));
      const key = i % 3 === 0 ? `key-${i}` : `fleet:${jobs[i].id}`;
      expect(requests.map((r) => r.key)).toEqual([key, key]);
    }

    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 90_000);

  test('SIGTERM lets the job in flight finish, takes no new job, and exits 0', async () => {
    const { queue, events } = open('drain');
    const worker = await startWorker('c', 'drain', '--verbose');
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    api.respond = async () => {
      await held;
      return undefined;
    };
    const first = await queue.add('create-order', { operation: 'create-order', inputs: { sku: 'in-flight' } });
    await vi.waitFor(() => expect(api.requests).toHaveLength(1));
    worker.child.kill('SIGTERM');
    await vi.waitFor(() => expect(worker.stderr()).toContain('SIGTERM: finishing the jobs in flight, then stopping'));
    const second = await queue.add('create-order', { operation: 'create-order', inputs: { sku: 'too-late' } });
    release();
    expect(await first.waitUntilFinished(events)).toMatchObject({ sku: 'in-flight' });
    expect(await worker.exited).toBe(0);
    expect(await second.getState()).toBe('waiting');
    expect(api.requests).toHaveLength(1);
    expect(worker.stderr()).toMatch(new RegExp(`job ${first.id} create-order: completed in \\d+ ms \\(attempt 1\\)`));
  }, 30_000);

  test('a second signal aborts the call in flight, puts its job back without using an attempt, and exits 130', async () => {
    const { queue } = open('abort');
    const worker = await startWorker('d', 'abort');
    api.respond = () => HOLD;
    const job = await queue.add('create-order', { operation: 'create-order', inputs: { sku: 'interrupted' } }, { attempts: 3 });
    await vi.waitFor(() => expect(api.requests).toHaveLength(1));
    worker.child.kill('SIGTERM');
    await vi.waitFor(() => expect(worker.stderr()).toContain('SIGTERM: finishing'));
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(130);
    expect(worker.stderr()).toContain('SIGTERM again: aborting the calls in flight; their jobs go back to the queue');
    expect(api.requests[0].aborted).toBe(true);
    const back = (await queue.getJob(job.id!))!;
    // Due now: the next worker to look takes it.
    expect(['waiting', 'delayed']).toContain(await back.getState());
    expect(back.attemptsMade).toBe(0);
  }, 30_000);
});
