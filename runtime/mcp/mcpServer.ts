/**
 * An MCP server (official TypeScript SDK) over compiled tools, resources and prompts, on stdio or
 * Streamable HTTP.
 *
 * The low-level SDK `Server` is used rather than `McpServer`: tools here carry plain JSON Schemas
 * compiled from capability files, which `McpServer` would want as zod schemas.
 *
 * Streamable HTTP runs stateless: every POST to `/mcp` gets a fresh server and transport, answered
 * with plain JSON (no SSE stream, no `Mcp-Session-Id`). Nothing here needs server-initiated
 * messages, and stateless requests can be served by any process behind a load balancer. GET and
 * DELETE (the SSE stream and session end of stateful servers) answer 405, which SDK clients expect.
 * Authentication is checked before a request reaches MCP; a failure answers 401.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { NaftikoError } from '../index.js';
import { isObject as isPlainObject } from '../util/isObject.js';
import { packageVersion } from '../util/version.js';
import type { ExposedAuth, ExposedOperation, McpPromptSpec, McpResourceSpec, ToolHints } from '../orchestration/types.js';

/** What one MCP server serves. */
export interface McpServerSpec {
  /** Server name sent at initialization (the expose's namespace). */
  name: string;
  /** Server version sent at initialization; default: this package's version. */
  version?: string;
  /** Sent as the server's instructions at initialization (the expose's description). */
  instructions?: string;
  tools: ExposedOperation[];
  resources?: McpResourceSpec[];
  prompts?: McpPromptSpec[];
}

/** Where and how to serve: stdio, or Streamable HTTP on `address:port` at path `/mcp`. */
export type McpTransportOptions =
  | { transport: 'stdio'; log?: (line: string) => void }
  | {
      transport: 'http';
      /** 0 picks a free port. */
      port: number;
      address: string;
      /** Checked on every request before it reaches MCP; failures answer 401. */
      auth?: ExposedAuth;
      log?: (line: string) => void;
    };

/** A running MCP server. */
export interface RunningMcp {
  /** `http://address:port/mcp` on HTTP; absent on stdio. */
  url?: string;
  /** Resolves once the server has stopped: after `close()`, or on stdio when the client closes stdin. */
  closed: Promise<void>;
  /** Stops taking requests, lets the ones in flight finish, then stops. Safe to call twice. */
  close(): Promise<void>;
}

/** Counts requests in flight so that shutdown can wait for them. */
class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  enter(): () => void {
    this.count++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    const leave = this.enter();
    try {
      return await work();
    } finally {
      leave();
    }
  }

  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** JSON-RPC error code MCP uses for an unknown resource URI. */
const RESOURCE_NOT_FOUND = -32002;

/**
 * An SDK `Server` with handlers for the tools, resources and prompts of `spec`. Only the groups that
 * are declared are advertised at initialization. A failing tool answers a tool error (`isError`)
 * whose text is `CODE: message` and whose structured content is `{ error: err.toJSON() }`. Unknown
 * names, and failing resources and prompts (which have no error result), answer JSON-RPC errors.
 * Either way the server keeps serving.
 */
export function createMcpServer(spec: McpServerSpec, options: { track?: <T>(work: () => Promise<T>) => Promise<T>; log?: (line: string) => void } = {}): Server {
  const resources = spec.resources ?? [];
  const prompts = spec.prompts ?? [];
  const capabilities: ServerCapabilities = {};
  if (spec.tools.length > 0) capabilities.tools = {};
  if (resources.length > 0) capabilities.resources = {};
  if (prompts.length > 0) capabilities.prompts = {};
  const server = new Server({ name: spec.name, version: spec.version ?? packageVersion() }, { capabilities, instructions: spec.instructions });
  const track = options.track ?? (<T>(work: () => Promise<T>) => work());
  const log = options.log ?? (() => {});

  if (spec.tools.length > 0) {
    const tools = new Map(spec.tools.map((tool) => [tool.name, tool]));
    const listed = spec.tools.map(describeTool);
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
    server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      track(async (): Promise<CallToolResult> => {
        const tool = tools.get(request.params.name);
        if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool '${request.params.name}'`);
        try {
          const output = await tool.run(request.params.arguments ?? {}, { signal: extra.signal, headers: extra.requestInfo?.headers });
          const result: CallToolResult = { content: [{ type: 'text', text: JSON.stringify(output ?? null) }] };
          if (isPlainObject(output)) result.structuredContent = output;
          return result;
        } catch (error) {
          const json = errorJson(error);
          if (!(error instanceof NaftikoError)) log(`mcp: tool ${tool.name}: internal error: ${json.message}`);
          return { isError: true, content: [{ type: 'text', text: `${json.code}: ${json.message}` }], structuredContent: { error: json } };
        }
      }),
    );
  }

  if (resources.length > 0) {
    const byUri = new Map(resources.map((resource) => [resource.uri, resource]));
    server.setRequestHandler(ListResourcesRequestSchema, () => ({
      resources: resources.map((r) => withoutUndefined({ uri: r.uri, name: r.name, title: r.title, description: r.description, mimeType: r.mimeType })),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, (request) =>
      track(async () => {
        const resource = byUri.get(request.params.uri);
        if (!resource) throw new McpError(RESOURCE_NOT_FOUND, `unknown resource '${request.params.uri}'`, { uri: request.params.uri });
        const content = await protocolErrors(() => resource.read(), log, `resource ${resource.name}`);
        return { contents: [withoutUndefined({ uri: resource.uri, mimeType: content.mimeType ?? resource.mimeType, text: content.text })] };
      }),
    );
  }

  if (prompts.length > 0) {
    const byName = new Map(prompts.map((prompt) => [prompt.name, prompt]));
    server.setRequestHandler(ListPromptsRequestSchema, () => ({
      prompts: prompts.map((p) =>
        withoutUndefined({ name: p.name, title: p.title, description: p.description, arguments: p.arguments.map((a) => withoutUndefined({ ...a })) }),
      ),
    }));
    server.setRequestHandler(GetPromptRequestSchema, (request) =>
      track(async () => {
        const prompt = byName.get(request.params.name);
        if (!prompt) throw new McpError(ErrorCode.InvalidParams, `unknown prompt '${request.params.name}'`);
        const args = request.params.arguments ?? {};
        const missing = prompt.arguments.filter((a) => a.required && args[a.name] === undefined).map((a) => a.name);
        if (missing.length > 0) throw new McpError(ErrorCode.InvalidParams, `prompt '${prompt.name}' needs argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        const messages = await protocolErrors(async () => prompt.render(args), log, `prompt ${prompt.name}`);
        return withoutUndefined({
          description: prompt.description,
          messages: messages.map((m) => ({ role: m.role, content: { type: 'text' as const, text: m.text } })),
        });
      }),
    );
  }

  server.onerror = (error) => log(`mcp: ${error.message}`);
  return server;
}

/** Serves `spec` on stdio or Streamable HTTP; resolves once it is listening. */
export async function startMcp(spec: McpServerSpec, options: McpTransportOptions): Promise<RunningMcp> {
  return options.transport === 'stdio' ? startStdio(spec, options.log) : startHttp(spec, options);
}

async function startStdio(spec: McpServerSpec, log: ((line: string) => void) | undefined): Promise<RunningMcp> {
  const inFlight = new InFlight();
  const server = createMcpServer(spec, { track: (work) => inFlight.track(work), log });
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  let stopping: Promise<void> | undefined;
  const close = () =>
    (stopping ??= (async () => {
      process.stdin.off('end', close);
      await inFlight.idle();
      // The last response is sent a few microtasks after its handler resolves; closing first would drop it.
      await new Promise((resolve) => setImmediate(resolve));
      await server.close();
    })());
  // The SDK transport ignores the end of stdin; for a stdio server it means the client is gone.
  process.stdin.once('end', close);
  await server.connect(new StdioServerTransport());
  return { closed, close };
}

async function startHttp(spec: McpServerSpec, options: Extract<McpTransportOptions, { transport: 'http' }>): Promise<RunningMcp> {
  const log = options.log ?? (() => {});
  const inFlight = new InFlight();
  let closing = false;
  const loopback = options.address === 'localhost' || options.address === '::1' || options.address.startsWith('127.');

  const http = createServer((req, res) => {
    const leave = inFlight.enter();
    res.once('close', leave);
    if (closing) {
      res.setHeader('connection', 'close');
      return sendError(res, 503, 'the server is shutting down');
    }
    handle(req, res).catch((error: unknown) => {
      log(`mcp: ${spec.name}: ${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp') return sendError(res, 404, `not found: ${url.pathname} (the MCP endpoint is /mcp)`);
    if (loopback && !LOOPBACK_HOSTS.has(hostname(req.headers.host))) return sendError(res, 403, `invalid Host header: ${req.headers.host ?? '(none)'}`);
    if (options.auth && !options.auth.verify(req.headers, url.searchParams)) {
      const scheme = options.auth.type === 'bearer' ? 'Bearer' : options.auth.type === 'basic' ? 'Basic' : undefined;
      if (scheme) res.setHeader('www-authenticate', `${scheme} realm="${spec.name}"`);
      return sendError(res, 401, 'unauthorized: missing or wrong credentials');
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return sendError(res, 405, `method ${req.method} not allowed: this server is stateless, send requests with POST`);
    }
    const server = createMcpServer(spec, { log });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.address, () => {
      http.off('error', reject);
      resolve();
    });
  });
  http.on('error', (error) => log(`mcp: ${spec.name}: ${error.message}`));

  const { port } = http.address() as AddressInfo;
  const host = options.address.includes(':') ? `[${options.address}]` : options.address;
  const closed = new Promise<void>((resolve) => http.once('close', () => resolve()));
  let stopping: Promise<void> | undefined;
  const close = () =>
    (stopping ??= (async () => {
      closing = true;
      http.close();
      http.closeIdleConnections();
      await inFlight.idle();
      http.closeAllConnections();
      await closed;
    })());
  return { url: `http://${host}:${port}/mcp`, closed, close };
}

/**
 * Names a local server answers to. A server on loopback refuses any other `Host`: a web page whose
 * domain an attacker re-points at 127.0.0.1 (DNS rebinding) still sends its own domain there.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The host name of a `Host` header (port dropped, IPv6 in brackets); '' when unreadable. */
function hostname(host: string | undefined): string {
  if (host === undefined) return '';
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return '';
  }
}

/** An HTTP error as a JSON-RPC error object, which MCP clients know how to read. */
function sendError(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

function describeTool(tool: ExposedOperation): Tool {
  const listed: Tool = { name: tool.name, inputSchema: tool.inputSchema as Tool['inputSchema'] };
  if (tool.title !== undefined) listed.title = tool.title;
  if (tool.description !== undefined) listed.description = tool.description;
  const annotations = toolAnnotations(tool.title, tool.hints);
  if (annotations) listed.annotations = annotations;
  return listed;
}

function toolAnnotations(title: string | undefined, hints: ToolHints | undefined): Tool['annotations'] {
  const annotations = withoutUndefined({
    title,
    readOnlyHint: hints?.readOnly,
    destructiveHint: hints?.destructive,
    idempotentHint: hints?.idempotent,
    openWorldHint: hints?.openWorld,
  });
  return Object.keys(annotations).length > 0 ? annotations : undefined;
}

/** Resources and prompts have no error result: failures become JSON-RPC errors carrying the error's JSON. */
async function protocolErrors<T>(work: () => Promise<T>, log: (line: string) => void, what: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const json = errorJson(error);
    if (!(error instanceof NaftikoError)) log(`mcp: ${what}: internal error: ${json.message}`);
    throw new McpError(ErrorCode.InternalError, `${json.code}: ${json.message}`, { error: json });
  }
}

function errorJson(error: unknown): Record<string, unknown> & { code: string; message: string } {
  if (error instanceof NaftikoError) return error.toJSON() as Record<string, unknown> & { code: string; message: string };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}


function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
