/**
 * Starts an MCP server on the transport asked for: stdio, or Streamable HTTP on `address:port` at
 * one path.
 */
import type { ExposedAuth } from '../orchestration/types.js';
import type { McpServerSpec } from './mcpServer.js';
import { startMcpHttp } from './mcpHttp.js';
import { startMcpStdio } from './mcpStdio.js';

/** Where and how to serve. */
export type McpTransportOptions =
  | { transport: 'stdio'; log?: (line: string) => void }
  | {
      transport: 'http';
      /** 0 picks a free port. */
      port: number;
      address: string;
      /** Path of the MCP endpoint (default `/`). */
      path?: string;
      /** Origins accepted besides loopback ones: full origins (`https://app.example.com`) or host names. */
      allowOrigins?: string[];
      /** Checked on every request before it reaches MCP; failures answer 401. */
      auth?: ExposedAuth;
      log?: (line: string) => void;
    };

/** A running MCP server. */
export interface RunningMcp {
  /** `http://address:port/path` on HTTP; absent on stdio. */
  url?: string;
  /** Resolves once the server has stopped: after `close()`, or on stdio when the client closes stdin. */
  closed: Promise<void>;
  /** Stops taking requests, lets the ones in flight answer, then stops. Safe to call twice. */
  close(): Promise<void>;
}

/** Serves `spec`; resolves once it is listening. */
export async function startMcp(spec: McpServerSpec, options: McpTransportOptions): Promise<RunningMcp> {
  if (options.transport === 'stdio') return startMcpStdio(spec, { ...(options.log ? { log: options.log } : {}) });
  return startMcpHttp(spec, { ...options, path: normalizeMcpPath(options.path) });
}

/** `mcp`, `/mcp/` → `/mcp`; nothing → `/`. */
function normalizeMcpPath(path: string | undefined): string {
  const trimmed = (path ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
