/**
 * The public shapes of the runtime: what `loadCapability` returns, what a `Runtime` takes and gives.
 * Everything here is plain, JSON-friendly data; compiled plans stay inside the runtime.
 */
import type { Diagnostic } from './errors.js';
import type { PaginationType, ParameterLocation, RawFormat, ValueType } from './util/vocabulary.js';

export type { PaginationType, ParameterLocation, RawFormat, ValueType };

/** A JSON Schema object. */
export type JsonSchema = Record<string, unknown>;

/** What an operation's HTTP method says about calling it (MCP tool hints use the same words). */
export interface OperationHints {
  /** GET, HEAD, OPTIONS: the call changes nothing. */
  readOnly: boolean;
  /** PUT, PATCH, DELETE: the call may overwrite or remove what is there. */
  destructive: boolean;
  /** GET, HEAD, OPTIONS, PUT, DELETE: calling twice has the effect of calling once. */
  idempotent: boolean;
}

/** Public description of an operation. */
export interface OperationInfo {
  namespace: string;
  name: string;
  /** `namespace.name`, or `namespace.resource.name` where a file reuses a name in one namespace. */
  id: string;
  /** The resource the operation is declared under. */
  resource: string;
  /** Human-readable title from the file's `label`, when there is one. */
  label?: string;
  method: string;
  path: string;
  description?: string;
  /** Base URI of the namespace as written in the file (`{{VAR}}` references unresolved; may be empty). */
  baseUri: string;
  /** The environment variable that overrides the base URI: `NAFTIKO_BASE_URI_<NAMESPACE>`. */
  baseUriVariable: string;
  /** Format of the response body (`outputRawFormat`), converted to a JSON tree before outputs are read. */
  outputFormat: RawFormat;
  hints: OperationHints;
  /** How the operation's list is paged, when it declares `pagination` (`runtime.items`, `invokePage`). */
  pagination?: { type: PaginationType; maxPages: number };
  /** The operation submits a job, polled through `pollOperation` (`runtime.start`, `poll`, `invoke(…, { wait })`). */
  async?: { pollOperation: string; timeout: number };
  /** Inputs as one JSON Schema object; each property carries `x-in` (path, query, header, cookie, body, template). */
  inputs: JsonSchema;
  outputs: Array<{ name: string; type?: ValueType; value: string }>;
}

/** A loaded, validated and compiled capability. */
export interface Capability {
  /** Absolute path of the file. */
  readonly file: string;
  readonly label?: string;
  readonly description?: string;
  /** Every consumed operation, including those of imported files. */
  readonly operations: OperationInfo[];
  /** Warnings found while loading (errors throw instead). */
  readonly warnings: Diagnostic[];
}

/** Retry policy of a runtime or of one call. */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  limit?: number;
  /** Retry non-idempotent methods too (POST, PATCH). */
  unsafe?: boolean;
  /** Upper bound for one wait, in ms, also caps Retry-After (default 30 000). */
  maxDelay?: number;
  /** First backoff delay in ms (default 200), doubled each retry, with jitter. */
  baseDelay?: number;
}

/** Options of a runtime. */
export interface RuntimeOptions {
  /** Where secrets and `NAFTIKO_BASE_URI_<NAMESPACE>` are read (default: `process.env`). */
  env?: Record<string, string | undefined>;
  /** Base URI of every namespace (sandboxes, regions, local stand-ins). */
  baseUri?: string;
  /** Base URI per namespace; wins over `baseUri` and the environment. */
  baseUris?: Record<string, string>;
  /** Per-call timeout in ms (default 30 000). */
  timeout?: number;
  retry?: RetryOptions;
  /** Largest response body accepted, in bytes (default 50 MiB). */
  maxResponseBytes?: number;
  /** Told of every request (secrets masked) and response; for `--verbose` and tracing. */
  onEvent?: (event: RuntimeEvent) => void;
}

/** What `onEvent` is told. URLs and headers have every secret masked. */
export type RuntimeEvent =
  | { type: 'request'; operation: string; method: string; url: string; headers: Record<string, string> }
  | { type: 'response'; operation: string; status: number; attempts: number; durationMs: number };

/** Options of one call. */
export interface InvokeOptions {
  signal?: AbortSignal;
  /** Timeout of this call in ms. */
  timeout?: number;
  retry?: RetryOptions;
  /**
   * Sent in the operation's idempotency header (`Idempotency-Key` unless the file's
   * `idempotencyKey.header` names another), the same on every attempt. The server can then deduplicate
   * the call, so a POST or PATCH becomes retryable: by the runtime's own retries and in the error's
   * `retryable` flag. Give the same key when a workflow engine runs the step again.
   */
  idempotencyKey?: string;
  /**
   * `invoke` only, for an operation that declares `async:`: submit the job, poll it until it is done,
   * and return the poll operation's final outputs (ASYNC_FAILED when it failed, TIMEOUT after
   * `async.timeout`, ABORTED on `signal`). `timeout` stays the timeout of each request.
   */
  wait?: boolean;
  /** With `wait`: told after each poll that found the job still running. */
  onProgress?: (progress: JobProgress) => void;
}

/**
 * A submitted asynchronous job (`runtime.start`): plain JSON, so a workflow engine can store it and
 * poll the job from another process running the same capability.
 */
export interface AsyncJobHandle {
  /** The submitting operation's id. */
  operation: string;
  /** The job id, as the submit response gave it (`async.id`). */
  id: string | number;
  /** The operation that reads the job's state, with the inputs it is called with. */
  poll: { operation: string; inputs: Record<string, unknown> };
  /** When the job was submitted (ISO 8601). */
  submittedAt: string;
  /** The submit call's outputs. */
  outputs: Record<string, unknown>;
}

/** What one poll found. */
export interface PollResult {
  state: 'running' | 'done' | 'failed';
  /** The poll operation's outputs. */
  outputs: Record<string, unknown>;
  /** `failed`: the value `async.failed` selected. */
  reason?: unknown;
  /** `running`: when to poll again, in ms: the poll answer's Retry-After, else `async.interval`. */
  retryAfterMs?: number;
}

/** Told to `onProgress` while `invoke(…, { wait: true })` waits. */
export interface JobProgress {
  state: 'running';
  /** Polls made so far. */
  polls: number;
  /** ms since the job was submitted. */
  elapsedMs: number;
  /** The last poll's outputs. */
  outputs: Record<string, unknown>;
  handle: AsyncJobHandle;
}

/** Options of `prepare`: what changes the request beyond its inputs. */
export interface PrepareOptions {
  /** Shown in the operation's idempotency header, as `invoke` would send it. */
  idempotencyKey?: string;
}

/** Options of a walk through an operation's pages (`runtime.items`). */
export interface ItemsOptions {
  signal?: AbortSignal;
  /** Timeout of each page's request, in ms. */
  timeout?: number;
  retry?: RetryOptions;
  /** Pages read at most (default: the operation's `pagination.maxPages`, itself 1000 by default). */
  maxPages?: number;
  /** Told after each page: for progress, and to learn that the walk stopped at `maxPages` (`more`). */
  onPage?: (progress: PageProgress) => void;
}

/** Where a walk through pages stands. */
export interface PageProgress {
  /** Pages read so far. */
  pages: number;
  /** Records read so far. */
  records: number;
  /** Another page exists: after the last page the walk reads, true means it stopped at `maxPages`. */
  more: boolean;
}

/** Options of `runtime.invokePage`. */
export interface PageOptions {
  signal?: AbortSignal;
  timeout?: number;
  retry?: RetryOptions;
  /** The `nextPageToken` of the previous page; absent or null for the first page. */
  pageToken?: string | null;
  /** Pages a walk reads at most, counted across the tokens (default: the operation's `pagination.maxPages`). */
  maxPages?: number;
}

/** One page of an operation's list. */
export interface Page {
  /** The page's records (`pagination.items`). */
  items: unknown[];
  /** The page's outputs, as `invoke` gives them. */
  outputs: Record<string, unknown>;
  /**
   * Opaque, JSON-serializable: pass it as `pageToken` (with the same inputs) for the next page, in this
   * process or another one. Null on the last page.
   */
  nextPageToken: string | null;
  /** More pages exist, but the walk reached `maxPages`. */
  truncated?: true;
}

/** A request as it would be sent, with every secret masked. Nothing is sent to build it. */
export interface PreparedRequest {
  operation: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body: parsed JSON when it is JSON, otherwise its text; absent when there is none. */
  body?: unknown;
}

/** Everything known about one completed call; secrets the API echoed back are masked. */
export interface InvocationResult {
  operation: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The response body converted to a JSON tree (`null` when empty). */
  data: unknown;
  /** Named outputs extracted with JSONPath (`{ result: data }` when the operation declares none). */
  outputs: Record<string, unknown>;
}

/** A raw request passed through to a consumed namespace (REST `forward`, spec 3.17). */
export interface ForwardRequest {
  method: string;
  /** Path below the namespace's base URI, percent-encoded as received (`databases/42`). */
  path: string;
  /** Query string, without `?`. */
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** What came back, whatever the status. */
export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Number of attempts made (1 when no retry happened). */
  attempts: number;
}

/** Invokes the operations of one or more capabilities by name. Safe for concurrent calls. */
export interface Runtime {
  /** Every operation this runtime can invoke. */
  readonly operations: OperationInfo[];
  /** Calls an operation by `name`, `namespace.name` or id, and returns its outputs. */
  invoke(name: string, inputs?: Record<string, unknown>, options?: InvokeOptions): Promise<Record<string, unknown>>;
  /** Like `invoke`, with the status, headers and converted body as well. */
  execute(name: string, inputs?: Record<string, unknown>, options?: InvokeOptions): Promise<InvocationResult>;
  /**
   * Every record of every page of a paginated operation (`pagination:`), in order, each page fetched
   * when the iteration reaches it. Stops at the last page or at `maxPages`; breaking out of the loop
   * sends nothing more. INPUT_INVALID for an operation without `pagination`.
   */
  items(name: string, inputs?: Record<string, unknown>, options?: ItemsOptions): AsyncIterableIterator<unknown>;
  /**
   * One page of a paginated operation: its records, its outputs and the token of the next page, so
   * that a workflow engine can read one page per step and resume after a crash.
   */
  invokePage(name: string, inputs?: Record<string, unknown>, options?: PageOptions): Promise<Page>;
  /**
   * Submits an asynchronous job (an operation with `async:`) and returns its handle, without waiting.
   * INPUT_INVALID for an operation without `async`.
   */
  start(name: string, inputs?: Record<string, unknown>, options?: InvokeOptions): Promise<AsyncJobHandle>;
  /** Polls a job once: running, done or failed, with the poll operation's outputs. */
  poll(handle: AsyncJobHandle, options?: InvokeOptions): Promise<PollResult>;
  /** Resolves the request an invocation would send, secrets masked, without sending it. */
  prepare(name: string, inputs?: Record<string, unknown>, options?: PrepareOptions): PreparedRequest;
  /**
   * Sends a raw request below a namespace's base URI with the namespace's authentication, and returns
   * the response whatever its status (secrets echoed in its body are masked). Only network failures and
   * timeouts throw.
   */
  forward(namespace: string, request: ForwardRequest, options?: InvokeOptions): Promise<WireResponse>;
  /** Finds an operation by name; throws OPERATION_NOT_FOUND (with suggestions) or on ambiguity. */
  find(name: string): OperationInfo;
  /** Frees the keep-alive connections. */
  close(): void;
}
