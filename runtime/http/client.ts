/**
 * The runtime's only HTTP client: one got instance over keep-alive agents, with the retry policy, the
 * deadline, the response-size cap and Digest authentication implemented here rather than by got, so
 * that each is exact and testable.
 *
 * Semantics worth knowing:
 * - Which failures are retried, and after how long, is `util/retryPolicy.ts`'s decision, the same one
 *   that sets the `retryable` flag of the error a caller gets when the retries run out.
 * - `timeout` is a deadline for the whole call: every attempt, every redirect and every backoff wait
 *   fit inside it. A retry whose wait would reach the deadline is not made.
 * - Redirects are followed (up to got's 10). On a redirect to another origin (scheme, host or port)
 *   every header except a few content-negotiation ones is dropped, because API keys travel in
 *   arbitrary headers and got itself only strips `authorization` and `cookie`; and a request whose
 *   body holds a secret is not followed there at all (a 307/308, or got's 301/302 on POST, re-sends
 *   the body): the call fails with HTTP_ERROR naming the redirect.
 * - Errors carry only `SendOptions.redactedUrl`; the raw URL, headers and got's error (which holds
 *   them) never reach an error or its `cause`.
 */
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import got, { type BeforeRedirectHook, type Got, type Method, type OptionsOfBufferResponseBody, type Progress, type Response } from 'got';
import { AbortedError, HttpError, NetworkError, ResponseError, TimeoutError, type NaftikoError } from '../errors.js';
import type { RetryOptions, WireResponse } from '../types.js';
import type { WireRequest } from '../compile/plan.js';
import { mayResend, resolveFailure, type RetryDecision } from '../util/retryPolicy.js';
import { MAX_TIMER_MS } from '../util/timers.js';
import { digestAuthorization, parseDigestChallenge } from './digest.js';

/** Settings of a client as a whole. */
export interface HttpClientOptions {
  /** Deadline of one call in ms, covering all its attempts and waits (default 30 000). */
  timeout?: number;
  /** Retry policy; unset fields take the defaults of `RetryOptions`. */
  retry?: RetryOptions;
  /** Largest response body accepted, in bytes, after decompression (default 50 MiB). */
  maxResponseBytes?: number;
}

/** Settings of one call. */
export interface SendOptions {
  /** `namespace.operation`, for error messages. */
  operation: string;
  /** The request URL with its secrets masked: the only form of the URL errors may show. */
  redactedUrl: string;
  signal?: AbortSignal;
  /** Overrides the client's deadline for this call. */
  timeout?: number;
  /** Overrides fields of the client's retry policy for this call. */
  retry?: RetryOptions;
}

/** Sends wire requests; one per runtime so every call shares the connection pool. */
export interface HttpClient {
  /** The deadline of a call that gives none, in ms. */
  readonly timeout: number;
  /** Sends `request`, retrying per policy, and resolves with the final response whatever its status. */
  send(request: WireRequest, options: SendOptions): Promise<WireResponse>;
  /** Closes pooled connections. */
  close(): void;
}

/** Agent settings of every client, exported so benchmarks can build an identical raw got. */
export const agentOptions = {
  keepAlive: true,
  keepAliveMsecs: 1_000,
  maxSockets: 64,
  maxFreeSockets: 64,
  scheduling: 'lifo',
} as const satisfies http.AgentOptions;

const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;
const DEFAULT_RETRY: Required<RetryOptions> = { limit: 2, unsafe: false, maxDelay: 30_000, baseDelay: 200 };

const PORTABLE_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'content-type', 'content-length', 'content-language', 'user-agent']);

/** Creates a client with its own connection pool. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  return new Client(options);
}

const dropCredentialsCrossOrigin: BeforeRedirectHook = (options, previous) => {
  const target = options.url;
  if (!(target instanceof URL) || target.origin === new URL(previous.url).origin) return;
  if (options.context.bodyHoldsSecret === true && options.body !== undefined) throw new SecretBodyRedirect(previous.statusCode, target);
  const headers = options.headers;
  for (const name of Object.keys(headers)) if (!PORTABLE_HEADERS.has(name)) delete headers[name];
};

class Client implements HttpClient {
  readonly #httpAgent = new http.Agent(agentOptions);
  readonly #httpsAgent = new https.Agent(agentOptions);
  readonly #got: Got;
  readonly timeout: number;
  readonly #retry: Required<RetryOptions>;
  readonly #maxBytes: number;

  constructor(options: HttpClientOptions) {
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT;
    this.#retry = mergeRetry(DEFAULT_RETRY, options.retry);
    this.#maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#got = got.extend({
      agent: { http: this.#httpAgent, https: this.#httpsAgent },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: true,
      decompress: true,
      allowGetBody: true,
      hooks: { beforeRedirect: [dropCredentialsCrossOrigin] },
    });
  }

  async send(request: WireRequest, options: SendOptions): Promise<WireResponse> {
    const { signal } = options;
    const timeout = options.timeout ?? this.timeout;
    const retry = mergeRetry(this.#retry, options.retry);
    const deadline = performance.now() + timeout;
    const maxBytes = request.maxResponseBytes ?? this.#maxBytes;
    if (signal?.aborted) throw aborted(request, options);
    // Asked only once an attempt failed: a call that succeeds at once pays nothing for it.
    let resendable: boolean | undefined;
    const mayResendIt = () => (resendable ??= mayResend(request, retry.unsafe));

    let url = request.url;
    let headers = request.headers;
    let attempts = 0;
    let retries = 0;
    let digestAnswered = false;
    for (;;) {
      attempts++;
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw timedOut(request, options, timeout, mayResendIt());
      let response: Response<Buffer>;
      try {
        response = await this.#attempt(request, url, headers, signal, remaining, maxBytes);
      } catch (error) {
        if (error instanceof ResponseLimitExceeded) throw tooLarge(request, options, maxBytes);
        if (error instanceof SecretBodyRedirect || (error as { cause?: unknown }).cause instanceof SecretBodyRedirect) {
          throw refusedRedirect(request, options, error instanceof SecretBodyRedirect ? error : ((error as { cause: SecretBodyRedirect }).cause));
        }
        if (signal?.aborted) throw aborted(request, options);
        if (error instanceof DeadlineReached) throw timedOut(request, options, timeout, mayResendIt());
        const code = errorCode(error);
        const decision = resolveFailure({ kind: 'network', errno: code }, mayResendIt());
        if (decision.retryable && retries < retry.limit && (await pause(backoff(retry, retries), deadline, signal, request, options))) {
          retries++;
          continue;
        }
        throw failed(error, code, request, options, attempts, decision);
      }

      const status = response.statusCode;
      if (status === 401 && request.digest !== undefined && !digestAnswered) {
        const authorization = answerDigest(request, response);
        if (authorization !== undefined) {
          digestAnswered = true;
          url = response.url;
          headers = withHeader(headers, 'authorization', authorization);
          continue;
        }
      }
      if (status >= 400 && retries < retry.limit) {
        const decision = resolveFailure({ kind: 'status', status, retryAfter: response.headers['retry-after'] }, mayResendIt());
        if (decision.retryable && (await pause(delayOf(decision, retry, retries), deadline, signal, request, options))) {
          retries++;
          continue;
        }
      }
      return { status, headers: response.headers, body: response.body, attempts };
    }
  }

  async #attempt(request: WireRequest, url: string, headers: Record<string, string>, signal: AbortSignal | undefined, remaining: number, max: number): Promise<Response<Buffer>> {
    const options: OptionsOfBufferResponseBody = { method: request.method as Method, headers, responseType: 'buffer' };
    // got copies and checks every option it is given, so absent ones are left out rather than passed as undefined.
    if (request.body !== undefined) options.body = request.body;
    if (signal !== undefined) options.signal = signal;
    if (request.bodyHoldsSecret) options.context = { bodyHoldsSecret: true };
    const promise = this.#got(url, options);
    let refused = false;
    let expired = false;
    // The deadline is one timer of ours rather than got's `timeout.request`, which also sets up a map,
    // an event-handler registry and listeners on the request and the response on every call.
    const timer = setTimeout(() => {
      expired = true;
      promise.cancel();
    }, Math.min(Math.ceil(remaining), MAX_TIMER_MS));
    timer.unref();
    // The first event comes with the headers (total = Content-Length) before any body byte is read,
    // later ones per chunk: cancelling destroys the socket, so nothing beyond the cap is buffered.
    promise.on('downloadProgress', (progress: Progress) => {
      if (refused) return;
      if (progress.transferred > max || (progress.total !== undefined && progress.total > max && announcesBody(request))) {
        refused = true;
        promise.cancel();
      }
    });
    try {
      return await promise;
    } catch (error) {
      if (refused) throw new ResponseLimitExceeded();
      if (expired) throw new DeadlineReached();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}

/** Internal marker: the body passed `maxResponseBytes`. */
class ResponseLimitExceeded extends Error {}

/** Internal marker: the attempt was cancelled at the call's deadline. */
class DeadlineReached extends Error {}

/** Internal marker: a redirect to another origin would re-send a body holding a secret. */
class SecretBodyRedirect extends Error {
  constructor(
    readonly status: number,
    readonly target: URL,
  ) {
    super('redirect refused');
  }
}

function mergeRetry(base: Required<RetryOptions>, override: RetryOptions | undefined): Required<RetryOptions> {
  if (override === undefined) return base;
  return {
    limit: override.limit ?? base.limit,
    unsafe: override.unsafe ?? base.unsafe,
    maxDelay: override.maxDelay ?? base.maxDelay,
    baseDelay: override.baseDelay ?? base.baseDelay,
  };
}

/**
 * A HEAD answer, or a 304 (possible only for a conditional request), states the representation's
 * Content-Length without sending it, so that length must not refuse the response.
 */
function announcesBody(request: WireRequest): boolean {
  if (request.method.toUpperCase() === 'HEAD') return false;
  for (const name of Object.keys(request.headers)) if (/^if-/i.test(name)) return false;
  return true;
}

/** Exponential backoff with full jitter (spreads clients that failed together). */
function backoff(retry: Required<RetryOptions>, retries: number): number {
  return Math.random() * Math.min(retry.maxDelay, retry.baseDelay * 2 ** retries);
}

/** The wait before the next attempt: the server's `Retry-After` capped at `maxDelay`, otherwise backoff. */
function delayOf(decision: RetryDecision, retry: Required<RetryOptions>, retries: number): number {
  return decision.retryAfterMs === undefined ? backoff(retry, retries) : Math.min(decision.retryAfterMs, retry.maxDelay);
}

/** Waits before a retry; false when the wait would run into the deadline, so the retry is not made. */
async function pause(ms: number, deadline: number, signal: AbortSignal | undefined, request: WireRequest, options: SendOptions): Promise<boolean> {
  if (performance.now() + ms >= deadline) return false;
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch {
    throw aborted(request, options);
  }
  return true;
}

function answerDigest(request: WireRequest, response: Response<Buffer>): string | undefined {
  const challenge = parseDigestChallenge(response.headers['www-authenticate']);
  if (challenge === undefined || request.digest === undefined) return undefined;
  const target = new URL(response.url);
  // Credentials are for the origin the caller addressed, not for whoever it redirected to.
  if (target.origin !== new URL(request.url).origin) return undefined;
  return digestAuthorization(challenge, request.digest, request.method.toUpperCase(), target.pathname + target.search);
}

function withHeader(headers: Record<string, string>, name: string, value: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key of Object.keys(headers)) if (key.toLowerCase() !== name) result[key] = headers[key];
  result[name] = value;
  return result;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function aborted(request: WireRequest, options: SendOptions): AbortedError {
  return new AbortedError(`${options.operation}: ${request.method} ${options.redactedUrl} was aborted`, { operation: options.operation });
}

/** The TIMEOUT error of a call whose deadline passed (retryable when the request may be sent again). */
export function timedOut(request: Pick<WireRequest, 'method'>, options: Pick<SendOptions, 'operation' | 'redactedUrl'>, timeout: number, resendable: boolean): TimeoutError {
  return new TimeoutError(`${options.operation}: ${request.method} ${options.redactedUrl} timed out after ${timeout} ms`, {
    operation: options.operation,
    timeout,
    method: request.method,
    url: options.redactedUrl,
    retryable: resolveFailure({ kind: 'timeout' }, resendable).retryable,
  });
}

function refusedRedirect(request: WireRequest, options: SendOptions, redirect: SecretBodyRedirect): HttpError {
  // Only the origin is named: the rest of the location may carry anything the server chose.
  return new HttpError(
    `${options.operation}: ${request.method} ${options.redactedUrl} answered ${redirect.status}, a redirect to another origin (${redirect.target.origin}); not followed, because the request body holds a secret`,
    { operation: options.operation, status: redirect.status, body: null, method: request.method, url: options.redactedUrl },
  );
}

function tooLarge(request: WireRequest, options: SendOptions, max: number): ResponseError {
  return new ResponseError(`${options.operation}: the response of ${request.method} ${options.redactedUrl} exceeds maxResponseBytes (${max} bytes); the body was refused`, {
    operation: options.operation,
    details: { maxResponseBytes: max, method: request.method, url: options.redactedUrl },
  });
}

function failed(error: unknown, code: string, request: WireRequest, options: SendOptions, attempts: number, decision: RetryDecision): NaftikoError {
  const cause = { code, message: scrub(error instanceof Error ? error.message : String(error), request.url, options.redactedUrl) };
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  if (code.startsWith('Z_')) {
    return new ResponseError(`${options.operation}: the response of ${request.method} ${options.redactedUrl} could not be decompressed (${code})`, {
      operation: options.operation,
      details: { method: request.method, url: options.redactedUrl },
      cause,
    });
  }
  return new NetworkError(`${options.operation}: ${request.method} ${options.redactedUrl} failed after ${tries}: ${code}`, {
    operation: options.operation,
    method: request.method,
    url: options.redactedUrl,
    errno: code,
    cause,
    retryable: decision.retryable,
  });
}

/** Removes the raw URL, and its host when the redacted URL hides it, from a low-level message. */
function scrub(message: string, rawUrl: string, redactedUrl: string): string {
  let text = message.split(rawUrl).join(redactedUrl);
  const hostname = URL.canParse(rawUrl) ? new URL(rawUrl).hostname : '';
  if (hostname !== '' && !redactedUrl.includes(hostname)) text = text.split(hostname).join('***');
  return text;
}
