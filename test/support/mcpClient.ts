/**
 * Official MCP SDK (v2) clients for the tests, on a chosen protocol revision: 2026-07-28 is pinned
 * (stateless, no initialize), a 2025 revision is what the client offers at initialize.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { expect } from 'vitest';

/** The revisions this runtime serves. */
export const REVISIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'] as const;
export type Revision = (typeof REVISIONS)[number];

/** A client that will speak `revision` (default: the SDK's own default, a 2025-11-25 initialize). */
export function mcpClient(revision?: Revision): Client {
  const info = { name: 'naftiko-test', version: '1.0.0' };
  if (revision === undefined) return new Client(info);
  if (revision === '2026-07-28') return new Client(info, { versionNegotiation: { mode: { pin: revision } } });
  return new Client(info, { supportedProtocolVersions: [revision] });
}

/** A client connected over Streamable HTTP, with extra request headers (credentials). */
export async function httpClient(url: string, options: { revision?: Revision; headers?: Record<string, string> } = {}): Promise<Client> {
  const client = mcpClient(options.revision);
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: options.headers ?? {} } }));
  return client;
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The text and structured error of a failed call, checked to be a tool error `CODE: message`. */
export function toolError(result: CallToolResult): Record<string, unknown> {
  expect(result.isError).toBe(true);
  const { error } = result.structuredContent as { error: Record<string, unknown> };
  expect((result.content[0] as { text: string }).text).toBe(`${String(error.code)}: ${String(error.message)}`);
  return error;
}

/**
 * The output of a successful call, parsed from its text; the structured content is the same value,
 * or `{ result: value }` when the value is not an object.
 */
export function toolOutput(result: CallToolResult): unknown {
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const parsed = JSON.parse((result.content[0] as { text: string }).text) as unknown;
  const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  expect(result.structuredContent).toEqual(isObject ? parsed : { result: parsed });
  return parsed;
}

/** Headers and body of the call Ikanos' CI makes: a 2026-07-28 `tools/call` without initialize. */
export function modernToolCall(name: string, args: Record<string, unknown>, id: number | string = 1): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name, arguments: args, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } },
    }),
  };
}
