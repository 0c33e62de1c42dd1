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
}

/**
 * Checks a job's `data` against the contract; a job that breaks it can never succeed (INPUT_INVALID).
 * Other keys are left alone: producers may carry their own metadata, and a newer producer may add
 * fields an older worker does not know.
 */
export function readJobData(data: unknown): OperationJobData {
  const problem = (text: string) => new InputError(`job data ${text}; expected { operation, inputs?, idempotencyKey? }`);
  if (!isObject(data)) throw problem(`is ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data}, not an object`);
  const { operation, inputs, idempotencyKey } = data;
  if (typeof operation !== 'string' || operation === '') throw problem("needs 'operation', a non-empty string");
  if (inputs !== undefined && inputs !== null && !isObject(inputs)) throw problem("'inputs' must be an object");
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey === '')) throw problem("'idempotencyKey' must be a non-empty string");
  const read: OperationJobData = { operation, inputs: (inputs as Record<string, unknown> | null | undefined) ?? {} };
  if (idempotencyKey !== undefined) read.idempotencyKey = idempotencyKey as string;
  return read;
}
