import { HttpError, InputError, NotSupportedError, OperationNotFoundError, SpecError } from './errors.js';
import type { Capability, OperationInfo, OperationPlan, RetryOptions, WireResponse } from './types.js';
import { createHttpClient, type HttpClient } from './http/client.js';
import { buildRequest } from './invoke/buildRequest.js';
import { resolveInputs } from './invoke/resolveInputs.js';
import { SecretStore, renderTemplate } from './invoke/secrets.js';
import { isLiteral } from './compile/template.js';
import { envSuffix } from './load/loadCapability.js';
import { parseBody } from './response/parseBody.js';
import { extractOutputs } from './response/extractOutputs.js';
import { suggest } from './suggest.js';

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

/** Everything known about one completed call. */
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

/** Invokes the operations of one or more capabilities by name. Safe for concurrent calls. */
export interface Runtime {
  /** Every operation this runtime can invoke. */
  readonly operations: OperationInfo[];
  /** Calls an operation by `name`, `namespace.name` or id, and returns its outputs. */
  invoke(name: string, inputs?: Record<string, unknown>, options?: InvokeOptions): Promise<Record<string, unknown>>;
  /** Like `invoke`, with the status, headers and converted body as well. */
  execute(name: string, inputs?: Record<string, unknown>, options?: InvokeOptions): Promise<InvocationResult>;
  /** Resolves the request an invocation would send, secrets masked, without sending it. */
  prepare(name: string, inputs?: Record<string, unknown>): PreparedRequest;
  /**
   * Sends a raw request below a namespace's base URI with the namespace's authentication, and returns
   * the response whatever its status. Only network failures and timeouts throw.
   */
  forward(namespace: string, request: ForwardRequest, options?: InvokeOptions): Promise<WireResponse>;
  /** Finds an operation by name; throws OPERATION_NOT_FOUND (with suggestions) or on ambiguity. */
  find(name: string): OperationInfo;
  /** Frees the keep-alive connections. */
  close(): void;
}

interface Entry {
  plan: OperationPlan;
  info: OperationInfo;
  secrets: SecretStore;
  /** The base URI when it is known before the call (override or literal). */
  baseUrl: string | undefined;
}

/**
 * Creates a runtime over one or more loaded capabilities. Namespaces must be unique across them.
 */
export function createRuntime(capabilities: Capability | Capability[], options: RuntimeOptions = {}): Runtime {
  const list = Array.isArray(capabilities) ? capabilities : [capabilities];
  const env = options.env ?? process.env;
  const entries: Entry[] = [];
  const owner = new Map<string, string>();
  for (const capability of list) {
    const secrets = new SecretStore(capability.binds, env);
    capability.plans.forEach((plan, i) => {
      const first = owner.get(plan.namespace);
      if (first !== undefined && first !== capability.file) {
        throw new SpecError(`namespace '${plan.namespace}' is declared by both ${first} and ${capability.file}`);
      }
      owner.set(plan.namespace, capability.file);
      entries.push({ plan, info: capability.operations[i], secrets, baseUrl: baseOverride(plan.namespace, options, env) });
    });
  }
  for (const entry of entries) if (entry.baseUrl === undefined && isLiteral(entry.plan.baseUri) && entry.plan.baseUri.raw !== '') entry.baseUrl = entry.plan.baseUri.raw;

  const index = buildIndex(entries);
  const client: HttpClient = createHttpClient({ timeout: options.timeout, retry: options.retry, maxResponseBytes: options.maxResponseBytes });
  const onEvent = options.onEvent;

  const find = (name: string): Entry => {
    const found = index.get(name);
    if (found?.length === 1) return found[0];
    if (found && found.length > 1) {
      const candidates = found.map((e) => e.plan.id);
      throw new OperationNotFoundError(`operation name '${name}' is ambiguous: use one of ${candidates.join(', ')}`, { name, candidates });
    }
    // Every alias of an operation is a candidate, but each operation is suggested once, by its id.
    const suggestions = [...new Set(suggest(name, [...index.keys()], 10).flatMap((key) => index.get(key)!.map((e) => e.plan.id)))].slice(0, 3);
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(' or ')}?` : '';
    throw new OperationNotFoundError(`no operation named '${name}'${hint}`, { name, suggestions });
  };

  const build = (entry: Entry, inputs: Record<string, unknown>, mask: boolean) => {
    const { plan } = entry;
    if (plan.auth.type === 'unsupported') {
      throw new NotSupportedError(`${plan.id}: authentication type '${plan.auth.kind}' is not supported; nothing was sent`, { operation: plan.id });
    }
    const values = resolveInputs(plan, inputs);
    return buildRequest(plan, values, inputs, entry.secrets, entry.baseUrl ?? resolveBaseUri(entry, inputs), mask);
  };

  const execute = async (name: string, inputs: Record<string, unknown> = {}, call: InvokeOptions = {}): Promise<InvocationResult> => {
    const entry = find(name);
    const { plan } = entry;
    const built = build(entry, inputs, onEvent !== undefined);
    const started = onEvent ? performance.now() : 0;
    if (onEvent) onEvent({ type: 'request', operation: plan.id, method: plan.method, url: built.maskedUrl, headers: built.maskedHeaders ?? {} });
    const response = await client.send(built.wire, { operation: plan.id, redactedUrl: built.maskedUrl, signal: call.signal, timeout: call.timeout, retry: call.retry, maxResponseBytes: plan.maxResponseBytes });
    if (onEvent) onEvent({ type: 'response', operation: plan.id, status: response.status, attempts: response.attempts, durationMs: performance.now() - started });

    const contentType = headerText(response.headers['content-type']);
    if (response.status < 200 || response.status >= 300) {
      const body = entry.secrets.redactValue(parseErrorBody(response.body, contentType));
      throw new HttpError(`${plan.id}: ${plan.method} ${built.maskedUrl} answered ${response.status}${summarize(body)}`, {
        operation: plan.id,
        status: response.status,
        body,
        method: plan.method,
        url: built.maskedUrl,
      });
    }
    const data = plan.outputFormat === 'binary' ? binaryDocument(response.body, contentType) : parseBody(response.body, plan.outputFormat, contentType, plan.id);
    return { operation: plan.id, status: response.status, headers: response.headers, data, outputs: extractOutputs(plan.outputs, data, plan.id) };
  };

  const forward = async (namespace: string, request: ForwardRequest, call: InvokeOptions = {}): Promise<WireResponse> => {
    const entry = entries.find((e) => e.plan.namespace === namespace);
    if (!entry) throw new OperationNotFoundError(`no consumed namespace '${namespace}' to forward to`, { name: namespace });
    // An operation of the namespace stripped of its own path, parameters and body: what remains is the
    // base URI and the namespace's authentication.
    const plan: OperationPlan = { ...entry.plan, id: `${namespace}.forward`, method: request.method.toUpperCase(), pathParts: [], queryParts: [], parameters: [], body: { kind: 'none' }, outputFormat: 'binary' };
    const built = build({ ...entry, plan }, {}, onEvent !== undefined);
    const headers = overlayHeaders(request.headers ?? {}, built.wire.headers);
    const url = extendUrl(built.wire.url, request.path, request.query);
    const maskedUrl = extendUrl(built.maskedUrl, request.path, request.query);
    const started = onEvent ? performance.now() : 0;
    if (onEvent) onEvent({ type: 'request', operation: plan.id, method: plan.method, url: maskedUrl, headers: overlayHeaders(request.headers ?? {}, built.maskedHeaders ?? {}) });
    const wire = { ...built.wire, url, headers, ...(request.body && request.body.length > 0 ? { body: request.body } : {}) };
    const response = await client.send(wire, { operation: plan.id, redactedUrl: maskedUrl, signal: call.signal, timeout: call.timeout, retry: call.retry, maxResponseBytes: plan.maxResponseBytes });
    if (onEvent) onEvent({ type: 'response', operation: plan.id, status: response.status, attempts: response.attempts, durationMs: performance.now() - started });
    return { ...response, body: entry.secrets.redactBuffer(response.body) };
  };

  return {
    operations: entries.map((e) => e.info),
    execute,
    forward,
    async invoke(name, inputs, call) {
      return (await execute(name, inputs, call)).outputs;
    },
    prepare(name, inputs = {}) {
      const entry = find(name);
      const built = build(entry, inputs, true);
      const prepared: PreparedRequest = { operation: entry.plan.id, method: entry.plan.method, url: built.maskedUrl, headers: built.maskedHeaders ?? {} };
      if (built.maskedBody !== undefined) prepared.body = parseMaybeJson(built.maskedBody);
      return prepared;
    },
    find: (name) => find(name).info,
    close: () => client.close(),
  };
}

/** Every way an operation can be named: id, `namespace.name`, `namespace.resource.name` and bare name. */
function buildIndex(entries: Entry[]): Map<string, Entry[]> {
  const index = new Map<string, Entry[]>();
  const add = (key: string, entry: Entry) => {
    const list = index.get(key);
    if (!list) index.set(key, [entry]);
    else if (!list.includes(entry)) list.push(entry);
  };
  for (const entry of entries) {
    const { plan } = entry;
    add(plan.id, entry);
    add(`${plan.namespace}.${plan.name}`, entry);
    add(`${plan.namespace}.${plan.resource}.${plan.name}`, entry);
    add(plan.name, entry);
  }
  // An exact id always wins over a bare name that happens to equal it.
  for (const entry of entries) index.set(entry.plan.id, [entry]);
  return index;
}

function baseOverride(namespace: string, options: RuntimeOptions, env: Record<string, string | undefined>): string | undefined {
  const url = options.baseUris?.[namespace] ?? options.baseUri ?? env[`NAFTIKO_BASE_URI_${envSuffix(namespace)}`];
  if (url === undefined || url === '') return undefined;
  if (!/^https?:\/\/[^/]/i.test(url)) throw new InputError(`base URI '${url}' for namespace '${namespace}' is not an http(s) URL`);
  return url;
}

function resolveBaseUri(entry: Entry, inputs: Record<string, unknown>): string {
  const { plan } = entry;
  const url = renderTemplate(plan.baseUri, entry.secrets, plan.id, (name) => inputs[name]).value;
  if (url === '') {
    throw new SpecError(`${plan.id}: namespace '${plan.namespace}' has no baseUri; give one with --base-uri, the baseUris option or NAFTIKO_BASE_URI_${envSuffix(plan.namespace)}`);
  }
  if (!/^https?:\/\/[^/]/i.test(url)) throw new SpecError(`${plan.id}: baseUri of namespace '${plan.namespace}' is not an http(s) URL`);
  return url;
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

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Error bodies are parsed leniently: JSON when they are JSON, otherwise text (capped). */
function parseErrorBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return null;
  const text = body.subarray(0, 64 * 1024).toString('utf8');
  if (contentType === undefined || /json/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function summarize(body: unknown): string {
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (body !== null && typeof body === 'object') {
    const detail = (body as Record<string, unknown>).detail ?? (body as Record<string, unknown>).message ?? (body as Record<string, unknown>).error;
    text = typeof detail === 'string' ? detail : JSON.stringify(detail ?? body);
  }
  if (!text) return '';
  text = text.replace(/\s+/g, ' ').trim();
  return `: ${text.length > 200 ? `${text.slice(0, 197)}...` : text}`;
}

function binaryDocument(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return null;
  return { contentType: contentType ?? 'application/octet-stream', size: body.length, base64: body.toString('base64') };
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
