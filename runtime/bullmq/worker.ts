/**
 * A BullMQ worker that runs the operations of capabilities: one runtime (one connection pool, one
 * secret store) shared by every job of the worker, any number of workers on any number of machines
 * sharing a queue.
 */
import { Worker, type ConnectionOptions, type WorkerOptions as BullWorkerOptions } from 'bullmq';
import { createRuntime, loadCapability, type Capability, type Runtime, type RuntimeOptions } from '../index.js';
import { runtimeInternals } from '../internal.js';
import type { OperationJobData } from './jobData.js';
import { createProcessor, type JobResult } from './processJob.js';

/** A capability file (path or `file:` URL), or a capability `loadCapability` returned. */
export type CapabilitySource = string | URL | Capability;

/** Options of {@link createWorker}. */
export interface WorkerOptions {
  /** The capabilities whose operations the jobs name. */
  capabilities: CapabilitySource | CapabilitySource[];
  /** The queue's name. */
  queue: string;
  /** Where Redis is: `{ url: 'redis://…' }`, `{ host, port, … }` or an ioredis client. */
  connection: ConnectionOptions;
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number;
  /** Options of the worker's runtime; its `retry` is not used, since BullMQ owns retries. */
  runtimeOptions?: RuntimeOptions;
  /** Any other BullMQ worker option: `lockDuration`, `stalledInterval`, `limiter`, `settings`, `prefix`… */
  workerOptions?: Omit<BullWorkerOptions, 'connection' | 'concurrency' | 'autorun'>;
  /**
   * Told of the worker's own errors (Redis connection lost, a lock that could not be renewed); BullMQ
   * goes on and reconnects. Without it they are ignored, never thrown.
   */
  onError?: (error: Error) => void;
}

/** A running worker. */
export interface NaftikoWorker {
  /** The BullMQ worker, for its events (`completed`, `failed`, `progress`…) and anything else. */
  readonly worker: Worker<OperationJobData, JobResult>;
  /** The runtime the jobs run on. */
  readonly runtime: Runtime;
  /** Aborts the job's call in flight; the job fails with ABORTED and is not retried. False when this worker does not run it. */
  cancelJob(jobId: string, reason?: string): boolean;
  /**
   * Stops taking jobs, lets the ones in flight finish, and closes the connections. With `force`, the
   * calls in flight are aborted instead and their jobs go back to the queue, without using an attempt,
   * for another worker to repeat with the same idempotency key. Either way BullMQ stores what became of
   * each job first, so while Redis is unreachable the close waits for it (a worker that never reached
   * Redis closes at once).
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/**
 * Starts a worker that takes jobs from `queue` and runs the operations they name (see
 * {@link OperationJobData} for the job format).
 *
 * ```ts
 * const { worker, close } = await createWorker({
 *   capabilities: ['capabilities/vital-users.yaml'],
 *   queue: 'vital',
 *   connection: { url: 'redis://127.0.0.1:6379' },
 *   concurrency: 16,
 * });
 * ```
 */
export async function createWorker(options: WorkerOptions): Promise<NaftikoWorker> {
  const sources = Array.isArray(options.capabilities) ? options.capabilities : [options.capabilities];
  const capabilities = await Promise.all(sources.map((source) => (typeof source === 'string' || source instanceof URL ? loadCapability(source) : source)));
  const runtime = createRuntime(capabilities, options.runtimeOptions);
  const redactor = runtimeInternals(runtime).secrets.redactor;
  let stopping = false;
  const processor = createProcessor({ runtime, redactor, stopping: () => stopping, backoffStrategy: options.workerOptions?.settings?.backoffStrategy });
  const worker = new Worker<OperationJobData, JobResult>(options.queue, processor, {
    ...options.workerOptions,
    connection: options.connection,
    concurrency: options.concurrency ?? 1,
  });
  // An EventEmitter 'error' without a listener would throw; BullMQ reconnects by itself.
  worker.on('error', (error) => options.onError?.(error));
  let reachedRedis = false;
  worker.waitUntilReady().then(
    () => (reachedRedis = true),
    () => {},
  );

  let closed: Promise<void> | undefined;
  const abortCalls = () => {
    stopping = true;
    worker.cancelAllJobs('the worker is stopping');
  };
  const stop = (force: boolean): Promise<void> => {
    // A worker that never reached Redis has nothing in flight, and BullMQ's close would wait for Redis.
    if (!reachedRedis) return worker.close(true);
    if (force) abortCalls();
    // BullMQ's close waits for the jobs in flight (or the aborted ones put back), and for a fetch under way.
    return worker.close();
  };
  return {
    worker,
    runtime,
    cancelJob: (jobId, reason) => worker.cancelJob(jobId, reason),
    close({ force = false } = {}) {
      if (closed === undefined) {
        closed = stop(force).finally(() => runtime.close());
      } else if (force && !stopping) {
        // A graceful close is under way and BullMQ ends it its own way: aborting the calls ends it sooner.
        abortCalls();
      }
      return closed;
    },
  };
}

