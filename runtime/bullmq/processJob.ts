/**
 * One job, run: the job's data becomes a runtime call, and its result or error becomes what BullMQ
 * understands. BullMQ owns retries, so the runtime's own are off; a retryable error is thrown for
 * BullMQ to retry by the job's `attempts` and `backoff`, any other becomes an `UnrecoverableError`
 * (one attempt), and a server's `Retry-After` pushes the next attempt back.
 */
import { Backoffs, DelayedError, UnrecoverableError, type BackoffStrategy, type Job } from 'bullmq';
import { NaftikoError } from '../errors.js';
import type { InvokeOptions, ItemsOptions, JobProgress, PageProgress, Runtime } from '../index.js';
import type { Redactor } from '../internal.js';
import { readJobData, type OperationJobData } from './jobData.js';

/** What the processor needs from its worker. */
export interface ProcessorContext {
  runtime: Runtime;
  /** Masks every secret of the runtime in what goes to Redis (failed reasons, stack traces). */
  redactor: Redactor;
  /** True once the worker stops at once: a call aborted for that returns its job to the queue. */
  stopping(): boolean;
  /** The worker's custom backoff strategy, for jobs whose backoff type is not built in. */
  backoffStrategy?: BackoffStrategy;
}

/** What a job returns: the operation's outputs (`{ items, truncated? }` for `all`). */
export type JobResult = Record<string, unknown>;

/**
 * The BullMQ processor of a naftiko worker. It declares the third parameter, the job's AbortSignal,
 * so that BullMQ hands one over (`worker.cancelJob`, shutdown).
 */
export function createProcessor(context: ProcessorContext): (job: Job, token: string | undefined, signal: AbortSignal | undefined) => Promise<JobResult> {
  return async (job, token, signal) => {
    // A fetch already under way when the worker began to stop can still hand it a job.
    if (context.stopping() && token !== undefined) return putBack(job, token);
    try {
      return await invokeJob(context.runtime, job, readJobData(job.data), signal);
    } catch (error) {
      if (signal?.aborted && context.stopping() && token !== undefined) return putBack(job, token);
      throw await jobFailure(context, job, error, signal);
    }
  };
}

/**
 * Returns a job to the queue without using an attempt: a stopping worker is not the job's fault.
 * Another worker repeats it, with the same idempotency key.
 */
async function putBack(job: Job, token: string): Promise<never> {
  await job.moveToDelayed(Date.now(), token);
  throw new DelayedError();
}

/** The default idempotency key of a job: its queue and id, which survive a repeat by another worker. */
export function jobIdempotencyKey(job: Pick<Job, 'queueName' | 'id'>): string {
  return `${job.queueName}:${job.id}`;
}

async function invokeJob(runtime: Runtime, job: Job, data: OperationJobData, signal: AbortSignal | undefined): Promise<JobResult> {
  const call: InvokeOptions = { retry: { limit: 0 }, idempotencyKey: data.idempotencyKey ?? jobIdempotencyKey(job) };
  if (signal !== undefined) call.signal = signal;
  const inputs = data.inputs ?? {};
  if (data.all) return walkPages(runtime, job, data, call.signal);
  if (!data.wait) return runtime.invoke(data.operation, inputs, call);
  const onProgress = ({ state, polls, elapsedMs, handle }: JobProgress) => report(job, { state, polls, elapsedMs, asyncJobId: handle.id });
  return runtime.invoke(data.operation, inputs, { ...call, wait: true, onProgress });
}

/** Every page in turn (pages are reads: no idempotency key), `{ pages, records, more }` reported after each. */
async function walkPages(runtime: Runtime, job: Job, data: OperationJobData, signal: AbortSignal | undefined): Promise<JobResult> {
  const items: unknown[] = [];
  let more = false;
  const onPage = (progress: PageProgress) => {
    more = progress.more;
    report(job, progress);
  };
  const options: ItemsOptions = { retry: { limit: 0 }, onPage, ...(signal === undefined ? {} : { signal }), ...(data.maxPages === undefined ? {} : { maxPages: data.maxPages }) };
  for await (const item of runtime.items(data.operation, data.inputs ?? {}, options)) items.push(item);
  return more ? { items, truncated: true } : { items };
}

/**
 * Sends a progress report without holding the call up; reports go out in order on the job's
 * connection, and one that fails (Redis gone) costs the job nothing.
 */
function report(job: Job, progress: object): void {
  job.updateProgress(progress).catch(() => {});
}

/**
 * The error BullMQ gets: its message (the job's `failedReason`) is `CODE: message`, its stack the
 * original error's frames, both masked. Cancelled and non-retryable errors are unrecoverable.
 */
async function jobFailure(context: ProcessorContext, job: Job, error: unknown, signal: AbortSignal | undefined): Promise<Error> {
  const { redactor } = context;
  if (!(error instanceof NaftikoError)) return redactor.error(error instanceof Error ? error : new Error(String(error)));
  const reason = redactor.text(`${error.code}: ${error.message}`);
  if (signal?.aborted) {
    const why = typeof signal.reason === 'string' && signal.reason !== '' ? `: ${redactor.text(signal.reason)}` : '';
    return withFrames(new UnrecoverableError(`ABORTED: job ${job.id} was cancelled${why}`), error, redactor);
  }
  if (!error.retryable) return withFrames(new UnrecoverableError(reason), error, redactor);
  if (error.retryAfterMs !== undefined) await delayNextAttempt(job, error.retryAfterMs, error, context.backoffStrategy);
  const failure = new Error(reason);
  failure.name = error.name;
  return withFrames(failure, error, redactor);
}

/**
 * Makes the next attempt wait at least `retryAfterMs`, and at least what the job's own backoff asks.
 * BullMQ reads `job.opts.backoff` when it moves the job to failed, right after the processor throws,
 * from this same Job object: this attempt's copy of the options is changed, not the stored job.
 */
async function delayNextAttempt(job: Job, retryAfterMs: number, error: Error, strategy: BackoffStrategy | undefined): Promise<void> {
  if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) return;
  const backoff = job.opts.backoff === undefined ? undefined : Backoffs.normalize(job.opts.backoff);
  const planned = backoff === undefined ? 0 : ((await Backoffs.calculate(backoff, job.attemptsMade + 1, error, job, strategy)) ?? 0);
  // -1 is a custom strategy's "do not retry": leave that decision alone.
  if (planned === -1) return;
  job.opts = { ...job.opts, backoff: { type: 'fixed', delay: Math.max(planned, retryAfterMs) } };
}

/** `failure` with the frames of `original` (where it was thrown), masked. */
function withFrames(failure: Error, original: Error, redactor: Redactor): Error {
  const frames = (original.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  failure.stack = redactor.text([`${failure.name}: ${failure.message}`, ...frames].join('\n'));
  return failure;
}
