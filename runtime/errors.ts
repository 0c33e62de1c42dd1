/**
 * One error hierarchy for everything the runtime reports. Every error has a stable `code` that
 * scripts and workflow engines can branch on, says whether trying again may help (`retryable`, and
 * `retryAfterMs` when the server said when), and `toJSON()` gives a plain object that can be
 * persisted or sent over the wire. Messages never contain secret values: the runtime masks every error
 * (message, details, cause, stack) before it leaves.
 */
import { isTransientStatus, retryAfterMs } from './util/retryPolicy.js';

/** Stable error codes. */
export type ErrorCode =
  | 'SPEC_INVALID'
  | 'OPERATION_NOT_FOUND'
  | 'INPUT_INVALID'
  | 'SECRET_MISSING'
  | 'HTTP_ERROR'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'RESPONSE_INVALID'
  | 'OUTPUT_INVALID'
  | 'ABORTED'
  | 'NOT_SUPPORTED'
  | 'AUTH_FAILED'
  | 'ASYNC_FAILED';

/**
 * Whether an error of each code is worth another attempt when nothing more is known. The errors of
 * an exchange (HTTP_ERROR, AUTH_FAILED, NETWORK, TIMEOUT) are decided per attempt by
 * `util/retryPolicy.ts`, from the status or errno and whether the request may be sent again.
 */
const RETRYABLE_BY_DEFAULT: Record<ErrorCode, boolean> = {
  SPEC_INVALID: false,
  OPERATION_NOT_FOUND: false,
  INPUT_INVALID: false,
  SECRET_MISSING: false,
  HTTP_ERROR: false,
  TIMEOUT: true,
  NETWORK: true,
  RESPONSE_INVALID: false,
  OUTPUT_INVALID: false,
  ABORTED: false,
  NOT_SUPPORTED: false,
  AUTH_FAILED: false,
  ASYNC_FAILED: false,
};

/** Whether `text` is one of the stable error codes (an engine reading back a stored failure checks it). */
export function isErrorCode(text: string): text is ErrorCode {
  return Object.hasOwn(RETRYABLE_BY_DEFAULT, text);
}

/** What every error may be told besides its code and message. */
export interface NaftikoErrorOptions {
  operation?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Overrides the code's default (see `retryable`). */
  retryable?: boolean;
  retryAfterMs?: number;
}

/** A problem found in a capability file, with its source position. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** File the problem is in (absolute or as given). */
  file: string;
  /** 1-based line, 0 when unknown. */
  line: number;
  /** 1-based column, 0 when unknown. */
  col: number;
  /** JSON pointer of the offending node inside the file. */
  pointer: string;
  message: string;
}

/** Formats a diagnostic as `file:line:col: severity: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

/** Base class of every error the runtime throws on purpose. */
export class NaftikoError extends Error {
  readonly code: ErrorCode;
  /** Operation the error belongs to, as `namespace.name`, when there is one. */
  readonly operation?: string;
  readonly details?: Record<string, unknown>;
  /**
   * Whether the same call, made again, may succeed: the failure is transient (network, timeout,
   * 408/425/429/5xx) and sending the request again cannot repeat a side effect (an idempotent method,
   * an idempotency key, or a request the server did not act on). Everything else is not retryable.
   */
  readonly retryable: boolean;
  /** How long the server asked to wait before trying again (`Retry-After`), in ms, when it said. */
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: NaftikoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT[code];
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.operation !== undefined) this.operation = options.operation;
    if (options.details !== undefined) this.details = options.details;
  }

  /** A plain, JSON-safe description of the error. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
    if (this.retryAfterMs !== undefined) json.retryAfterMs = this.retryAfterMs;
    if (this.operation !== undefined) json.operation = this.operation;
    if (this.details !== undefined) Object.assign(json, this.details);
    return json;
  }
}

/** The capability file (or an imported one) cannot be used. */
export class SpecError extends NaftikoError {
  readonly diagnostics: Diagnostic[];
  constructor(message: string, diagnostics: Diagnostic[] = []) {
    super('SPEC_INVALID', message, { details: { diagnostics } });
    this.diagnostics = diagnostics;
  }
}

/** No operation has the requested name. */
export class OperationNotFoundError extends NaftikoError {
  constructor(message: string, details: { name: string; suggestions?: string[]; candidates?: string[] }) {
    super('OPERATION_NOT_FOUND', message, { details });
  }
}

/** A caller-supplied input is missing, of the wrong type, or fails its constraints. */
export class InputError extends NaftikoError {
  constructor(message: string, options: { operation?: string; parameter?: string; pointer?: string } = {}) {
    const details: Record<string, unknown> = {};
    if (options.parameter !== undefined) details.parameter = options.parameter;
    if (options.pointer !== undefined) details.pointer = options.pointer;
    super('INPUT_INVALID', message, { operation: options.operation, details });
  }
}

/** A secret the operation needs is not set. */
export class SecretMissingError extends NaftikoError {
  constructor(message: string, options: { operation?: string; variable: string }) {
    super('SECRET_MISSING', message, { operation: options.operation, details: { variable: options.variable } });
  }
}

/** Response headers as Node gives them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/**
 * The API answered with a non-2xx status. Without a decision of the caller, 408, 425, 429 and 5xx are
 * retryable and `retryAfterMs` is read from the response's `Retry-After`.
 */
export class HttpError extends NaftikoError {
  readonly status: number;
  readonly body: unknown;
  /** The response headers, secrets masked (not part of `toJSON()`: an API's cookies are its own business). */
  readonly headers: ResponseHeaders;
  constructor(
    message: string,
    options: { operation?: string; status: number; body: unknown; method: string; url: string; headers?: ResponseHeaders; retryable?: boolean; retryAfterMs?: number },
  ) {
    const transient = isTransientStatus(options.status);
    const wait = options.retryAfterMs ?? (transient ? retryAfterMs(options.headers?.['retry-after']) : undefined);
    super('HTTP_ERROR', message, {
      operation: options.operation,
      details: { status: options.status, body: options.body, method: options.method, url: options.url },
      retryable: options.retryable ?? transient,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
    this.status = options.status;
    this.body = options.body;
    this.headers = options.headers ?? {};
  }
}

/** The call took longer than its timeout. */
export class TimeoutError extends NaftikoError {
  constructor(message: string, options: { operation?: string; timeout: number; method?: string; url?: string; cause?: unknown; retryable?: boolean; details?: Record<string, unknown> }) {
    const request = options.method === undefined ? {} : { method: options.method, url: options.url };
    super('TIMEOUT', message, {
      operation: options.operation,
      details: { timeout: options.timeout, ...request, ...options.details },
      cause: options.cause,
      retryable: options.retryable,
    });
  }
}

/** The request could not be delivered (DNS, refused connection, reset, TLS). */
export class NetworkError extends NaftikoError {
  constructor(message: string, options: { operation?: string; method: string; url: string; cause?: unknown; errno?: string; retryable?: boolean }) {
    super('NETWORK', message, {
      operation: options.operation,
      details: { method: options.method, url: options.url, ...(options.errno ? { errno: options.errno } : {}) },
      cause: options.cause,
      retryable: options.retryable,
    });
  }
}

/** The caller aborted the call through its `AbortSignal`. */
export class AbortedError extends NaftikoError {
  constructor(message: string, options: { operation?: string } = {}) {
    super('ABORTED', message, options);
  }
}

/** The response could not be read: too large, or not in the declared format. */
export class ResponseError extends NaftikoError {
  constructor(message: string, options: { operation?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super('RESPONSE_INVALID', message, options);
  }
}

/** An output parameter's value cannot be given its declared type. */
export class OutputError extends NaftikoError {
  constructor(message: string, options: { operation?: string; output: string }) {
    super('OUTPUT_INVALID', message, { operation: options.operation, details: { output: options.output } });
  }
}

/** The capability uses a feature this runtime deliberately does not run (e.g. script steps). */
export class NotSupportedError extends NaftikoError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('NOT_SUPPORTED', message, { details });
  }
}

/**
 * The authorization server refused to issue a token (OAuth2 client credentials). A refused client
 * (400, 401 and other 4xx) is not retryable; a 5xx or 429 from the token endpoint is.
 */
export class AuthError extends NaftikoError {
  /** The token endpoint's status. */
  readonly status: number;
  constructor(
    message: string,
    options: { operation?: string; status: number; endpoint: string; body?: unknown; error?: string; headers?: ResponseHeaders; retryable?: boolean; cause?: unknown },
  ) {
    const transient = isTransientStatus(options.status);
    const wait = transient ? retryAfterMs(options.headers?.['retry-after']) : undefined;
    const details: Record<string, unknown> = { status: options.status, endpoint: options.endpoint };
    if (options.error !== undefined) details.error = options.error;
    if (options.body !== undefined) details.body = options.body;
    super('AUTH_FAILED', message, {
      operation: options.operation,
      details,
      cause: options.cause,
      retryable: options.retryable ?? transient,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
    this.status = options.status;
  }
}

/**
 * An asynchronous job finished as failed: its poll answer matched the operation's `async.failed`.
 * `reason` is the value that matched; `handle` is what `runtime.start()` returned for the job.
 */
export class AsyncJobError extends NaftikoError {
  readonly reason: unknown;
  readonly handle: Record<string, unknown>;
  constructor(message: string, options: { operation?: string; reason: unknown; handle: Record<string, unknown>; outputs?: Record<string, unknown> }) {
    const details: Record<string, unknown> = { reason: options.reason, handle: options.handle };
    if (options.outputs !== undefined) details.outputs = options.outputs;
    super('ASYNC_FAILED', message, { operation: options.operation, details });
    this.reason = options.reason;
    this.handle = options.handle;
  }
}
