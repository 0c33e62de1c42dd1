/**
 * The REST adapter: serves a compiled `rest` expose with Node's `http`. Routing is by method and path
 * template; inputs come from the path, query, headers, cookies and JSON body; every error is a JSON body
 * `{ error: { code, message, ... } }` with a status that says whose fault it is.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, InputError, NaftikoError } from '../errors.js';
import { select } from './values.js';
import type { RestExposeSpec, RestOperationSpec } from './types.js';

/** Options of {@link startRestServer}; `port` and `address` override the expose's. */
export interface RestServerOptions {
  port?: number;
  address?: string;
  /** Told of failures the server itself could not attribute to the caller or upstream (5xx). */
  log?: (line: string) => void;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:3002`. */
  url: string;
  /** Stops accepting requests, lets the ones in flight finish, then resolves. */
  close(): Promise<void>;
}

/** Largest request body accepted, in bytes. */
const MAX_BODY = 1024 * 1024;

/** What the server answers; `body` is sent as JSON. */
interface Reply {
  status: number;
  body?: unknown;
  /** Bytes sent as they are (a binary response), instead of `body` as JSON. */
  bytes?: Buffer;
  headers?: Record<string, string>;
}

interface Route {
  spec: RestOperationSpec;
  pattern: RegExp;
  names: string[];
  /** Forward routes keep the captured rest of the path percent-encoded, as it is passed on. */
  raw: boolean;
}

/** Starts serving `spec`; resolves once listening. */
export async function startRestServer(spec: RestExposeSpec, options: RestServerOptions = {}): Promise<RunningServer> {
  const routes = spec.operations.map(compileRoute).sort(precedence);
  const log = options.log ?? (() => {});
  let closing = false;

  const server = createServer((req, res) => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    handle(req, controller.signal)
      .catch((error: unknown): Reply => {
        log(`rest ${spec.namespace}: ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
        return failure(500, { code: 'INTERNAL', message: 'internal error' });
      })
      .then((reply) => {
        // Once closing, connections end after their response so close() is not held by keep-alive.
        if (closing) res.setHeader('connection', 'close');
        for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
        if (reply.bytes !== undefined) {
          res.writeHead(reply.status, { 'content-length': reply.bytes.length }).end(reply.bytes);
          return;
        }
        if (reply.body === undefined) {
          res.writeHead(reply.status).end();
          return;
        }
        const text = JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
      });
  });

  const handle = async (req: IncomingMessage, signal: AbortSignal): Promise<Reply> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    if (matching.length === 0) return failure(404, { code: 'NOT_FOUND', message: `no resource at ${url.pathname}` });
    const route = matching.find((r) => r.spec.method === method) ?? matching.find((r) => r.spec.method === '*');
    if (!route) {
      const allow = [...new Set(matching.map((r) => r.spec.method))].join(', ');
      return failure(405, { code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${url.pathname}` }, { allow });
    }
    if (spec.auth && !spec.auth.verify(req.headers, url.searchParams)) {
      const challenge: Record<string, string> = spec.auth.type === 'apikey' ? {} : { 'www-authenticate': spec.auth.type === 'basic' ? 'Basic realm="naftiko"' : 'Bearer' };
      return failure(401, { code: 'UNAUTHORIZED', message: 'missing or invalid credentials' }, challenge);
    }
    const body = await readBody(req);
    if (body === undefined) return failure(413, { code: 'PAYLOAD_TOO_LARGE', message: `the request body exceeds ${MAX_BODY} bytes` });

    let status = 200;
    try {
      const args = extractInputs(route, url, req, body);
      const result = await route.spec.operation.run(args, {
        signal,
        headers: req.headers,
        request: { method, query: forwardedQuery(url, spec.auth?.queryParameter), body, ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}) },
        onUpstreamStatus: (upstream) => {
          if (upstream >= 200 && upstream < 300) status = upstream;
        },
      });
      if (result === undefined || (result === null && status === 204)) return { status: 204 };
      const { binary } = route.spec;
      // A binary answer is `{ contentType, size, base64 }` in the model (or its base64 text, mapped out).
      const encoded = typeof result === 'string' ? result : (result as { base64?: unknown } | null)?.base64;
      if (binary && typeof encoded === 'string') return { status: binary.status, bytes: Buffer.from(encoded, 'base64'), headers: { 'content-type': binary.mediaType } };
      return { status: status === 204 ? 200 : status, body: result };
    } catch (error) {
      if (!(error instanceof NaftikoError)) throw error;
      const code = statusOf(error);
      if (code >= 500) log(`rest ${spec.namespace}: ${method} ${url.pathname} → ${code} ${error.code}: ${error.message}`);
      const { name: _name, code: errorCode, message, ...details } = error.toJSON();
      return failure(code, { code: errorCode, message, ...details });
    }
  };

  const address = options.address ?? spec.address;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? spec.port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, family } = server.address() as AddressInfo;
  return {
    url: `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`,
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}

/**
 * Gathers the operation's inputs from the request. Path values are percent-decoded; a query
 * parameter given several times is an array; body parameters are read from the JSON body by name, or
 * by their `value` JSONPath (`$.user.id`).
 */
function extractInputs(route: Route, url: URL, req: IncomingMessage, body: Buffer): Record<string, unknown> {
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
      const header = req.headers[param.name.toLowerCase()];
      value = Array.isArray(header) ? header.join(', ') : header;
    } else if (param.in === 'cookie') {
      value = cookie(req.headers.cookie, param.name);
    } else {
      const document = parsedBody();
      value = document !== null && typeof document === 'object' && !Array.isArray(document) ? (document as Record<string, unknown>)[param.name] : undefined;
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

/** Reads the whole body, or undefined when it is larger than allowed. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function decode(text: string, operation: string, parameter: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InputError(`${operation}: path parameter '${parameter}' is not valid percent-encoding`, { operation, parameter });
  }
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) {
      const value = pair.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

function failure(status: number, error: Record<string, unknown>, headers?: Record<string, string>): Reply {
  return { status, body: { error }, ...(headers ? { headers } : {}) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
