/**
 * The MCP side of `serveCapability`: starts one compiled `exposes` entry of type `mcp` on the
 * transport it declares.
 */
import { SpecError } from '../index.js';
import type { McpExposeSpec } from '../orchestration/types.js';
import { startMcp, type RunningMcp } from './startMcp.js';

/** Options of {@link serveMcpExpose}. */
export interface ServeMcpExposeOptions {
  /** Wins over the expose's `port` (0 picks a free one). */
  port?: number;
  /** Wins over the expose's `address`. */
  address?: string;
  /** Wins over the expose's `path`; without either, the endpoint is `/` (as upstream serves it). */
  path?: string;
  /** Browser origins accepted besides loopback ones. */
  allowOrigins?: string[];
  /** Where the server's own problems are reported (default: nowhere). */
  log?: (line: string) => void;
}

/**
 * Serves an MCP expose: its namespace is the server name, its description the server
 * instructions; on HTTP its `authentication` is checked on every request.
 */
export function serveMcpExpose(expose: McpExposeSpec, options: ServeMcpExposeOptions = {}): Promise<RunningMcp> {
  const spec = {
    name: expose.namespace,
    tools: expose.tools,
    resources: expose.resources,
    prompts: expose.prompts,
    ...(expose.description !== undefined ? { instructions: expose.description } : {}),
  };
  if (expose.transport === 'stdio') return startMcp(spec, { transport: 'stdio', ...(options.log ? { log: options.log } : {}) });
  const port = options.port ?? expose.port;
  if (port === undefined) {
    // The schema requires a port on HTTP exposes; this guards specs built by hand.
    const message = `mcp expose '${expose.namespace}' has no port`;
    throw new SpecError(message, [{ severity: 'error', ...expose.source, message }]);
  }
  return startMcp(spec, {
    transport: 'http',
    port,
    address: options.address ?? expose.address,
    path: options.path ?? expose.path,
    ...(options.allowOrigins ? { allowOrigins: options.allowOrigins } : {}),
    ...(expose.auth ? { auth: expose.auth } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
