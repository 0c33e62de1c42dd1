/**
 * Asynchronous jobs (`async:` on a submitting operation): `runtime.start` submits and hands out a
 * JSON handle, `runtime.poll` reads the job's state once, `invoke(…, { wait: true })` polls until the
 * job is done, with backoff between polls (a poll answer's Retry-After wins), within `async.timeout`
 * and the caller's signal.
 *
 * Sends nothing itself: every request goes through the runtime's one exchange.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, AsyncJobError, InputError, ResponseError, TimeoutError } from '../errors.js';
import type { AsyncPlan, OperationPlan } from '../compile/plan.js';
import type { AsyncJobHandle, InvokeOptions, PollResult } from '../types.js';
import { isSet, selectValue } from '../response/select.js';
import { summarizeBody } from '../response/looseBody.js';
import { extractOutputs } from '../response/extractOutputs.js';
import { isObject } from '../util/isObject.js';
import { resolveFailure, retryAfterMs, type ResendFacts } from '../util/retryPolicy.js';
import { JOB_ID } from '../compile/compileAsync.js';
import type { PageSource } from './pages.js';
import { stringify } from './renderTemplate.js';

/** What the runtime lends the job poller: what it lends the page reader, and more. */
export interface JobSource<E extends { plan: OperationPlan }> extends PageSource<E> {
  /** Whether `text` holds a secret of the runtime's store. */
  holdsSecret(text: string): boolean;
  /** Whether a request may be sent again, by the runtime's rule and the call's or the runtime's `retry.unsafe`. */
  mayResend(request: ResendFacts, call: InvokeOptions): boolean;
}

/** Submits the job and returns its handle. */
export async function submitJob<E extends { plan: OperationPlan }>(source: JobSource<E>, name: string, inputs: Record<string, unknown>, call: InvokeOptions): Promise<AsyncJobHandle> {
  const entry = source.find(name);
  const { plan } = entry;
  const job = asyncOf(plan);
  const answer = await source.exchange(entry, inputs, call);
  const outputs = extractOutputs(plan.outputs, answer.data, plan.id);
  const id = selectValue(job.id, answer.data);
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new ResponseError(`${plan.id}: the submit response has no job id at ${job.id.expression}; the job cannot be followed`, { operation: plan.id, details: { path: job.id.expression } });
  }
  const handle: AsyncJobHandle = { operation: plan.id, id, poll: { operation: job.pollOperation, inputs: pollInputs(job, id, inputs) }, submittedAt: new Date().toISOString(), outputs };
  if (source.holdsSecret(JSON.stringify(handle.poll.inputs))) {
    throw new InputError(`${plan.id}: the job's poll inputs would carry a secret given as an input; a job handle is handed out, so it cannot hold one`, { operation: plan.id });
  }
  return handle;
}

/** Polls the job once. */
export async function pollJob<E extends { plan: OperationPlan }>(source: JobSource<E>, handle: AsyncJobHandle, call: InvokeOptions): Promise<PollResult> {
  return (await pollOnce(source, handle, call)).result;
}

/** Polls until the job is done: its final outputs, or ASYNC_FAILED, TIMEOUT (`async.timeout`) or ABORTED. */
export async function waitForJob<E extends { plan: OperationPlan }>(source: JobSource<E>, handle: AsyncJobHandle, call: InvokeOptions): Promise<Record<string, unknown>> {
  const submit = source.find(handle.operation).plan;
  const job = asyncOf(submit);
  const started = performance.now();
  const deadline = started + job.timeout;
  let interval = job.interval;
  for (let polls = 1; ; polls++) {
    // A poll is a request with its own timeout, never cut by the wait's deadline: the last one, made at
    // the deadline, is a last look rather than a request abandoned half-way.
    const { result, serverWait } = await pollOnce(source, handle, call);
    if (result.state === 'done') return result.outputs;
    if (result.state === 'failed') {
      throw new AsyncJobError(`${submit.id}: job ${handle.id} failed${summarizeBody(isObject(result.reason) || typeof result.reason === 'string' ? result.reason : JSON.stringify(result.reason))}`, {
        operation: submit.id,
        reason: result.reason,
        handle: handle as unknown as Record<string, unknown>,
        outputs: result.outputs,
      });
    }
    call.onProgress?.({ state: 'running', polls, elapsedMs: performance.now() - started, outputs: result.outputs, handle });
    const left = deadline - performance.now();
    if (left <= 0) throw stillRunning(source, submit, job, handle, call);
    const wait = Math.min(serverWait ?? interval, left);
    interval = Math.min(interval * job.backoff, job.maxInterval);
    try {
      await sleep(wait, undefined, call.signal ? { signal: call.signal } : undefined);
    } catch {
      throw new AbortedError(`${submit.id}: the wait for job ${handle.id} was aborted`, { operation: submit.id });
    }
  }
}

/** One poll, and the wait the server asked for (Retry-After), if it did. */
async function pollOnce<E extends { plan: OperationPlan }>(source: JobSource<E>, handle: AsyncJobHandle, call: InvokeOptions): Promise<{ result: PollResult; serverWait?: number }> {
  checkHandle(handle);
  const job = asyncOf(source.find(handle.operation).plan);
  const poller = source.find(handle.poll.operation);
  if (poller.plan.id !== job.pollOperation) {
    throw new InputError(`${handle.operation}: the handle polls '${handle.poll.operation}', but the operation's jobs are polled with '${job.pollOperation}'`, { operation: handle.operation, parameter: 'handle' });
  }
  const answer = await source.exchange(poller, handle.poll.inputs, { signal: call.signal, timeout: call.timeout, retry: call.retry });
  const outputs = extractOutputs(poller.plan.outputs, answer.data, poller.plan.id);
  if (job.failed !== undefined) {
    const reason = selectValue(job.failed, answer.data);
    if (isSet(reason)) return { result: { state: 'failed', outputs, reason } };
  }
  if (isSet(selectValue(job.done, answer.data))) return { result: { state: 'done', outputs } };
  const serverWait = retryAfterMs(answer.headers['retry-after']);
  return { result: { state: 'running', outputs, retryAfterMs: serverWait ?? job.interval }, ...(serverWait === undefined ? {} : { serverWait }) };
}

/**
 * The poll operation's inputs: `poll.with` rendered (`{{id}}` the job id, `{{name}}` a submit input;
 * a value that is one placeholder keeps its JSON type), then the submit inputs passed on by name.
 */
function pollInputs(job: AsyncPlan, id: string | number, inputs: Record<string, unknown>): Record<string, unknown> {
  const lookup = (name: string) => (name === JOB_ID ? id : inputs[name]);
  const result: Record<string, unknown> = {};
  for (const name of job.passOn) if (inputs[name] !== undefined) result[name] = inputs[name];
  for (const { name, value } of job.with) {
    const { parts } = value;
    if (parts.length === 1 && parts[0].kind === 'input') result[name] = lookup(parts[0].name);
    else result[name] = parts.map((part) => (part.kind === 'text' ? part.text : part.kind === 'input' ? stringify(lookup(part.name)) : '')).join('');
  }
  return result;
}

function stillRunning<E extends { plan: OperationPlan }>(source: JobSource<E>, submit: OperationPlan, job: AsyncPlan, handle: AsyncJobHandle, call: InvokeOptions): TimeoutError {
  // Waiting again means submitting again: safe only when that repeats nothing.
  const resendable = source.mayResend({ method: submit.method, idempotent: call.idempotencyKey !== undefined }, call);
  return new TimeoutError(`${submit.id}: job ${handle.id} is still running after ${job.timeout} ms (async.timeout); poll it with runtime.poll(handle)`, {
    operation: submit.id,
    timeout: job.timeout,
    retryable: resolveFailure({ kind: 'timeout' }, resendable).retryable,
    details: { handle },
  });
}

function asyncOf(plan: OperationPlan): AsyncPlan {
  if (plan.async === undefined) throw new InputError(`${plan.id}: the operation declares no async job: call invoke() without wait, or add 'async:' to it`, { operation: plan.id });
  return plan.async;
}

function checkHandle(handle: unknown): asserts handle is AsyncJobHandle {
  const ok =
    isObject(handle) &&
    typeof handle.operation === 'string' &&
    (typeof handle.id === 'string' || typeof handle.id === 'number') &&
    isObject(handle.poll) &&
    typeof handle.poll.operation === 'string' &&
    isObject(handle.poll.inputs);
  if (!ok) throw new InputError('not a job handle: pass what runtime.start() returned (as JSON, unchanged)', { parameter: 'handle' });
}
