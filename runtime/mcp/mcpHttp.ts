/**
 * MCP over Streamable HTTP: a hono app around the SDK's web-standard handler (`createMcpHandler`),
 * served by `@hono/node-server`.
 *
 * The handler serves the 2026-07-28 revision (stateless: every request carries its protocol version
 * in the `MCP-Protocol-Version` header and `_meta`, no initialize) and, for clients on 2025-11-25,
 * 2025-06-18 and 2025-03-26, stateless 2025-era serving: initialize is answered, but no
 * `Mcp-Session-Id` is issued and GET and DELETE (the SSE stream and session end of stateful servers)
 * answer 405, which SDK clients expect. Answers are plain JSON.
 *
 * Before a request reaches MCP it passes the guards every HTTP adapter shares (`serve/guards.ts`: Host
 * on loopback, Origin, exposed authentication), on whatever path it asks for.
 */
import { createMcpHandler, isLegacyRequest, PROTOCOL_VERSION_META_KEY, ProtocolError, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { Hono, type Context } from 'hono';
import type { ExposedAuth } from '../orchestration/types.js';
import { authGuard, hostGuard, isLoopbackAddress, originGuard, requestBodyLimit, type Refuse } from '../serve/guards.js';
import { listen, type RunningServer } from '../serve/listen.js';
import { isObject } from '../util/isObject.js';
import { mcpServerFactory, type McpServerFactory, type McpServerSpec } from './mcpServer.js';

/** Largest request body accepted over HTTP, in bytes (the SDK's own default). */
export const MAX_HTTP_BODY = 4 * 1024 * 1024;

/** Options of {@link mcpHttpApp}. */
export interface McpHttpOptions {
  /** Path of the MCP endpoint, e.g. `/` or `/mcp`. */
  path: string;
  /** Address the server listens on; on loopback, only loopback `Host` names are accepted. */
  address: string;
  /** Origins accepted besides loopback ones (full origins or host names). */
  allowOrigins?: string[];
  /** Checked on every request before it reaches MCP; failures answer 401. */
  auth?: ExposedAuth;
  log?: (line: string) => void;
}

/** An MCP endpoint as a hono app (usable without a socket through `app.request()`). */
export interface McpHttpApp {
  app: Hono;
  /** From now on, requests answer 503 (a server that is stopping lets the ones in flight finish). */
  refuseNewRequests(): void;
  /** Releases the MCP handler; exchanges still in flight are aborted, so answer them first. */
  close(): Promise<void>;
  /** SDK server instances built so far: instances are reused, so this stays at the peak concurrency. */
  instancesBuilt(): number;
}

/** Builds the app serving `spec` at `options.path`. */
export function mcpHttpApp(spec: McpServerSpec, options: McpHttpOptions): McpHttpApp {
  const log = options.log ?? (() => {});
  const factory = mcpServerFactory(spec, { log });
  const mcp = mcpHandler(factory, (error) => {
    // Client mistakes (bad version, missing _meta, mismatched headers) are answered to the client; only the server's own problems are logged.
    if (!(error instanceof ProtocolError) && !error.message.startsWith('Rejected')) log(`mcp: ${spec.name}: ${error.message}`);
  });
  let closing = false;
  const path = options.path;

  const app = new Hono();
  app.use('*', async (c, next) => {
    if (closing) return jsonRpcError(c, 503, 'the server is shutting down', { connection: 'close' });
    await next();
  });
  const refuse: Refuse = (status, message, headers) => Response.json(jsonRpcBody(message), { status, headers });
  if (isLoopbackAddress(options.address)) app.use('*', hostGuard(refuse));
  app.use('*', originGuard(refuse, options.allowOrigins));
  if (options.auth) app.use('*', authGuard(refuse, options.auth, spec.name));
  app.use(path, requestBodyLimit(MAX_HTTP_BODY, (c) => jsonRpcError(c, 413, `request body larger than ${MAX_HTTP_BODY} bytes`)));
  app.all(path, (c) => mcp.fetch(c.req.raw));
  app.notFound((c) => jsonRpcError(c, 404, `not found: ${c.req.path} (the MCP endpoint is ${path})`));
  app.onError((error, c) => {
    log(`mcp: ${spec.name}: ${c.req.method} ${c.req.path}: ${error.message}`);
    return jsonRpcError(c, 500, 'internal error');
  });

  return {
    app,
    refuseNewRequests: () => void (closing = true),
    close: () => mcp.close(),
    instancesBuilt: () => factory.built,
  };
}

/**
 * The SDK's handler for 2026-07-28 requests, with 2025-era requests served statelessly in front of
 * it. The SDK's own 2025 fallback answers over SSE; this one answers plain JSON (one request, one
 * answer, nothing to stream), as this server always has, and takes its instances from the same pool.
 */
function mcpHandler(factory: McpServerFactory, onerror: (error: Error) => void): { fetch(request: Request): Promise<Response>; close(): Promise<void> } {
  const modern = createMcpHandler(factory, { legacy: 'reject', maxRequestBodySize: MAX_HTTP_BODY, onerror });
  const legacy = async (request: Request, parsedBody: unknown): Promise<Response> => {
    const server = factory({ era: 'legacy' });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request, { parsedBody });
    } finally {
      // Closing the transport closes the instance, which returns it to the pool.
      await transport.close();
    }
  };
  return {
    async fetch(request) {
      if (request.method !== 'POST') return Response.json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }, { status: 405, headers: { allow: 'POST' } });
      let body: unknown;
      try {
        body = JSON.parse(await request.text());
      } catch {
        return Response.json({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the request body is not valid JSON' }, id: null }, { status: 400 });
      }
      const fast = plainToolCall(request, body, factory);
      if (fast) return fast;
      // What claims 2026-07-28 is the modern handler's to answer (or reject); the SDK's own check decides the rest.
      if (claimsModernRevision(request, body) || !(await isLegacyRequest(request, body))) return modern.fetch(request, { parsedBody: body });
      return legacy(request, body);
    },
    close: () => modern.close(),
  };
}

/**
 * The answer to a plain 2026-07-28 `tools/call` of a known tool — the one request agents send over and
 * over — without an SDK instance: the SDK's per-request work (request and result validation, a
 * transport set up and torn down) costs several times the call itself under load. "Plain" is checked
 * strictly: the revision in the header and in `_meta`, `Mcp-Method` and `Mcp-Name` matching the body,
 * an id, arguments that are an object, no other parameter. Anything else (and any unknown tool) is the
 * SDK's to answer, with its exact errors; the answer here is the one the SDK would give
 * (`test/mcpHttpApp.test.ts` compares them).
 */
function plainToolCall(request: Request, body: unknown, factory: McpServerFactory): Promise<Response> | undefined {
  if (request.headers.get('mcp-protocol-version') !== FIRST_MODERN_REVISION || request.headers.get('mcp-method') !== 'tools/call') return undefined;
  if (!(request.headers.get('accept') ?? '').includes('application/json')) return undefined;
  if (!isObject(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call' || !(typeof body.id === 'string' || typeof body.id === 'number')) return undefined;
  if (Object.keys(body).length !== 4 || !isObject(body.params)) return undefined;
  const { name, arguments: args, _meta: meta, ...other } = body.params;
  if (typeof name !== 'string' || request.headers.get('mcp-name') !== name || Object.keys(other).length > 0) return undefined;
  if (args !== undefined && !isObject(args)) return undefined;
  if (!isObject(meta) || meta[PROTOCOL_VERSION_META_KEY] !== FIRST_MODERN_REVISION) return undefined;
  const called = factory.callTool(name, args ?? {}, { signal: request.signal });
  if (!called) return undefined;
  const id = body.id;
  // A string body, not `Response.json`: @hono/node-server writes a string-bodied Response straight to
  // the socket, while a static `Response.json` is a web stream it must read back chunk by chunk.
  return called.then(
    (result) =>
      new Response(JSON.stringify({ result: { ...result, resultType: 'complete', _meta: { 'io.modelcontextprotocol/serverInfo': factory.info } }, jsonrpc: '2.0', id }), {
        headers: { 'content-type': 'application/json' },
      }),
  );
}

/**
 * Whether a request says it is on a 2026-07-28-era revision, by header or `_meta`: such requests are
 * never 2025-era ones for the SDK either, so its classification need not run twice on them.
 */
function claimsModernRevision(request: Request, body: unknown): boolean {
  const header = request.headers.get('mcp-protocol-version');
  if (header !== null && header.trim() >= FIRST_MODERN_REVISION) return true;
  const meta = (body as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
  return meta !== null && typeof meta === 'object' && PROTOCOL_VERSION_META_KEY in meta;
}

/** Revision identifiers are dates: every revision from this one on is served without initialize. */
const FIRST_MODERN_REVISION = '2026-07-28';

/** A listening MCP HTTP server. */
export type RunningMcpHttp = RunningServer;

/** Serves `spec` over HTTP on `address:port`; resolves once listening. */
export async function startMcpHttp(spec: McpServerSpec, options: McpHttpOptions & { port: number }): Promise<RunningMcpHttp> {
  const { app, refuseNewRequests, close } = mcpHttpApp(spec, options);
  const log = options.log ?? (() => {});
  const server = await listen(app.fetch, {
    port: options.port,
    address: options.address,
    onStopping: refuseNewRequests,
    onIdle: close,
    log: (line) => log(`mcp: ${spec.name}: ${line}`),
  });
  return { ...server, url: `${server.url}${options.path}` };
}

/** A JSON-RPC error answer with an HTTP status, as MCP's Streamable HTTP transport sends them. */
function jsonRpcError(c: Context, status: 400 | 404 | 405 | 413 | 500 | 503, message: string, headers: Record<string, string> = {}): Response {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(jsonRpcBody(message), status);
}

function jsonRpcBody(message: string): Record<string, unknown> {
  return { jsonrpc: '2.0', error: { code: -32000, message }, id: null };
}
