/**
 * Errors as Temporal understands them. Temporal owns retries: a runtime error becomes an
 * `ApplicationFailure` whose `type` is the error code (usable in `nonRetryableErrorTypes`),
 * `nonRetryable` follows the runtime's classification, `nextRetryDelay` a server's `Retry-After`, and
 * `details` holds the error's masked `toJSON()`. A cancelled activity ends with Temporal's own
 * `CancelledFailure`, so the workflow sees a cancellation and not a failure.
 */
import { ApplicationFailure } from '@temporalio/common';
import { NaftikoError } from '../errors.js';
import type { Redactor } from '../internal.js';

/** What an activity throws for `error`, raised while `signal` (the activity's cancellation) was in force. */
export function activityFailure(error: unknown, signal: AbortSignal, redactor: Redactor): unknown {
  if (signal.aborted) return signal.reason;
  // Not the runtime's (a bug, a lost connection): the error itself, masked in every field.
  if (!(error instanceof NaftikoError)) return error instanceof Error ? redactor.error(error) : error;
  return ApplicationFailure.create({
    type: error.code,
    message: redactor.text(error.message),
    nonRetryable: !error.retryable,
    ...(error.retryAfterMs === undefined ? {} : { nextRetryDelay: error.retryAfterMs }),
    details: [redactor.tree(error.toJSON())],
  });
}
