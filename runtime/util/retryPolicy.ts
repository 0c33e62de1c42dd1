/**
 * The runtime's one retry decision: whether a failed attempt may be made again, and when. The HTTP
 * client's own retries and the `retryable` flag of every error come from here, so what the runtime
 * retries by itself and what it tells a workflow engine to retry cannot disagree (Airbyte's
 * `ErrorResolution`, got's `calculate-retry-delay`: one pure function).
 *
 * Two questions decide:
 * - **Is the failure transient?** 408, 425, 429 and every 5xx; a refused, reset or unreachable
 *   connection, a DNS failure; a timeout. Any other status, a TLS certificate error, a malformed
 *   answer will fail the same way again.
 * - **May the request be sent again?** When it is idempotent (GET, HEAD, PUT, DELETE, OPTIONS,
 *   TRACE, or any request carrying an idempotency key, or every request when the caller set
 *   `retry.unsafe`), or when the server cannot have acted on it: the connection never opened, or
 *   the answer says the request was not processed (408, 425, 429).
 */

/** Methods whose repetition has the effect of one call (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/** Headers an idempotency key travels in when the caller writes it as an ordinary header. */
const IDEMPOTENCY_HEADERS = new Set(['idempotency-key', 'x-idempotency-key']);

/** Statuses saying the server did not process the request: resending it repeats nothing. */
const UNPROCESSED_STATUSES = new Set([408, 425, 429]);

/** Connection failures worth another attempt (got's list, and unreachable hosts). */
const TRANSIENT_ERRNOS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRINUSE']);

/** The connection never opened, so the server cannot have acted on the request. */
const UNSENT_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRINUSE']);

/** What went wrong with one attempt. */
export type Failure =
  /** The server answered with a status of 400 or more. */
  | { kind: 'status'; status: number; retryAfter?: string | string[] }
  /** The exchange failed below HTTP; `errno` is Node's code (`ECONNRESET`, …). */
  | { kind: 'network'; errno: string }
  /** No answer before the deadline: the server may have acted. */
  | { kind: 'timeout' };

/** Whether and when to try again. */
export interface RetryDecision {
  retryable: boolean;
  /** The wait the server asked for (`Retry-After`), in ms, when it gave one with a transient status. */
  retryAfterMs?: number;
}

/** The request facts a decision needs. */
export interface ResendFacts {
  method: string;
  headers?: Record<string, string>;
  /** The caller gave an idempotency key for this call. */
  idempotent?: boolean;
}

/**
 * Whether sending `request` again cannot cause a second side effect the caller did not ask for:
 * an idempotent method, an idempotency key (an empty one identifies nothing), or `unsafe`.
 */
export function mayResend(request: ResendFacts, unsafe: boolean): boolean {
  if (unsafe || request.idempotent === true || IDEMPOTENT_METHODS.has(request.method.toUpperCase())) return true;
  const headers = request.headers ?? {};
  for (const name of Object.keys(headers)) {
    if (IDEMPOTENCY_HEADERS.has(name.toLowerCase()) && headers[name].trim() !== '') return true;
  }
  return false;
}

/** 408, 425, 429 and 5xx: the same request may succeed later. */
export function isTransientStatus(status: number): boolean {
  return UNPROCESSED_STATUSES.has(status) || (status >= 500 && status <= 599);
}

/** Decides on a failed attempt of a request that may (`resendable`) or may not be sent again. */
export function resolveFailure(failure: Failure, resendable: boolean, now: number = Date.now()): RetryDecision {
  switch (failure.kind) {
    case 'status': {
      if (!isTransientStatus(failure.status)) return { retryable: false };
      const decision: RetryDecision = { retryable: resendable || UNPROCESSED_STATUSES.has(failure.status) };
      const wait = retryAfterMs(failure.retryAfter, now);
      if (wait !== undefined) decision.retryAfterMs = wait;
      return decision;
    }
    case 'network':
      return { retryable: TRANSIENT_ERRNOS.has(failure.errno) && (resendable || UNSENT_ERRNOS.has(failure.errno)) };
    case 'timeout':
      return { retryable: resendable };
  }
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) as a wait in ms from `now`: delay-seconds or an HTTP date (a date
 * in the past is 0). Undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isNaN(ms) ? undefined : Math.max(ms, 0);
}
