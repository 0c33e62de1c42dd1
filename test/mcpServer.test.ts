/**
 * `naftiko mcp` as MCP clients use it: the built CLI in a child process, driven by the official
 * SDK client (v2) over stdio and Streamable HTTP on every protocol revision served, and by raw
 * requests where the exact bytes matter, against the Junction sandbox.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallToolResult, Client, Tool } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createRuntime, loadCapability, type Capability } from '../runtime/index.js';
import { operationTools } from '../runtime/mcp/operationTools.js';
import { SANDBOX_API_KEY, startJunctionSandbox, type JunctionSandbox } from '../sandbox/junction.js';
import { startScriptedServer } from './support/scriptedServer.js';
import { REVISIONS, callTool as call, httpClient, mcpClient, modernToolCall, toolError as checkedToolError, type Revision } from './support/mcpClient.js';
import { freePort } from './support/freePort.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const FILE = 'capabilities/vital-users.yaml';
const GET_USER = 'get_user_v2_user__user_id__get';
const CREATE_USER = 'create_user_v2_user_post';
const DELETE_USER = 'delete_user_v2_user__user_id__delete';
const UNKNOWN_USER = '00000000-0000-4000-8000-000000000000';

/** The parent's environment without anything that would steer the CLI, plus the sandbox key. */
const ENV: Record<string, string> = { VITAL_API_KEY: SANDBOX_API_KEY };
for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('NAFTIKO_') && key !== 'VITAL_API_KEY') ENV[key] ??= value;

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

/** A client connected to `naftiko mcp ARGS` over stdio; stderr is collected. */
async function stdioClient(args: string[], revision?: Revision): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...args], cwd: ROOT, env: ENV, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = mcpClient(revision);
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

/** `naftiko ARGS` as a plain child process, resolved once it logs the URL it listens on. */
async function startHttp(args: string[]): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /mcp '[^']+' listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`naftiko exited with ${code} before listening: ${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}

/** The text and structured error of a failed call. */
function toolError(result: CallToolResult): { text: string; error: Record<string, unknown> } {
  const error = checkedToolError(result);
  return { text: (result.content[0] as { type: 'text'; text: string }).text, error };
}

/** A URL on 127.0.0.1 where nothing listens. */
async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

let sandbox: JunctionSandbox;
let capability: Capability;

beforeAll(async () => {
  sandbox = await startJunctionSandbox();
  capability = await loadCapability(join(ROOT, FILE));
});

afterAll(async () => {
  await sandbox?.close();
});

describe('naftiko mcp over stdio', () => {
  let client: Client;
  let stderr: () => string;
  let tools: Tool[];

  beforeAll(async () => {
    ({ client, stderr } = await stdioClient([FILE, '--base-uri', sandbox.url]));
    tools = (await client.listTools()).tools;
  });

  afterAll(async () => {
    await client?.close();
  });

  test('announces the server on stderr, not stdout', () => {
    expect(stderr()).toContain("mcp 'users' serving on stdio (19 tools)");
    expect(client.getServerVersion()?.name).toBe('users');
    expect(client.getServerCapabilities()).toEqual({ tools: {} });
    expect(client.getInstructions()).toBe(capability.description);
  });

  test('lists one tool per operation, named after it', () => {
    expect(tools).toHaveLength(19);
    expect(tools.map((t) => t.name).sort()).toEqual(capability.operations.map((op) => op.name).sort());
    for (const tool of tools) expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  test('input schemas come from the parameters, without the runtime keyword x-in', () => {
    const getUser = tools.find((t) => t.name === GET_USER)!;
    expect(getUser.inputSchema).toEqual({ type: 'object', properties: { user_id: { type: 'string' } }, required: ['user_id'], additionalProperties: false });
    const createUser = tools.find((t) => t.name === CREATE_USER)!;
    expect(createUser.inputSchema.required).toEqual(['body']);
    expect(createUser.inputSchema.properties).toEqual({ body: { type: 'object', description: 'Request body (JSON).' } });
    expect(JSON.stringify(tools.map((t) => t.inputSchema))).not.toContain('x-in');
  });

  test('descriptions end with the route, hints follow the method', () => {
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get(GET_USER)!.description).toBe('Get User\n\nGET /v2/user');
    expect(byName.get(GET_USER)!.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    expect(byName.get(DELETE_USER)!.annotations).toEqual({ readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true });
    expect(byName.get(CREATE_USER)!.annotations).toEqual({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    expect(byName.get('patch_user_v2_user__user_id__patch')!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
    for (const op of capability.operations) {
      expect(byName.get(op.name)!.annotations!.readOnlyHint, op.id).toBe(op.method === 'GET');
    }
  });

  test('creates a user and fetches it through tools', async () => {
    const created = await call(client, CREATE_USER, { body: { client_user_id: 'mcp-stdio-1' } });
    expect(created.isError).toBeFalsy();
    const user = (created.structuredContent as { result: Record<string, unknown> }).result;
    expect(user.client_user_id).toBe('mcp-stdio-1');
    expect(user.user_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse((created.content[0] as { text: string }).text)).toEqual(created.structuredContent);

    const fetched = await call(client, GET_USER, { user_id: user.user_id });
    expect(fetched.isError).toBeFalsy();
    expect(fetched.structuredContent).toEqual({ result: user });
    const sent = sandbox.requests.filter((r) => r.path === `/v2/user/${user.user_id}`);
    expect(sent).toHaveLength(1);
    expect(sent[0].headers['x-vital-api-key']).toBe(SANDBOX_API_KEY);
  });

  test('a missing required argument is INPUT_INVALID naming it', async () => {
    const { text, error } = toolError(await call(client, GET_USER, {}));
    expect(text).toMatch(/^INPUT_INVALID: .*user_id/);
    expect(error).toMatchObject({ code: 'INPUT_INVALID', parameter: 'user_id', operation: `users.${GET_USER}` });
  });

  test('an argument of the wrong type is INPUT_INVALID', async () => {
    const { text, error } = toolError(await call(client, CREATE_USER, { body: 'not an object' }));
    expect(text).toMatch(/^INPUT_INVALID: /);
    expect(error).toMatchObject({ code: 'INPUT_INVALID', parameter: 'body' });
    const limit = toolError(await call(client, 'get_teams_users_v2_user_get', { limit: 'ten' }));
    expect(limit.error).toMatchObject({ code: 'INPUT_INVALID', parameter: 'limit' });
  });

  test('an unknown argument is INPUT_INVALID', async () => {
    const { error } = toolError(await call(client, GET_USER, { user_id: UNKNOWN_USER, userId: 'x' }));
    expect(error.code).toBe('INPUT_INVALID');
  });

  test('an upstream 404 is HTTP_ERROR with the status and body', async () => {
    const { text, error } = toolError(await call(client, GET_USER, { user_id: UNKNOWN_USER }));
    expect(text).toMatch(/^HTTP_ERROR: .*404/);
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 404, method: 'GET', body: { detail: expect.any(String) } });
  });

  test('an unknown tool is a protocol error -32602 whose message says so once, and the server keeps serving', async () => {
    const error = await client.callTool({ name: 'no_such_tool', arguments: {} }).then(
      () => undefined,
      (thrown: unknown) => thrown as { code: number; message: string },
    );
    expect(error).toMatchObject({ code: -32602, message: "unknown tool 'no_such_tool'" });
    expect((await client.listTools()).tools).toHaveLength(19);
  });

  test('results and tool errors both validate against the output schema each tool declares', async () => {
    const ajv = new Ajv({ strict: false });
    const getUser = tools.find((t) => t.name === GET_USER)!;
    expect(getUser.outputSchema).toMatchObject({ type: 'object' });
    expect(getUser.outputSchema).not.toHaveProperty('required');
    const validate = ajv.compile(getUser.outputSchema!);
    const created = await call(client, CREATE_USER, { body: { client_user_id: 'mcp-schema-1' } });
    const { user_id } = (created.structuredContent as { result: { user_id: string } }).result;
    for (const result of [await call(client, GET_USER, { user_id }), await call(client, GET_USER, { user_id: UNKNOWN_USER }), await call(client, GET_USER, {})]) {
      expect(validate(result.structuredContent), JSON.stringify(validate.errors)).toBe(true);
    }
    for (const tool of tools) expect(ajv.validateSchema(tool.outputSchema!), tool.name).toBe(true);
  });

  test('a call in flight when SIGTERM arrives still gets its answer', async () => {
    const slow = await startScriptedServer(async ({ res }) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user_id: 'slow-user' }));
    });
    const own = await stdioClient([FILE, '--base-uri', slow.url]);
    try {
      const pending = call(own.client, GET_USER, { user_id: 'slow-user' });
      await vi.waitFor(() => expect(slow.requests).toHaveLength(1));
      process.kill(own.transport.pid!, 'SIGTERM');
      expect((await pending).structuredContent).toEqual({ result: { user_id: 'slow-user' } });
      await vi.waitFor(() => expect(own.stderr()).toContain('SIGTERM'));
    } finally {
      await own.client.close();
      await slow.close();
    }
  });

});

describe('naftiko mcp over stdio on 2026-07-28', () => {
  test('a pinned client calls tools without initialize', async () => {
    const { client } = await stdioClient([FILE, '--base-uri', sandbox.url], '2026-07-28');
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect((await client.listTools()).tools).toHaveLength(19);
      expect(toolError(await call(client, GET_USER, { user_id: UNKNOWN_USER })).error).toMatchObject({ code: 'HTTP_ERROR', status: 404 });
    } finally {
      await client.close();
    }
  });
});

describe('naftiko mcp on stdio, raw', () => {
  test('a message over 4 MiB gets a JSON-RPC error with its id, and the server keeps serving', async () => {
    const child = spawn(process.execPath, [CLI, 'mcp', FILE], { cwd: ROOT, env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // SDK clients write the id after the params, so it comes at the very end of the oversized line.
    const huge = `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"${CREATE_USER}","arguments":{"body":{"note":"${'x'.repeat(5 * 1024 * 1024)}"}}},"id":"big-1"}`;
    child.stdin.write(`${huge}\n`);
    child.stdin.end(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' })}\n`);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const replies = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(replies).toEqual([
      { jsonrpc: '2.0', id: 'big-1', error: { code: -32600, message: `message too large: over ${4 * 1024 * 1024} bytes (this server's limit)` } },
      { result: {}, jsonrpc: '2.0', id: 2 },
    ]);
    expect(stderr).toContain('refused a message over the size limit (id "big-1")');
  });

  test('stdout carries nothing but the protocol; the end of stdin stops the server with 0', async () => {
    const child = spawn(process.execPath, [CLI, 'mcp', FILE, '--verbose'], { cwd: ROOT, env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdin.end(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })}\n`);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe(`${JSON.stringify({ result: {}, jsonrpc: '2.0', id: 1 })}\n`);
    expect(stderr).toContain("mcp 'users' serving on stdio (19 tools)");
  });
});

describe('naftiko mcp command line', () => {
  const naftiko = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: ENV, timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });

  test('usage errors exit 2; a file without consumed operations exits 1', async () => {
    const [both, address, mock] = await Promise.all([
      naftiko(['mcp', FILE, '--stdio', '--port', '3000']),
      naftiko(['mcp', FILE, '--address', '0.0.0.0']),
      naftiko(['mcp', join(ROOT, 'test/fixtures/naftiko-alpha2/examples/step-1-shipyard-mock.yml')]),
    ]);
    expect(both).toMatchObject({ code: 2, stdout: '' });
    expect(both.stderr).toMatch(/^naftiko: give either --stdio or --port, not both\nusage: naftiko mcp FILE\.\.\./);
    expect(address).toMatchObject({ code: 2, stdout: '' });
    expect(address.stderr).toMatch(/^naftiko: --address needs --port\n/);
    const path = await naftiko(['mcp', FILE, '--path', '/x']);
    expect(path).toMatchObject({ code: 2, stdout: '' });
    expect(path.stderr).toMatch(/^naftiko: --path needs --port\n/);
    expect(mock).toMatchObject({ code: 1, stdout: '' });
    expect(mock.stderr).toMatch(/^naftiko: INPUT_INVALID: .*step-1-shipyard-mock\.yml: no consumed operation to serve as a tool \(to serve 'exposes', use 'naftiko serve'\)\n$/);
  });
});

describe('naftiko mcp with the upstream down', () => {
  test('every call is a NETWORK tool error', async () => {
    const { client } = await stdioClient([FILE, '--base-uri', await closedPortUrl()]);
    try {
      const { text, error } = toolError(await call(client, GET_USER, { user_id: UNKNOWN_USER }));
      expect(text).toMatch(/^NETWORK: /);
      expect(error).toMatchObject({ code: 'NETWORK', method: 'GET' });
      expect(error.errno).toBe('ECONNREFUSED');
    } finally {
      await client.close();
    }
  });
});

describe('naftiko mcp over Streamable HTTP', () => {
  let server: Awaited<ReturnType<typeof startHttp>>;
  let client: Client;

  beforeAll(async () => {
    server = await startHttp(['mcp', FILE, '--port', '0', '--base-uri', sandbox.url]);
    client = await httpClient(server.url);
  });

  afterAll(async () => {
    await client?.close();
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  });

  test('listens on 127.0.0.1 by default and serves the 19 tools', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect((await client.listTools()).tools).toHaveLength(19);
  });

  test('creates a user and fetches it through tools', async () => {
    const created = await call(client, CREATE_USER, { body: { client_user_id: 'mcp-http-1' } });
    const user = (created.structuredContent as { result: { user_id: string } }).result;
    const fetched = await call(client, GET_USER, { user_id: user.user_id });
    expect(fetched.structuredContent).toEqual({ result: user });
    expect(toolError(await call(client, GET_USER, { user_id: UNKNOWN_USER })).error).toMatchObject({ code: 'HTTP_ERROR', status: 404 });
  });

  test('is stateless: no session, GET and DELETE are 405, other paths 404', async () => {
    const init = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } }),
    });
    expect(init.status).toBe(200);
    expect(init.headers.get('mcp-session-id')).toBeNull();
    expect(init.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await init.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name).toBe('users');

    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(server.url, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
    expect((await fetch(new URL('/other', server.url))).status).toBe(404);
  });

  test('on loopback, refuses a foreign Host header (DNS rebinding)', async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const { port } = new URL(server.url);
        request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end('{}');
      });
    expect(await status('evil.example:80')).toBe(403);
    expect(await status(`localhost:${new URL(server.url).port}`)).not.toBe(403);
  });

  test('SIGTERM lets a call in flight finish, then exits 0', async () => {
    const slow = await startScriptedServer(async ({ res }) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user_id: 'slow-user' }));
    });
    const own = await startHttp(['mcp', FILE, '--port', '0', '--base-uri', slow.url]);
    const ownClient = await httpClient(own.url);
    try {
      const pending = call(ownClient, GET_USER, { user_id: 'slow-user' });
      await vi.waitFor(() => expect(slow.requests).toHaveLength(1));
      own.child.kill('SIGTERM');
      expect((await pending).structuredContent).toEqual({ result: { user_id: 'slow-user' } });
      expect(await own.exited).toBe(0);
      expect(own.stderr()).toContain('SIGTERM');
    } finally {
      await slow.close();
    }
  });

  test.each(REVISIONS)('a client on %s negotiates it and calls tools', async (revision) => {
    const own = await httpClient(server.url, { revision });
    try {
      expect(own.getNegotiatedProtocolVersion()).toBe(revision);
      expect(own.getServerVersion()?.name).toBe('users');
      expect(toolError(await call(own, GET_USER, { user_id: UNKNOWN_USER })).error).toMatchObject({ code: 'HTTP_ERROR', status: 404 });
    } finally {
      await own.close();
    }
  });

  test('the call Ikanos CI makes (2026-07-28, no initialize) is answered as plain JSON', async () => {
    const created = await call(client, CREATE_USER, { body: { client_user_id: 'mcp-raw-1' } });
    const user = (created.structuredContent as { result: { user_id: string } }).result;
    const { headers, body } = modernToolCall(GET_USER, { user_id: user.user_id }, 7);
    const response = await fetch(server.url, { method: 'POST', headers, body });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const answer = (await response.json()) as { id: number; result: { content: Array<{ text: string }>; structuredContent: unknown; isError?: boolean } };
    expect(answer.id).toBe(7);
    expect(answer.result.isError).toBeUndefined();
    expect(answer.result.structuredContent).toEqual({ result: user });
    expect(JSON.parse(answer.result.content[0].text)).toEqual({ result: user });
  });

  test('version negotiation: an unknown 2026-era revision is refused naming the supported one; an unknown initialize version gets the latest 2025 one', async () => {
    const { headers, body } = modernToolCall(GET_USER, { user_id: UNKNOWN_USER });
    const future = await fetch(server.url, {
      method: 'POST',
      headers: { ...headers, 'mcp-protocol-version': '2099-01-01' },
      body: body.replaceAll('2026-07-28', '2099-01-01'),
    });
    expect(future.status).toBe(400);
    expect(((await future.json()) as { error: { data: unknown } }).error.data).toMatchObject({ supported: ['2026-07-28'], requested: '2099-01-01' });

    const init = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-01-01', capabilities: {}, clientInfo: { name: 'old', version: '1' } } }),
    });
    expect(((await init.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe('2025-11-25');
  });

  test('invalid params are -32602 with a one-line message naming the field', async () => {
    const { headers, body } = modernToolCall(GET_USER, {}, 9);
    const response = await fetch(server.url, { method: 'POST', headers, body: body.replace('"arguments":{}', '"arguments":"not an object"') });
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 9,
      error: { code: -32602, message: 'Invalid tools/call request: params.arguments: Invalid input: expected record, received string' },
    });
  });

  test('refuses a foreign Origin with 403; no Origin and loopback origins are served', async () => {
    const post = (origin?: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(origin ? { origin } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
    const foreign = await post('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { message: string } }).error.message).toMatch(/origin https:\/\/evil\.example/);
    for (const origin of [undefined, 'http://localhost:5173', 'http://127.0.0.1:8080']) expect((await post(origin)).status, String(origin)).toBe(200);
    expect((await post('null')).status).toBe(403);
  });

  test('--allow-origin and --path', async () => {
    const own = await startHttp(['mcp', FILE, '--port', '0', '--path', 'tools', '--allow-origin', 'https://app.example.com', '--allow-origin', 'ide.example']);
    try {
      expect(own.url).toMatch(/\/tools$/);
      const post = (url: string, origin: string) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', origin }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) });
      expect((await post(own.url, 'https://app.example.com')).status).toBe(200);
      expect((await post(own.url, 'http://app.example.com')).status).toBe(403);
      expect((await post(own.url, 'https://ide.example:8443')).status).toBe(200);
      expect((await post(new URL('/mcp', own.url).href, 'https://app.example.com')).status).toBe(404);
    } finally {
      own.child.kill('SIGTERM');
      await own.exited;
    }
  });

  test('a port in use is reported, not a crash', async () => {
    const port = new URL(server.url).port;
    const child = spawn(process.execPath, [CLI, 'mcp', FILE, '--port', port], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(69);
    expect(stderr).toBe(`naftiko: cannot listen on 127.0.0.1:${port}: address already in use\n`);
  });
});

describe('operation tools', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'naftiko-mcp-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const capabilityFile = (namespace: string, names: string[]) => {
    const file = join(dir, `${namespace}.yaml`);
    const operations = names.map((name) => `            - name: ${name}\n              method: GET\n              label: Label of ${name}`).join('\n');
    writeFileSync(
      file,
      `naftiko: 1.0.0-alpha2\ncapability:\n  consumes:\n    - type: http\n      namespace: ${namespace}\n      baseUri: http://127.0.0.1:9\n      resources:\n        - name: things\n          path: /things\n          operations:\n${operations}\n`,
    );
    return file;
  };

  test('names shared by namespaces are qualified, long names capped, collisions numbered', async () => {
    const long = 'x'.repeat(70);
    const a = await loadCapability(capabilityFile('alpha', ['list-things', long, `${long}-more`]));
    const b = await loadCapability(capabilityFile('beta', ['list-things', 'other']));
    const runtime = createRuntime([a, b]);
    const tools = operationTools(runtime);
    expect(tools.map((t) => t.name)).toEqual(['alpha_list-things', 'x'.repeat(64), `${'x'.repeat(62)}_2`, 'beta_list-things', 'other']);
    expect(tools[0].title).toBe('Label of list-things');
    runtime.close();
  });
});
