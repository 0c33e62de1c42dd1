/**
 * The REST adapter: a compiled `rest` expose as a hono app. Authentication is checked before routing;
 * routing is by method and path template; inputs come from the path, query, headers, cookies and JSON
 * body; every error is a JSON body `{ error: { code, message, ... } }` with a status that says whose
 * fault it is, and never the address of the upstream API.
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { HttpError, InputError, NaftikoError } from '../index.js';
import type { RestExposeSpec, RestOperationSpec, RunOptions } from '../orchestration/types.js';
import { select } from '../orchestration/values.js';
import { authGuard, clientError, hostGuard, isLoopbackAddress, requestBodyLimit, type Refuse } from '../serve/guards.js';
import { listen, type RunningServer } from '../serve/listen.js';
import { isObject } from '../util/isObject.js';

export type { RunningServer };

/** Options of {@link startRestServer}; `port` and `address` override the expose's. */
export interface RestServerOptions {
  port?: number;
  address?: string;
  /** Told of failures the server itself could not attribute to the caller or upstream (5xx). */
  log?: (line: string) => void;
}

/** Largest request body accepted, in bytes. */
const MAX_REQUEST_BODY = 1024 * 1024;

interface Route {
  spec: RestOperationSpec;
  pattern: RegExp;
  names: string[];
  /** Forward routes keep the captured rest of the path percent-encoded, as it is passed on. */
  raw: boolean;
}

/** Starts serving `spec`; resolves once listening. */
export async function startRestServer(spec: RestExposeSpec, options: RestServerOptions = {}): Promise<RunningServer> {
  const address = options.address ?? spec.address;
  return listen(createRestApp(spec, { log: options.log, loopback: isLoopbackAddress(address) }).fetch, { port: options.port ?? spec.port, address, log: options.log });
}

/**
 * The hono app serving `spec`, usable without a socket (`app.request()`). On a loopback address
 * (`loopback`), requests naming another Host are refused, against DNS rebinding.
 */
function createRestApp(spec: RestExposeSpec, options: { log?: (line: string) => void; loopback?: boolean } = {}): Hono {
  const log = options.log ?? (() => {});
  const app = new Hono({ strict: false });
  const refuse: Refuse = (status, message, headers) => failure(status, { code: status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message }, headers);
  if (options.loopback) app.use(hostGuard(refuse));
  if (spec.auth) app.use(authGuard(refuse, spec.auth, spec.namespace));
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => failure(405, { code: 'METHOD_NOT_ALLOWED', message: `${c.req.method} is not allowed on ${c.req.path}` }, { allow: methods.join(', ') }),
    }),
  );
  app.use(requestBodyLimit(MAX_REQUEST_BODY, () => failure(413, { code: 'PAYLOAD_TOO_LARGE', message: `the request body exceeds ${MAX_REQUEST_BODY} bytes` })));

  for (const route of spec.operations.map(compileRoute).sort(precedence)) {
    const handler = (c: Context) => answer(route, spec, c, log);
    if (route.raw) app.all(honoPath(route), handler);
    else app.on(route.spec.method, honoPath(route), handler);
  }
  app.notFound((c) => failure(404, { code: 'NOT_FOUND', message: `no resource at ${c.req.path}` }));
  app.onError((error, c) => {
    if (error instanceof NaftikoError) return naftikoFailure(error, spec, c, log);
    log(`rest ${spec.namespace}: ${c.req.method} ${c.req.path}: ${error.stack ?? String(error)}`);
    return failure(500, { code: 'INTERNAL', message: 'internal error' });
  });
  return app;
}

async function answer(route: Route, spec: RestExposeSpec, c: Context, log: (line: string) => void): Promise<Response> {
  const url = new URL(c.req.url);
  const method = c.req.method.toUpperCase();
  // A GET or HEAD has no body to read, and asking @hono/node-server for one builds a full web Request.
  const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : Buffer.from(await c.req.arrayBuffer());
  const args = extractInputs(route, url, c, body);
  let status = 200;
  const options: RunOptions = {
    signal: c.req.raw.signal,
    onUpstreamStatus: (upstream) => {
      if (upstream >= 200 && upstream < 300) status = upstream;
    },
  };
  // Only a forward passes the caller's request on.
  if (route.raw) {
    const contentType = c.req.header('content-type');
    options.headers = c.req.header();
    options.request = { method, query: forwardedQuery(url, spec.auth?.queryParameter), body, ...(contentType ? { contentType } : {}) };
  }
  let result: unknown;
  try {
    result = await route.spec.operation.run(args, options);
  } catch (error) {
    if (error instanceof NaftikoError) return naftikoFailure(error, spec, c, log);
    throw error;
  }
  if (result === undefined || (result === null && status === 204)) return new Response(null, { status: 204 });
  const { binary } = route.spec;
  // A binary answer is `{ contentType, size, base64 }` in the model (or its base64 text, mapped out).
  const encoded = typeof result === 'string' ? result : (result as { base64?: unknown } | null)?.base64;
  if (binary && typeof encoded === 'string') return new Response(Buffer.from(encoded, 'base64'), { status: binary.status, headers: { 'content-type': binary.mediaType } });
  return json(status === 204 ? 200 : status, result);
}

function naftikoFailure(error: NaftikoError, spec: RestExposeSpec, c: Context, log: (line: string) => void): Response {
  const status = statusOf(error);
  if (status >= 500) log(`rest ${spec.namespace}: ${c.req.method} ${c.req.path} → ${status} ${error.code}: ${error.message}`);
  return failure(status, clientError(error));
}

/**
 * Gathers the operation's inputs from the request. Path values are percent-decoded; a query
 * parameter given several times is an array; body parameters are read from the JSON body by name, or
 * by their `value` JSONPath (`$.user.id`).
 */
function extractInputs(route: Route, url: URL, c: Context, body: Buffer): Record<string, unknown> {
  const spec = route.spec;
  const args: Record<string, unknown> = {};
  const captured = route.pattern.exec(url.pathname) ?? [];
  const operation = spec.operation.name;
  let json: unknown;
  const parsedBody = (): unknown => {
    if (json === undefined && body.length > 0) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        throw new InputError(`${operation}: the request body is not valid JSON`, { operation });
      }
    }
    return json;
  };
  const types = (spec.operation.inputSchema.properties ?? {}) as Record<string, { type?: string }>;
  for (const param of spec.parameters) {
    let value: unknown;
    if (param.value !== undefined) {
      value = select(param.value, parsedBody());
    } else if (param.in === 'path') {
      const text = captured[route.names.indexOf(param.name) + 1];
      value = text === undefined || route.raw ? text : decode(text, operation, param.name);
    } else if (param.in === 'query') {
      const all = url.searchParams.getAll(param.name);
      const array = types[param.name]?.type === 'array' && !(all.length === 1 && all[0].trim().startsWith('['));
      value = all.length === 0 ? undefined : array || all.length > 1 ? all : all[0];
    } else if (param.in === 'header') {
      value = c.req.header(param.name);
    } else if (param.in === 'cookie') {
      value = getCookie(c, param.name);
    } else {
      const document = parsedBody();
      value = isObject(document) ? document[param.name] : undefined;
    }
    if (value !== undefined) args[param.name] = value;
  }
  return args;
}

/** The query string a forward passes on: the caller's, without the key that authenticated it here. */
function forwardedQuery(url: URL, authParameter: string | undefined): string {
  if (authParameter === undefined || !url.searchParams.has(authParameter)) return url.search.slice(1);
  const query = new URLSearchParams(url.searchParams);
  query.delete(authParameter);
  return query.toString();
}

function compileRoute(spec: RestOperationSpec): Route {
  const names: string[] = [];
  const raw = spec.forward !== undefined;
  let source = '^';
  let index = 0;
  for (const match of spec.path.matchAll(/\{([^{}]+)\}/g)) {
    source += escapeRegExp(spec.path.slice(index, match.index));
    names.push(match[1]);
    index = match.index + match[0].length;
    // A forward route's last placeholder takes the rest of the path, slashes included.
    source += raw && index === spec.path.length ? '(.+)' : '([^/]+)';
  }
  source += `${escapeRegExp(spec.path.slice(index))}/?$`;
  return { spec, pattern: new RegExp(source), names, raw };
}

/** `/ships/{imo}` → `/ships/:p0`: hono only routes; values are taken with the route's own pattern. */
function honoPath(route: Route): string {
  let n = 0;
  return route.spec.path.replace(/\{[^{}]+\}/g, () => {
    const name = `:p${n}`;
    const last = n === route.names.length - 1;
    n++;
    return route.raw && last ? `${name}{.+}` : name;
  });
}

/** Operations before forwards (spec 3.5.3), then literal paths before parameterized ones. */
function precedence(a: Route, b: Route): number {
  if (a.raw !== b.raw) return a.raw ? 1 : -1;
  return a.names.length - b.names.length || b.spec.path.length - a.spec.path.length;
}

function statusOf(error: NaftikoError): number {
  switch (error.code) {
    case 'INPUT_INVALID':
      return 400;
    case 'OPERATION_NOT_FOUND':
      return 404;
    case 'HTTP_ERROR': {
      const upstream = (error as HttpError).status;
      return upstream >= 400 && upstream <= 599 ? upstream : 502;
    }
    case 'TIMEOUT':
      return 504;
    case 'NETWORK':
    case 'RESPONSE_INVALID':
    case 'OUTPUT_INVALID':
    case 'AUTH_FAILED':
    case 'ASYNC_FAILED':
      return 502;
    case 'NOT_SUPPORTED':
      return 501;
    case 'ABORTED':
      // The caller went away; nobody reads this status.
      return 499;
    default:
      return 500;
  }
}

function decode(text: string, operation: string, parameter: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InputError(`${operation}: path parameter '${parameter}' is not valid percent-encoding`, { operation, parameter });
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

function failure(status: number, error: Record<string, unknown>, headers?: Record<string, string>): Response {
  return json(status, { error }, headers);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
