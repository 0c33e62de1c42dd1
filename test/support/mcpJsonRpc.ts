/**
 * A minimal MCP client over Streamable HTTP, written against the protocol rather than an SDK so the
 * tests that use it hold whichever SDK version serves: `initialize` (protocol 2025-11-25),
 * `notifications/initialized`, then `tools/list` and `tools/call`. Answers may come as JSON or as one
 * SSE event; a session id, if the server gives one, is sent back.
 */

/** A JSON-RPC answer's `result`, or the error it carried. */
export interface McpSession {
  /** Sends one request and returns its `result`; throws with the JSON-RPC error message otherwise. */
  request(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  listTools(): Promise<Array<{ name: string; description?: string; title?: string; inputSchema: Record<string, unknown>; annotations?: Record<string, unknown> }>>;
  /** Calls a tool; `output` is its structured content, or its text parsed as JSON. */
  callTool(name: string, args?: Record<string, unknown>): Promise<{ isError: boolean; output: unknown; text: string }>;
}

export const PROTOCOL_VERSION = '2025-11-25';

async function readAnswer(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return text === '' ? undefined : JSON.parse(text);
  const data = text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim())
    .find((line) => line !== '');
  return data === undefined ? undefined : JSON.parse(data);
}

/**
 * Opens an MCP session at `url` (initialize + initialized).
 *
 * @param headers - Sent with every request, e.g. `{ authorization: 'Bearer …' }`.
 * @throws when the server answers initialize with an HTTP error (the status is in the message).
 */
export async function connectMcp(url: string, headers: Record<string, string> = {}): Promise<McpSession> {
  let id = 0;
  let sessionId: string | undefined;
  const post = async (body: Record<string, unknown>): Promise<Response> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': PROTOCOL_VERSION,
        ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', ...body }),
    });
    sessionId = response.headers.get('mcp-session-id') ?? sessionId;
    return response;
  };
  const request = async (method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
    const response = await post({ id: ++id, method, params });
    if (!response.ok) throw new Error(`${method}: HTTP ${response.status} ${await response.text()}`);
    const answer = (await readAnswer(response)) as { result?: Record<string, unknown>; error?: { message: string } };
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result ?? {};
  };
  await request('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'naftiko-tests', version: '1.0.0' } });
  const initialized = await post({ method: 'notifications/initialized' });
  await initialized.text();
  return {
    request,
    async listTools() {
      return (await request('tools/list')).tools as Awaited<ReturnType<McpSession['listTools']>>;
    },
    async callTool(name, args = {}) {
      const result = (await request('tools/call', { name, arguments: args })) as { isError?: boolean; content?: Array<{ type: string; text?: string }>; structuredContent?: unknown };
      const text = (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('');
      // The text carries the output as JSON; structured content wraps a value that is not an object as `{ result }`.
      let output: unknown;
      try {
        output = JSON.parse(text);
      } catch {
        output = result.structuredContent ?? text;
      }
      return { isError: result.isError === true, output, text };
    },
  };
}
