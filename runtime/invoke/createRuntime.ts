/**
 * The runtime: finds an operation's plan, fills it with inputs and secrets, sends it, and reads the
 * answer. One secret store serves every capability of a runtime and every adapter built on it, and
 * everything that leaves (outputs, headers, errors, events) passes its redactor.
 */
import { HttpError, InputError, NotSupportedError, OperationNotFoundError, ResponseError, SpecError } from '../errors.js';
import type {
  Capability,
  ForwardRequest,
  InvocationResult,
  InvokeOptions,
  OperationInfo,
  PreparedRequest,
  Runtime,
  RuntimeOptions,
  WireResponse,
} from '../types.js';
import type { OperationPlan, WireRequest } from '../compile/plan.js';
import { capabilityInternals } from '../compile/capabilityInternals.js';
import { planSecretParts } from '../compile/planTemplates.js';
import { createHttpClient, timedOut, type HttpClient } from '../http/client.js';
import { decodeText, parseBody } from '../response/parseBody.js';
import { extractOutputs } from '../response/extractOutputs.js';
import { binaryDocument, headerText, parseLooseBody, summarizeBody } from '../response/looseBody.js';
import { MAX_DEPTH, couldNestDeeperThan, nestsDeeperThan } from '../util/depth.js';
import { mayResend, resolveFailure, type ResendFacts } from '../util/retryPolicy.js';
import { fixedBaseUrl, renderBaseUrl } from './baseUri.js';
import { buildRequest, type BaseUrl, type BuiltRequest } from './buildRequest.js';
import { createTokenSource, type TokenRequest } from './oauth2.js';
import { pollJob, submitJob, waitForJob, type JobSource } from './jobPoller.js';
import { OperationIndex } from './operationIndex.js';
import type { PageAnswer } from './paginator.js';
import { readOnePage, walkItems, type PageSource } from './pages.js';
import { MASK } from './redactor.js';
import { resolveInputs } from './resolveInputs.js';
import { SecretStore } from './secretStore.js';
import { attachRuntimeInternals } from './runtimeInternals.js';

/** A request's URL and headers with every secret masked: what errors and events show. */
interface Masked {
  url: string;
  headers?: Record<string, string>;
}

/** An operation's answer, converted and masked. */
interface Answer extends PageAnswer {
  status: number;
}

interface Entry {
  plan: OperationPlan;
  info: OperationInfo;
  /** The base URL when it is known before the call (override or literal). */
  baseUrl: BaseUrl | undefined;
}

/** Error bodies are read up to this size: enough for any message, bounded for logs. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Creates a runtime over one or more loaded capabilities. Namespaces must be unique across them.
 */
export function createRuntime(capabilities: Capability | Capability[], options: RuntimeOptions = {}): Runtime {
  const list = Array.isArray(capabilities) ? capabilities : [capabilities];
  const env = options.env ?? process.env;
  const secrets = new SecretStore(env);
  const redactor = secrets.redactor;
  const entries: Entry[] = [];
  const owner = new Map<string, string>();
  for (const capability of list) {
    const { plans, binds } = capabilityInternals(capability);
    plans.forEach((plan, i) => {
      const first = owner.get(plan.namespace);
      if (first !== undefined && first !== capability.file) {
        throw new SpecError(`namespace '${plan.namespace}' is declared by both ${first} and ${capability.file}`);
      }
      owner.set(plan.namespace, capability.file);
      const info = capability.operations[i];
      entries.push({ plan, info, baseUrl: fixedBaseUrl(plan, options, env) });
    });
    secrets.learn(binds, plans.flatMap((plan) => [...planSecretParts(plan)]));
  }

  const index = new OperationIndex(entries);
  const client: HttpClient = createHttpClient({ timeout: options.timeout, retry: options.retry, maxResponseBytes: options.maxResponseBytes });
  const onEvent = options.onEvent;
  const tokens = createTokenSource({ client, secrets, onEvent });

  const build = (entry: Entry, inputs: Record<string, unknown>, mask: boolean, idempotencyKey?: string): BuiltRequest => {
    const { plan } = entry;
    if (plan.auth.type === 'unsupported') {
      throw new NotSupportedError(`${plan.id}: authentication type '${plan.auth.kind}' is not supported; nothing was sent`, { operation: plan.id });
    }
    const values = resolveInputs(plan, inputs);
    return buildRequest(plan, values, inputs, secrets, entry.baseUrl ?? renderBaseUrl(plan, secrets, inputs), mask, idempotencyKey);
  };

  /** Whether `request` may be sent again: the shared rule, with the call's `retry.unsafe` else the runtime's. */
  const resendable = (request: ResendFacts, call: InvokeOptions): boolean => mayResend(request, call.retry?.unsafe ?? options.retry?.unsafe ?? false);

  const emitRequest = (operation: string, method: string, url: string, headers: Record<string, string>) =>
    onEvent?.({ type: 'request', operation, method, url: redactor.text(url), headers: redactor.headers(headers) });

  /**
   * Sends a request with its authentication. With OAuth2, the token comes first (the token request
   * counts against the call's deadline and stops with its signal) and a 401 drops the token, fetches
   * a new one and sends the request once more.
   */
  const send = (operation: string, wire: WireRequest, tokenRequest: TokenRequest | undefined, masked: Masked, call: InvokeOptions): Promise<WireResponse> =>
    tokenRequest === undefined ? sendOnce(operation, wire, masked, call, call.timeout) : sendWithToken(operation, wire, tokenRequest, masked, call);

  /** One request through the client; traced when someone listens (no extra promise otherwise: this is every call's path). */
  const sendOnce = (operation: string, wire: WireRequest, masked: Masked, call: InvokeOptions, timeout: number | undefined): Promise<WireResponse> => {
    const options = { operation, redactedUrl: masked.url, signal: call.signal, timeout, retry: call.retry };
    if (onEvent === undefined) return client.send(wire, options);
    const started = performance.now();
    emitRequest(operation, wire.method, masked.url, masked.headers ?? {});
    return client.send(wire, options).then((response) => {
      onEvent({ type: 'response', operation, status: response.status, attempts: response.attempts, durationMs: performance.now() - started });
      return response;
    });
  };

  const sendWithToken = async (operation: string, wire: WireRequest, tokenRequest: TokenRequest, masked: Masked, call: InvokeOptions): Promise<WireResponse> => {
    const timeout = call.timeout ?? client.timeout;
    const deadline = performance.now() + timeout;
    const tokenCall = { operation, signal: call.signal, deadline, timeout };
    const left = () => {
      const ms = deadline - performance.now();
      if (ms > 0) return ms;
      throw timedOut(wire, { operation, redactedUrl: masked.url }, timeout, resendable(wire, call));
    };
    let token = await tokens.token(tokenRequest, tokenCall);
    wire.headers.authorization = `Bearer ${token}`;
    let response = await sendOnce(operation, wire, masked, call, left());
    if (response.status === 401) {
      tokens.reject(tokenRequest, token);
      token = await tokens.token(tokenRequest, tokenCall);
      wire.headers.authorization = `Bearer ${token}`;
      response = await sendOnce(operation, wire, masked, call, left());
    }
    return response;
  };

  /**
   * One request of an operation, from inputs to the converted answer: a non-2xx status is an
   * HttpError. `url` replaces the operation's URL (the next page of a link walk).
   */
  const exchange = async (entry: Entry, inputs: Record<string, unknown>, call: InvokeOptions, url?: string): Promise<Answer> => {
    const { plan } = entry;
    const built = build(entry, inputs, onEvent !== undefined, call.idempotencyKey);
    if (url !== undefined) retarget(plan, built, url);
    const response = await send(plan.id, built.wire, built.tokenRequest, { url: built.maskedUrl, headers: built.maskedHeaders }, call);
    const headers = redactor.headers(response.headers);
    const contentType = headerText(headers['content-type']);
    if (response.status < 200 || response.status >= 300) {
      const body = redactor.tree(parseLooseBody(response.body, contentType, MAX_ERROR_BODY_BYTES));
      const decision = resolveFailure({ kind: 'status', status: response.status, retryAfter: headers['retry-after'] }, resendable(built.wire, call));
      throw new HttpError(`${plan.id}: ${plan.method} ${built.maskedUrl} answered ${response.status}${summarizeBody(body)}`, {
        operation: plan.id,
        status: response.status,
        body,
        method: plan.method,
        url: built.maskedUrl,
        headers,
        ...decision,
      });
    }
    return { operation: plan.id, status: response.status, headers, data: readData(plan, response.body, contentType), url: built.wire.url };
  };

  /** A link page's URL in place of the operation's: same origin only, the namespace's query key added again. */
  const retarget = (plan: OperationPlan, built: BuiltRequest, url: string): void => {
    const own = new URL(built.wire.url);
    const target = new URL(url);
    if (target.origin !== own.origin) {
      throw new InputError(`${plan.id}: the page to read is on ${target.origin}, not on the operation's origin ${own.origin}; nothing was sent`, { operation: plan.id, parameter: 'pageToken' });
    }
    let real = target.href;
    let masked = redactor.text(target.href);
    if (plan.auth.type === 'query') {
      const name = encodeURIComponent(plan.auth.name);
      const separator = target.search === '' ? '?' : '&';
      real += `${separator}${name}=${encodeURIComponent(own.searchParams.get(plan.auth.name) ?? '')}`;
      masked += `${separator}${name}=${MASK}`;
    }
    built.wire.url = real;
    built.maskedUrl = masked;
  };

  /** `work`'s result; whatever it throws leaves with every secret masked. */
  const masking = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw redactor.error(error);
    }
  };

  const execute = (name: string, inputs: Record<string, unknown> = {}, call: InvokeOptions = {}): Promise<InvocationResult> =>
    masking(async () => {
      const entry = index.find(name);
      const { plan } = entry;
      const answer = await exchange(entry, inputs, call);
      return { operation: plan.id, status: answer.status, headers: answer.headers, data: answer.data, outputs: extractOutputs(plan.outputs, answer.data, plan.id) };
    });

  const pages: PageSource<Entry> = { find: (name) => index.find(name), exchange };
  const jobs: JobSource<Entry> = { ...pages, holdsSecret: (text) => redactor.holds(text), mayResend: resendable };

  /** The converted body, secrets masked, refused past the documented depth. */
  const readData = (plan: OperationPlan, body: Buffer, contentType: string | undefined): unknown => {
    if (plan.outputFormat === 'binary') return binaryDocument(redactor.buffer(body), contentType);
    // Decoded once: the secret scan below is several times faster on a string than on a Buffer.
    const text = decodeText(body);
    const data = parseBody(text, plan.outputFormat, contentType, plan.id);
    if (couldNestDeeperThan(body.length, MAX_DEPTH) && nestsDeeperThan(data, MAX_DEPTH)) {
      throw new ResponseError(`${plan.id}: the response nests deeper than ${MAX_DEPTH} levels; it was refused`, {
        operation: plan.id,
        details: { maxDepth: MAX_DEPTH },
      });
    }
    return redactor.mayHold(text) ? redactor.tree(data) : data;
  };

  const forward = (namespace: string, request: ForwardRequest, call: InvokeOptions = {}): Promise<WireResponse> =>
    masking(async () => {
      const entry = entries.find((e) => e.plan.namespace === namespace);
      if (!entry) throw new OperationNotFoundError(`no consumed namespace '${namespace}' to forward to`, { name: namespace });
      // An operation of the namespace stripped of its own path, parameters and body: what remains is the
      // base URI and the namespace's authentication.
      const plan: OperationPlan = { ...entry.plan, id: `${namespace}.forward`, method: request.method.toUpperCase(), pathParts: [], queryParts: [], parameters: [], body: { kind: 'none' }, outputFormat: 'binary' };
      const built = build({ ...entry, plan }, {}, onEvent !== undefined);
      const headers = overlayHeaders(request.headers ?? {}, built.wire.headers);
      const url = extendUrl(built.wire.url, request.path, request.query);
      const maskedUrl = extendUrl(built.maskedUrl, request.path, request.query);
      const wire: WireRequest = { ...built.wire, url, headers };
      if (request.body && request.body.length > 0) {
        wire.body = request.body;
        // The caller's body is checked as a built one is: a known secret in it must not follow a redirect elsewhere.
        if (redactor.holds(request.body)) wire.bodyHoldsSecret = true;
      }
      const maskedHeaders = onEvent ? overlayHeaders(request.headers ?? {}, built.maskedHeaders ?? {}) : undefined;
      const response = await send(plan.id, wire, built.tokenRequest, { url: maskedUrl, headers: maskedHeaders }, call);
      return { ...response, headers: redactor.headers(response.headers), body: redactor.buffer(response.body) };
    });

  const runtime: Runtime = {
    operations: entries.map((e) => e.info),
    execute,
    forward,
    async invoke(name, inputs = {}, call = {}) {
      if (!call.wait) return (await execute(name, inputs, call)).outputs;
      return masking(async () => waitForJob(jobs, await submitJob(jobs, name, inputs, call), call));
    },
    start: (name, inputs = {}, call = {}) => masking(() => submitJob(jobs, name, inputs, call)),
    poll: (handle, call = {}) => masking(() => pollJob(jobs, handle, call)),
    items: (name, inputs = {}, itemsOptions = {}) => walkItems(pages, name, inputs, itemsOptions, (error) => redactor.error(error)),
    invokePage: (name, inputs = {}, pageOptions = {}) => masking(() => readOnePage(pages, name, inputs, pageOptions)),
    prepare(name, inputs = {}, prepareOptions = {}) {
      try {
        const entry = index.find(name);
        const built = build(entry, inputs, true, prepareOptions.idempotencyKey);
        const prepared: PreparedRequest = { operation: entry.plan.id, method: entry.plan.method, url: redactor.text(built.maskedUrl), headers: redactor.headers(built.maskedHeaders ?? {}) };
        if (built.maskedBody !== undefined) prepared.body = redactor.tree(parseMaybeJson(built.maskedBody));
        return prepared;
      } catch (error) {
        throw redactor.error(error);
      }
    },
    find: (name) => index.find(name).info,
    close: () => client.close(),
  };
  attachRuntimeInternals(runtime, { secrets });
  return runtime;
}

/** Forwarded headers under the namespace's own (authentication wins), names lower-cased; a forwarded User-Agent is kept. */
function overlayHeaders(forwarded: Record<string, string>, own: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(forwarded)) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(own)) {
    const key = name.toLowerCase();
    if (key !== 'user-agent' || headers[key] === undefined) headers[key] = value;
  }
  return headers;
}

/** `https://h/v1?k=***` + `a/b` + `x=1` → `https://h/v1/a/b?k=***&x=1`. */
function extendUrl(url: string, path: string, query: string | undefined): string {
  const cut = url.indexOf('?');
  const head = (cut < 0 ? url : url.slice(0, cut)).replace(/\/$/, '');
  const search = [cut < 0 ? '' : url.slice(cut + 1), query ?? ''].filter((q) => q !== '').join('&');
  const tail = path.replace(/^\/+/, '');
  return `${head}${tail === '' ? '' : `/${tail}`}${search === '' ? '' : `?${search}`}`;
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
