/**
 * Producers: add a job that runs an operation, and wait for its outputs. Plain BullMQ producers work
 * as well, by writing the same job `data` (see jobData.ts); these helpers add sensible retry defaults
 * and turn a failed job back into an error with the code the worker saw.
 */
import type { EventEmitter } from 'node:events';
import { Job, QueueEvents, type JobsOptions, type Queue } from 'bullmq';
import { NaftikoError, isErrorCode, type ErrorCode } from '../errors.js';
import type { OperationJobData } from './jobData.js';

/** BullMQ job options, plus the job data's own options. */
export interface EnqueueOptions extends JobsOptions, Pick<OperationJobData, 'idempotencyKey' | 'all' | 'maxPages' | 'wait'> {
  /** The job's name (default: the operation). */
  name?: string;
}

/** Options of {@link enqueueAndWait}. */
export interface WaitOptions {
  /**
   * A running QueueEvents of the queue, which any number of waits share. Without it one is opened for
   * the call on the queue's connection options and closed after; give your own when the queue was made
   * with a client instance (a QueueEvents blocks its connection, so it needs one of its own).
   */
  events?: QueueEvents;
  /** Give up waiting after this many ms: TIMEOUT (the job itself goes on). */
  timeout?: number;
}

/**
 * Retries owned by BullMQ when neither the call nor the queue's `defaultJobOptions` set them: 3
 * attempts, exponential backoff from 1 s with jitter. BullMQ's own default, 1 attempt, would make every
 * retryable error final.
 */
export const DEFAULT_JOB_OPTIONS: Readonly<Pick<JobsOptions, 'attempts' | 'backoff'>> = Object.freeze({
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
});

/** A job ended failed; `code` is the code of the error the worker saw. */
export class JobFailedError extends NaftikoError {
  readonly jobId: string;
  readonly queue: string;
  /** The job's failedReason, as stored: `CODE: message`. */
  readonly failedReason: string;
  /** Absent when the job was removed on failure before it could be read. */
  readonly attemptsMade?: number;

  constructor(code: ErrorCode, message: string, details: { jobId: string; queue: string; failedReason: string; attemptsMade?: number; operation?: string }) {
    const { operation, ...rest } = details;
    super(code, message, { ...(operation === undefined ? {} : { operation }), details: rest });
    this.jobId = details.jobId;
    this.queue = details.queue;
    this.failedReason = details.failedReason;
    if (details.attemptsMade !== undefined) this.attemptsMade = details.attemptsMade;
  }
}

/**
 * Adds a job that runs `operation` with `inputs`; resolves to the BullMQ job. A `jobId` makes adding
 * idempotent (BullMQ keeps the first job of an id), and the default idempotency key follows it.
 */
export function enqueue(queue: Queue, operation: string, inputs: Record<string, unknown> = {}, options: EnqueueOptions = {}): Promise<Job<OperationJobData>> {
  const { name, idempotencyKey, all, maxPages, wait, ...jobOptions } = options;
  const data: OperationJobData = { operation, inputs };
  if (idempotencyKey !== undefined) data.idempotencyKey = idempotencyKey;
  if (all !== undefined) data.all = all;
  if (maxPages !== undefined) data.maxPages = maxPages;
  if (wait !== undefined) data.wait = wait;
  const defaults = queue.defaultJobOptions;
  const retries = { ...(defaults.attempts === undefined ? { attempts: DEFAULT_JOB_OPTIONS.attempts } : {}), ...(defaults.backoff === undefined ? { backoff: DEFAULT_JOB_OPTIONS.backoff } : {}) };
  return queue.add(name ?? operation, data, { ...retries, ...jobOptions });
}

/**
 * Adds a job like {@link enqueue} and resolves to its outputs once a worker completed it. A failed job
 * rejects with {@link JobFailedError} carrying the worker's error code (`HTTP_ERROR`, `INPUT_INVALID`…);
 * `timeout` rejects with TIMEOUT and leaves the job running.
 */
export async function enqueueAndWait(queue: Queue, operation: string, inputs: Record<string, unknown> = {}, options: EnqueueOptions & WaitOptions = {}): Promise<Record<string, unknown>> {
  const { events, timeout, ...enqueueOptions } = options;
  const own = events === undefined ? await openEvents(queue) : undefined;
  try {
    const job = await enqueue(queue, operation, inputs, enqueueOptions);
    return await waitForJob(queue, job, (events ?? own)!, timeout);
  } finally {
    await own?.close();
  }
}

/**
 * Resolves to a job's return value, or rejects with its failure (see {@link enqueueAndWait}). It listens
 * to the job's own events, then reads the stored job once, for a job that ended before: so any number of
 * waits share one QueueEvents, and a job removed on completion (`removeOnComplete`) is still heard of.
 */
export function waitForJob(queue: Queue, job: Pick<Job, 'id'>, events: QueueEvents, timeout?: number): Promise<Record<string, unknown>> {
  const id = job.id!;
  // QueueEvents also emits `completed:<id>` and `failed:<id>`, which its typings do not list.
  const emitter = events as unknown as EventEmitter;
  return new Promise((resolve, reject) => {
    const completed = `completed:${id}`;
    const failed = `failed:${id}`;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (end: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      emitter.off(completed, onCompleted);
      emitter.off(failed, onFailed);
      end();
    };
    const onCompleted = ({ returnvalue }: { returnvalue: unknown }) => settle(() => resolve(returnvalue as Record<string, unknown>));
    const onFailed = ({ failedReason }: { failedReason: string }) =>
      settle(() => void Job.fromId(queue, id).then((stored) => reject(jobFailedError(queue.name, stored ?? { id, failedReason, data: undefined })), reject));
    emitter.on(completed, onCompleted);
    emitter.on(failed, onFailed);
    if (timeout !== undefined) {
      timer = setTimeout(
        () =>
          settle(() =>
            void Job.fromId(queue, id)
              .then((stored) => stored?.getState())
              .then((state) => reject(new NaftikoError('TIMEOUT', `job ${id} of queue '${queue.name}' did not finish within ${timeout} ms (it is ${state ?? 'gone'}, and goes on)`, { details: { jobId: id, queue: queue.name, state, timeout } })), reject),
          ),
        timeout,
      );
    }
    // A job that ended before the events were heard is read back. A job loaded while still running and
    // found finished a moment later is loaded again: the first copy has no return value or reason yet.
    void (async () => {
      const stored = await Job.fromId(queue, id);
      // A job already removed ended before: its event tells how.
      const state = await stored?.getState();
      if (state !== 'completed' && state !== 'failed') return;
      const ended = (await Job.fromId(queue, id)) ?? stored!;
      if (state === 'completed') settle(() => resolve(ended.returnvalue as Record<string, unknown>));
      else settle(() => reject(jobFailedError(queue.name, ended)));
    })().catch((error: unknown) => settle(() => reject(error)));
  });
}

/**
 * The error for a failed job: its `failedReason` is `CODE: message` when a naftiko worker failed it.
 * A job that failed otherwise (it stalled more often than allowed, another kind of worker ran it) is
 * ASYNC_FAILED: an asynchronous job that finished as failed.
 */
export function jobFailedError(queue: string, job: Pick<Job, 'id' | 'failedReason' | 'data'> & { attemptsMade?: number }): NaftikoError {
  const failedReason = job.failedReason ?? '';
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(failedReason);
  const operation = typeof (job.data as { operation?: unknown } | undefined)?.operation === 'string' ? (job.data as OperationJobData).operation : undefined;
  const details = { jobId: job.id!, queue, failedReason, ...(job.attemptsMade === undefined ? {} : { attemptsMade: job.attemptsMade }), ...(operation === undefined ? {} : { operation }) };
  // A job removed on failure (`removeOnFail`) no longer says how many attempts it made.
  const failed = job.attemptsMade === undefined ? 'failed' : `failed after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'}`;
  if (match && isErrorCode(match[1])) return new JobFailedError(match[1], `job ${job.id} ${failed}: ${match[2]}`, details);
  return new JobFailedError('ASYNC_FAILED', `job ${job.id} ${failed}: ${failedReason}`, details);
}

async function openEvents(queue: Queue): Promise<QueueEvents> {
  const events = new QueueEvents(queue.name, { connection: queue.opts.connection, prefix: queue.opts.prefix });
  await events.waitUntilReady();
  return events;
}
