/**
 * MCP servers (official TypeScript SDK, v2) over compiled tools, resources and prompts.
 *
 * The low-level SDK `Server` is used rather than `McpServer`: tools here carry plain JSON Schemas
 * compiled from capability files, which `McpServer` would want as Standard Schemas (zod).
 *
 * The SDK's serving entries (`createMcpHandler` on HTTP, `serveStdio`) ask a factory for one
 * instance per HTTP exchange or stdio connection, and pin the protocol revision on it. Everything
 * that does not depend on the exchange (tool list, output shapes, lookup maps) is computed once here, and instances are pooled per protocol era, so a busy HTTP server
 * reuses a handful of instances instead of building one per request.
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  Server,
  type CallToolResult,
  type JSONRPCRequest,
  type Result,
  type ServerContext,
  type ListPromptsResult,
  type ListResourcesResult,
  type McpRequestContext,
  type ServerCapabilities,
} from '@modelcontextprotocol/server';
import { NaftikoError } from '../index.js';
import { packageVersion } from '../util/version.js';
import type { ExposedOperation, McpPromptSpec, McpResourceSpec } from '../orchestration/types.js';
import { errorJson, serveTool, toolError, toolResult, withoutUndefined, type ServedTool } from './toolResults.js';

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

/** Options of {@link mcpServerFactory}. */
export interface McpServerOptions {
  /** Wraps every handler, e.g. to count calls in flight. */
  track?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Where the server's own problems are reported (default: nowhere). */
  log?: (line: string) => void;
}

/** Hands out server instances for the SDK's serving entries. */
export interface McpServerFactory {
  /** An idle instance for one exchange (HTTP) or connection (stdio); it goes back to the pool when closed. */
  (context?: Pick<McpRequestContext, 'era'>): Server;
  /** Instances built so far (for benchmarks and tests: a pool that keeps building is not reusing). */
  readonly built: number;
  /** The server's name and version, as instances announce them. */
  readonly info: { name: string; version: string };
  /**
   * Calls a tool as `tools/call` does, without an instance (the HTTP fast path); undefined when no
   * tool has that name (the SDK then answers the protocol error).
   */
  callTool(name: string, args: Record<string, unknown>, options: { signal?: AbortSignal }): Promise<CallToolResult> | undefined;
}

/**
 * A factory of SDK servers for `spec`. Only the groups that are declared are advertised. A failing
 * tool answers a tool error (`isError`) whose text is `CODE: message` and whose structured content is
 * `{ error: err.toJSON() }`; invalid arguments are such a tool error too (`INPUT_INVALID` naming the
 * argument), so the model can correct itself. Unknown names answer JSON-RPC -32602, failing resources
 * and prompts (which have no error result) JSON-RPC errors. Either way the server keeps serving.
 */
export function mcpServerFactory(spec: McpServerSpec, options: McpServerOptions = {}): McpServerFactory {
  const served = compile(spec, options);
  // Era is instance state in the SDK (a modern instance is bound to 2026-07-28), so each era has its own pool.
  const idle: Record<McpRequestContext['era'], Server[]> = { modern: [], legacy: [] };
  let built = 0;
  const factory = ((context?: Pick<McpRequestContext, 'era'>) => {
    const era = context?.era ?? 'legacy';
    const reused = idle[era].pop();
    if (reused) return reused;
    built++;
    const server = createServer(served);
    // The serving entries close an instance once its exchange is over; it is then free for the next one.
    server.onclose = () => idle[era].push(server);
    return server;
  }) as McpServerFactory;
  Object.defineProperty(factory, 'built', { get: () => built });
  Object.defineProperty(factory, 'info', { value: served.info });
  factory.callTool = (name, args, callOptions) => {
    const tool = served.tools.get(name);
    return tool ? callTool(served, tool, args, callOptions) : undefined;
  };
  return factory;
}

/** What every instance of one spec shares. */
interface Compiled {
  info: { name: string; version: string };
  capabilities: ServerCapabilities;
  instructions?: string;
  tools: Map<string, ServedTool>;
  toolList: { tools: Array<ServedTool['listed']> };
  resources: Map<string, McpResourceSpec>;
  resourceList?: ListResourcesResult;
  prompts: Map<string, McpPromptSpec>;
  promptList?: ListPromptsResult;
  track: <T>(work: () => Promise<T>) => Promise<T>;
  log: (line: string) => void;
}

function compile(spec: McpServerSpec, options: McpServerOptions): Compiled {
  const tools = spec.tools.map(serveTool);
  const resources = spec.resources ?? [];
  const prompts = spec.prompts ?? [];
  const capabilities: ServerCapabilities = {};
  if (tools.length > 0) capabilities.tools = {};
  if (resources.length > 0) capabilities.resources = {};
  if (prompts.length > 0) capabilities.prompts = {};
  const compiled: Compiled = {
    info: { name: spec.name, version: spec.version ?? packageVersion() },
    capabilities,
    tools: new Map(tools.map((tool) => [tool.listed.name, tool])),
    toolList: { tools: tools.map((tool) => tool.listed) },
    resources: new Map(resources.map((resource) => [resource.uri, resource])),
    prompts: new Map(prompts.map((prompt) => [prompt.name, prompt])),
    track: options.track ?? ((work) => work()),
    log: options.log ?? (() => {}),
  };
  if (spec.instructions !== undefined) compiled.instructions = spec.instructions;
  if (resources.length > 0) {
    compiled.resourceList = {
      resources: resources.map((r) => withoutUndefined({ uri: r.uri, name: r.name, title: r.title, description: r.description, mimeType: r.mimeType })),
    };
  }
  if (prompts.length > 0) {
    compiled.promptList = {
      prompts: prompts.map((p) => withoutUndefined({ name: p.name, title: p.title, description: p.description, arguments: p.arguments.map((a) => withoutUndefined({ ...a })) })),
    };
  }
  return compiled;
}

/**
 * The SDK server, with its request-validation errors made readable: the SDK answers a malformed
 * request with the validator's issue list as JSON text, and for other methods than tools/call as an
 * internal error (-32603); clients get -32602 and one line naming each field.
 */
class CapabilityServer extends Server {
  protected override _wrapHandler(method: string, handler: (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>): (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result> {
    const wrapped = super._wrapHandler(method, handler);
    return async (request, ctx) => {
      try {
        return await wrapped(request, ctx);
      } catch (error) {
        if (!(error instanceof Error) || (error instanceof ProtocolError && error.code !== ProtocolErrorCode.InvalidParams)) throw error;
        const short = condenseIssues(error.message);
        if (short === error.message) throw error;
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, error instanceof ProtocolError ? short : `Invalid ${method} request: ${short}`);
      }
    };
  }
}

/** `Invalid tools/call request: [{ "path": ["params", "arguments"], "message": "…" }, …]` → `Invalid tools/call request: params.arguments: …`. */
function condenseIssues(message: string): string {
  const start = message.indexOf('[');
  if (start < 0) return message;
  try {
    const issues = JSON.parse(message.slice(start)) as Array<{ path?: unknown[]; message?: string }>;
    if (!Array.isArray(issues) || issues.length === 0) return message;
    const lines = issues.map((issue) => `${Array.isArray(issue.path) && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message ?? 'invalid'}`);
    return [message.slice(0, start).trim(), lines.join('; ')].filter((part) => part !== '').join(' ');
  } catch {
    return message;
  }
}

/** Runs a tool: its output as a result, a failure as a tool error (`CODE: message`), never a throw. */
async function callTool(c: Compiled, tool: ServedTool, args: Record<string, unknown>, options: { signal?: AbortSignal }): Promise<CallToolResult> {
  try {
    return toolResult(tool, await tool.operation.run(args, options));
  } catch (error) {
    const json = errorJson(error);
    if (!(error instanceof NaftikoError)) c.log(`mcp: tool ${tool.listed.name}: internal error: ${json.message}`);
    return toolError(json);
  }
}

function createServer(c: Compiled): Server {
  const server = new CapabilityServer(c.info, { capabilities: c.capabilities, ...(c.instructions !== undefined ? { instructions: c.instructions } : {}) });
  const { track, log } = c;

  if (c.tools.size > 0) {
    server.setRequestHandler('tools/list', () => c.toolList);
    server.setRequestHandler('tools/call', (request, ctx) =>
      track(async (): Promise<CallToolResult> => {
        const name = request.params.name;
        const tool = c.tools.get(name);
        if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown tool '${name}'`);
        return callTool(c, tool, request.params.arguments ?? {}, { signal: ctx.mcpReq.signal });
      }),
    );
  }

  if (c.resourceList) {
    const list = c.resourceList;
    server.setRequestHandler('resources/list', () => list);
    server.setRequestHandler('resources/templates/list', () => ({ resourceTemplates: [] }));
    server.setRequestHandler('resources/read', (request) =>
      track(async () => {
        const uri = request.params.uri;
        const resource = c.resources.get(uri);
        if (!resource) throw new ResourceNotFoundError(uri, `unknown resource '${uri}'`);
        const content = await protocolErrors(() => resource.read(), log, `resource ${resource.name}`);
        return { contents: [withoutUndefined({ uri: resource.uri, mimeType: content.mimeType ?? resource.mimeType, text: content.text })] };
      }),
    );
  }

  if (c.promptList) {
    const list = c.promptList;
    server.setRequestHandler('prompts/list', () => list);
    server.setRequestHandler('prompts/get', (request) =>
      track(async () => {
        const prompt = c.prompts.get(request.params.name);
        if (!prompt) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown prompt '${request.params.name}'`);
        const args = request.params.arguments ?? {};
        const missing = prompt.arguments.filter((a) => a.required && args[a.name] === undefined).map((a) => a.name);
        if (missing.length > 0) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `prompt '${prompt.name}' needs argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
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

/** Resources and prompts have no error result: failures become JSON-RPC errors carrying the error's JSON. */
async function protocolErrors<T>(work: () => Promise<T>, log: (line: string) => void, what: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const json = errorJson(error);
    if (!(error instanceof NaftikoError)) log(`mcp: ${what}: internal error: ${json.message}`);
    throw new ProtocolError(ProtocolErrorCode.InternalError, `${json.code}: ${json.message}`, { error: json });
  }
}
