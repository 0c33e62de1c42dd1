/**
 * The runtime: finds an operation's plan, fills it with inputs and secrets, sends it, and reads the
 * answer. One secret store serves every capability of a runtime and every adapter built on it, and
 * everything that leaves (outputs, headers, errors, events) passes its redactor.
 */
import { HttpError, NotSupportedError, OperationNotFoundError, ResponseError, SpecError } from '../errors.js';
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
import type { OperationPlan } from '../compile/plan.js';
import { capabilityInternals } from '../compile/capabilityInternals.js';
import { planSecretParts } from '../compile/planTemplates.js';
import { createHttpClient, type HttpClient } from '../http/client.js';
import { parseBody } from '../response/parseBody.js';
import { extractOutputs } from '../response/extractOutputs.js';
import { binaryDocument, headerText, parseLooseBody, summarizeBody } from '../response/looseBody.js';
import { MAX_DEPTH, couldNestDeeperThan, nestsDeeperThan } from '../util/depth.js';
import { mayResend, resolveFailure } from '../util/retryPolicy.js';
import { fixedBaseUrl, renderBaseUrl } from './baseUri.js';
import { buildRequest, type BaseUrl, type BuiltRequest } from './buildRequest.js';
import { OperationIndex } from './operationIndex.js';
import { resolveInputs } from './resolveInputs.js';
import { SecretStore } from './secretStore.js';
import { attachRuntimeInternals } from './runtimeInternals.js';

interface Entry {
  plan: OperationPlan;
  info: OperationInfo;
  id: string;
  namespace: string;
  resource: string;
  name: string;
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
      entries.push({ plan, info, id: plan.id, namespace: plan.namespace, resource: plan.resource, name: plan.name, baseUrl: fixedBaseUrl(plan, options, env) });
    });
    secrets.learn(binds, plans.flatMap((plan) => [...planSecretParts(plan)]));
  }

  const index = new OperationIndex(entries);
  const client: HttpClient = createHttpClient({ timeout: options.timeout, retry: options.retry, maxResponseBytes: options.maxResponseBytes });
  const onEvent = options.onEvent;

  const build = (entry: Entry, inputs: Record<string, unknown>, mask: boolean, idempotencyKey?: string): BuiltRequest => {
    const { plan } = entry;
    if (plan.auth.type === 'unsupported') {
      throw new NotSupportedError(`${plan.id}: authentication type '${plan.auth.kind}' is not supported; nothing was sent`, { operation: plan.id });
    }
    const values = resolveInputs(plan, inputs);
    const built = buildRequest(plan, values, inputs, secrets, entry.baseUrl ?? renderBaseUrl(plan, secrets, inputs), mask, idempotencyKey);
    // A secret passed in as a plain input (an exposed `with:` injecting a bound value) is known to the
    // store, so the body is checked for it too before a redirect may carry it elsewhere.
    if (!built.wire.bodyHoldsSecret && built.wire.body !== undefined && redactor.holds(built.wire.body)) built.wire.bodyHoldsSecret = true;
    return built;
  };

  const emitRequest = (operation: string, method: string, url: string, headers: Record<string, string>) =>
    onEvent?.({ type: 'request', operation, method, url: redactor.text(url), headers: redactor.headers(headers) });

  const execute = async (name: string, inputs: Record<string, unknown> = {}, call: InvokeOptions = {}): Promise<InvocationResult> => {
    try {
      const entry = index.find(name);
      const { plan } = entry;
      const built = build(entry, inputs, onEvent !== undefined, call.idempotencyKey);
      const started = onEvent ? performance.now() : 0;
      if (onEvent) emitRequest(plan.id, plan.method, built.maskedUrl, built.maskedHeaders ?? {});
      const response = await client.send(built.wire, { operation: plan.id, redactedUrl: built.maskedUrl, signal: call.signal, timeout: call.timeout, retry: call.retry });
      onEvent?.({ type: 'response', operation: plan.id, status: response.status, attempts: response.attempts, durationMs: performance.now() - started });

      const headers = redactor.headers(response.headers);
      const contentType = headerText(headers['content-type']);
      if (response.status < 200 || response.status >= 300) {
        const body = redactor.tree(parseLooseBody(response.body, contentType, MAX_ERROR_BODY_BYTES));
        const resendable = mayResend(built.wire, call.retry?.unsafe ?? options.retry?.unsafe ?? false);
        const decision = resolveFailure({ kind: 'status', status: response.status, retryAfter: headers['retry-after'] }, resendable);
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
      const data = readData(plan, response.body, contentType);
      return { operation: plan.id, status: response.status, headers, data, outputs: extractOutputs(plan.outputs, data, plan.id) };
    } catch (error) {
      throw redactor.error(error);
    }
  };

  /** The converted body, secrets masked, refused past the documented depth. */
  const readData = (plan: OperationPlan, body: Buffer, contentType: string | undefined): unknown => {
    if (plan.outputFormat === 'binary') return binaryDocument(redactor.buffer(body), contentType);
    const data = parseBody(body, plan.outputFormat, contentType, plan.id);
    if (couldNestDeeperThan(body.length, MAX_DEPTH) && nestsDeeperThan(data, MAX_DEPTH)) {
      throw new ResponseError(`${plan.id}: the response nests deeper than ${MAX_DEPTH} levels; it was refused`, {
        operation: plan.id,
        details: { maxDepth: MAX_DEPTH },
      });
    }
    return redactor.mayHold(body) ? redactor.tree(data) : data;
  };

  const forward = async (namespace: string, request: ForwardRequest, call: InvokeOptions = {}): Promise<WireResponse> => {
    try {
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
      if (onEvent) emitRequest(plan.id, plan.method, maskedUrl, overlayHeaders(request.headers ?? {}, built.maskedHeaders ?? {}));
      const wire = { ...built.wire, url, headers, ...(request.body && request.body.length > 0 ? { body: request.body } : {}) };
      const response = await client.send(wire, { operation: plan.id, redactedUrl: maskedUrl, signal: call.signal, timeout: call.timeout, retry: call.retry });
      onEvent?.({ type: 'response', operation: plan.id, status: response.status, attempts: response.attempts, durationMs: performance.now() - started });
      return { ...response, headers: redactor.headers(response.headers), body: redactor.buffer(response.body) };
    } catch (error) {
      throw redactor.error(error);
    }
  };

  const runtime: Runtime = {
    operations: entries.map((e) => e.info),
    execute,
    forward,
    async invoke(name, inputs, call) {
      return (await execute(name, inputs, call)).outputs;
    },
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
