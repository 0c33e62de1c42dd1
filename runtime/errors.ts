/**
 * One error hierarchy for everything the runtime reports. Every error has a stable `code` that
 * scripts and workflow engines can branch on, and `toJSON()` gives a plain object that can be
 * persisted or sent over the wire. Messages never contain secret values: the runtime masks every error
 * (message, details, cause, stack) before it leaves.
 */

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
  | 'NOT_SUPPORTED';

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

  constructor(code: ErrorCode, message: string, options: { operation?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.operation !== undefined) this.operation = options.operation;
    if (options.details !== undefined) this.details = options.details;
  }

  /** A plain, JSON-safe description of the error. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
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

/** The API answered with a non-2xx status. */
export class HttpError extends NaftikoError {
  readonly status: number;
  readonly body: unknown;
  constructor(message: string, options: { operation?: string; status: number; body: unknown; method: string; url: string }) {
    super('HTTP_ERROR', message, {
      operation: options.operation,
      details: { status: options.status, body: options.body, method: options.method, url: options.url },
    });
    this.status = options.status;
    this.body = options.body;
  }
}

/** The call took longer than its timeout. */
export class TimeoutError extends NaftikoError {
  constructor(message: string, options: { operation?: string; timeout: number; method: string; url: string; cause?: unknown }) {
    super('TIMEOUT', message, {
      operation: options.operation,
      details: { timeout: options.timeout, method: options.method, url: options.url },
      cause: options.cause,
    });
  }
}

/** The request could not be delivered (DNS, refused connection, reset, TLS). */
export class NetworkError extends NaftikoError {
  constructor(message: string, options: { operation?: string; method: string; url: string; cause?: unknown; errno?: string }) {
    super('NETWORK', message, {
      operation: options.operation,
      details: { method: options.method, url: options.url, ...(options.errno ? { errno: options.errno } : {}) },
      cause: options.cause,
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
