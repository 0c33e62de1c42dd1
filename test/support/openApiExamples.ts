/**
 * Serves an OpenAPI document's examples on 127.0.0.1, the way Microcks mocks an API from its OpenAPI
 * file (upstream Ikanos runs its tutorial against Microcks): each operation answers with the response
 * example whose name matches the request, chosen by the operation's `x-microcks-operation` dispatcher.
 *
 * - `URI_PARAMS` (rules: query parameter names): the example named `?name=value`;
 * - `URI_PARTS` (rules: path parameter names): the example named `/name=value`;
 * - `SCRIPT` whose script is `return 'name'`: the example `name`;
 * - `FALLBACK`: the inner dispatcher, or the `fallback` example when nothing matches;
 * - no dispatcher: the first example of the first 2xx response.
 *
 * A response whose `x-microcks-refs` names the dispatch key answers with its status and no body. String
 * values `{{ request.body/pointer }}` in an example are filled from the JSON request body. Every request
 * is recorded. Nothing matching answers 404 with a JSON error, as Microcks does.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { isObject } from '../../runtime/util/isObject.js';

type Raw = Record<string, unknown>;

/** One request the stand-in received. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The `operationId` it was routed to, if any. */
  operationId?: string;
}

/** A running stand-in. */
export interface ExamplesServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

interface Route {
  method: string;
  pattern: RegExp;
  parameterNames: string[];
  operation: Raw;
}

function routesOf(document: Raw): Route[] {
  const routes: Route[] = [];
  for (const [path, item] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    if (!isObject(item)) continue;
    const parameterNames: string[] = [];
    const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
      parameterNames.push(name);
      return '([^/]+)';
    });
    for (const [method, operation] of Object.entries(item)) {
      if (isObject(operation) && ['get', 'post', 'put', 'patch', 'delete'].includes(method)) {
        routes.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), parameterNames, operation });
      }
    }
  }
  return routes;
}

/** The example name the dispatcher picks for a request. */
function dispatchKey(dispatcher: string | undefined, rules: string, query: URLSearchParams, path: Record<string, string>): string | undefined {
  const names = rules.split(/\s*(?:&&|,)\s*/).filter(Boolean);
  switch (dispatcher) {
    case 'URI_PARAMS': {
      const parts = names.filter((n) => query.has(n)).map((n) => `${n}=${query.get(n)}`);
      return parts.length > 0 ? `?${parts.join('&')}` : undefined;
    }
    case 'URI_PARTS': {
      const parts = names.filter((n) => n in path).map((n) => `${n}=${path[n]}`);
      return parts.length > 0 ? `/${parts.join('/')}` : undefined;
    }
    case 'SCRIPT':
      return /return\s+['"]([^'"]+)['"]/.exec(rules)?.[1];
    default:
      return undefined;
  }
}

function fill(value: unknown, body: unknown): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*request\.body\/([^}\s]*)\s*\}\}$/.exec(value);
    if (whole) return pointerGet(body, whole[1]);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, body));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, body)]));
  return value;
}

function pointerGet(data: unknown, pointer: string): unknown {
  let node = data;
  for (const token of pointer.split('/').filter(Boolean)) node = isObject(node) || Array.isArray(node) ? (node as Raw)[token] : undefined;
  return node;
}

interface Answer {
  status: number;
  contentType?: string;
  body?: string;
}

function answer(operation: Raw, key: string | undefined, fallback: string | undefined, requestBody: unknown): Answer | undefined {
  const responses = Object.entries(isObject(operation.responses) ? operation.responses : {}).sort(([a], [b]) => Number(!a.startsWith('2')) - Number(!b.startsWith('2')));
  const find = (name: string | undefined): Answer | undefined => {
    for (const [status, response] of responses) {
      if (!isObject(response)) continue;
      const refs = response['x-microcks-refs'];
      if (name !== undefined && Array.isArray(refs) && refs.includes(name)) return { status: Number(status) };
      for (const [contentType, media] of Object.entries(isObject(response.content) ? response.content : {})) {
        const examples = isObject(media) && isObject(media.examples) ? media.examples : {};
        const example = name === undefined ? Object.values(examples)[0] : examples[name];
        if (!isObject(example)) continue;
        const value = fill(example.value, requestBody);
        return { status: Number(status), contentType, body: typeof value === 'string' ? value : JSON.stringify(value) };
      }
    }
    return undefined;
  };
  return key !== undefined ? (find(key) ?? find(fallback)) : fallback !== undefined ? find(fallback) : find(undefined);
}

/**
 * Starts a stand-in serving the examples of the OpenAPI document `text` (YAML or JSON).
 *
 * @returns its base URL (to give as `--base-uri`), the requests it received, and `close()`.
 */
export async function serveOpenApiExamples(text: string): Promise<ExamplesServer> {
  const routes = routesOf(parse(text) as Raw);
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      requests.push(recorded);
      const route = routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
      let result: Answer | undefined;
      if (route) {
        recorded.operationId = String(route.operation.operationId ?? '');
        const values = route.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
        const path = Object.fromEntries(route.parameterNames.map((n, i) => [n, values[i]]));
        const x = isObject(route.operation['x-microcks-operation']) ? route.operation['x-microcks-operation'] : {};
        let dispatcher = typeof x.dispatcher === 'string' ? x.dispatcher : undefined;
        let rules = typeof x.dispatcherRules === 'string' ? x.dispatcherRules : '';
        let fallback: string | undefined;
        if (dispatcher === 'FALLBACK') {
          const inner = JSON.parse(rules) as { dispatcher: string; dispatcherRules: string; fallback: string };
          ({ dispatcher, dispatcherRules: rules, fallback } = inner);
        }
        let requestBody: unknown;
        try {
          requestBody = body === '' ? undefined : JSON.parse(body);
        } catch {
          requestBody = undefined;
        }
        result = answer(route.operation, dispatchKey(dispatcher, rules, url.searchParams, path), fallback, requestBody);
      }
      if (!result) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no example matches', method: req.method, path: url.pathname }));
        return;
      }
      res.writeHead(result.status, result.contentType ? { 'content-type': result.contentType } : {}).end(result.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
