/**
 * The job format, which is the contract between producers and workers: any BullMQ producer, in any
 * service or language, can add jobs a naftiko worker runs, by writing this `data`.
 */
import { InputError } from '../errors.js';
import { isObject } from '../util/isObject.js';

/** The `data` of a job a naftiko worker runs. The job's name is free; by convention, the operation. */
export interface OperationJobData {
  /** The operation, by name, `namespace.name` or id (as `runtime.invoke` takes it). */
  operation: string;
  /** The operation's inputs (default: none). */
  inputs?: Record<string, unknown>;
  /**
   * Sent as the operation's idempotency key on every attempt. Default: `QUEUE:JOB_ID`, which a job
   * left behind by a killed worker keeps when another worker repeats it.
   */
  idempotencyKey?: string;
  /**
   * For an operation declared `pagination:`: walk every page, reporting `{ pages, records, more }` as
   * the job's progress after each; the job returns `{ items }` (and `truncated: true` when it stopped
   * at `maxPages` with more pages left).
   */
  all?: boolean;
  /** With `all`: at most this many pages (default: the operation's `pagination.maxPages`). */
  maxPages?: number;
  /**
   * For an operation declared `async:`: submit, then poll until the API's job is done, reporting
   * `{ state, polls, elapsedMs, asyncJobId }` as the job's progress after each poll; the job returns the
   * poll operation's final outputs.
   */
  wait?: boolean;
}

/**
 * Checks a job's `data` against the contract; a job that breaks it can never succeed (INPUT_INVALID).
 * Other keys are left alone: producers may carry their own metadata, and a newer producer may add
 * fields an older worker does not know.
 */
export function readJobData(data: unknown): OperationJobData {
  const problem = (text: string) => new InputError(`job data ${text}; expected { operation, inputs?, idempotencyKey?, all?, maxPages?, wait? }`);
  if (!isObject(data)) throw problem(`is ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data}, not an object`);
  const { operation, inputs, idempotencyKey, all, maxPages, wait } = data;
  if (typeof operation !== 'string' || operation === '') throw problem("needs 'operation', a non-empty string");
  if (inputs !== undefined && inputs !== null && !isObject(inputs)) throw problem("'inputs' must be an object");
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey === '')) throw problem("'idempotencyKey' must be a non-empty string");
  for (const [name, value] of [['all', all], ['wait', wait]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw problem(`'${name}' must be true or false`);
  }
  if (maxPages !== undefined && !(Number.isInteger(maxPages) && (maxPages as number) > 0)) throw problem("'maxPages' must be a whole number of at least 1");
  if (maxPages !== undefined && all !== true) throw problem("'maxPages' needs 'all'");
  if (all === true && wait === true) throw problem("cannot have both 'all' and 'wait'");
  const read: OperationJobData = { operation, inputs: (inputs as Record<string, unknown> | null | undefined) ?? {} };
  if (idempotencyKey !== undefined) read.idempotencyKey = idempotencyKey as string;
  if (all === true) read.all = true;
  if (maxPages !== undefined) read.maxPages = maxPages as number;
  if (wait === true) read.wait = true;
  return read;
}
