/**
 * The MCP HTTP app without a socket (`app.request()`): the guards in front of MCP (Host, Origin,
 * authentication, body size), routing, and instance reuse across requests.
 */
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { InputError } from '../runtime/index.js';
import type { ExposedAuth, ExposedOperation } from '../runtime/orchestration/types.js';
import { authGuard, hostGuard, originGuard, type Refuse } from '../runtime/serve/guards.js';
import { MAX_HTTP_BODY, mcpHttpApp } from '../runtime/mcp/mcpHttp.js';
import { mcpServerFactory } from '../runtime/mcp/mcpServer.js';
import { modernToolCall } from './support/mcpClient.js';

const echo: ExposedOperation = {
  name: 'echo',
  description: 'Echoes its text',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  outputSchema: { type: 'object', properties: { text: { type: ['string', 'null'] } } },
  run: async (inputs) => ({ text: inputs.text }),
};

const failing: ExposedOperation = {
  name: 'fails',
  inputSchema: { type: 'object', properties: {} },
  run: async () => {
    throw new InputError('fails: always', { operation: 'fails' });
  },
};

const HOST = 'http://127.0.0.1:3000';

function post(app: Hono, path: string, headers: Record<string, string>, body: string): Promise<Response> {
  return Promise.resolve(app.request(`${HOST}${path}`, { method: 'POST', headers: { host: '127.0.0.1:3000', ...headers }, body }));
}

describe('the guards every HTTP adapter shares', () => {
  const guarded = (middleware: ReturnType<typeof hostGuard>) => new Hono().use('*', middleware).all('*', (c) => c.text('ok'));
  const refuse: Refuse = (status, message, headers) => Response.json({ refused: message }, { status, headers });

  test('hostGuard lets loopback names through, whatever the port, and refuses others with a 403 in the adapter format', async () => {
    const app = guarded(hostGuard(refuse));
    for (const host of ['localhost:1', '127.0.0.1', '[::1]:3000']) expect((await app.request('/', { headers: { host } })).status, host).toBe(200);
    const refused = await app.request('/', { headers: { host: 'evil.example:3000' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ refused: "forbidden: invalid Host header 'evil.example:3000'" });
  });

  test('originGuard: no Origin and loopback origins pass; full origins match exactly, host names at any port', async () => {
    const app = guarded(originGuard(refuse, ['https://app.example.com', 'ide.example']));
    const status = async (origin?: string) => (await app.request('/', { headers: origin ? { origin } : {} })).status;
    expect(await status()).toBe(200);
    expect(await status('http://localhost:5173')).toBe(200);
    expect(await status('https://app.example.com')).toBe(200);
    expect(await status('https://app.example.com:8443')).toBe(403);
    expect(await status('http://ide.example:1234')).toBe(200);
    expect(await status('https://evil.example')).toBe(403);
    expect(await status('null')).toBe(403);
    expect(await status('chrome-extension://abc')).toBe(403);
  });

  test('authGuard answers 401 with a challenge for bearer, and passes the query to apikey checks', async () => {
    const bearer: ExposedAuth = { type: 'bearer', verify: (headers) => headers.authorization === 'Bearer right' };
    const app = guarded(authGuard(refuse, bearer, 'tools'));
    const refused = await app.request('/', { headers: { authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="tools"');
    expect((await app.request('/', { headers: { authorization: 'Bearer right' } })).status).toBe(200);

    const apikey: ExposedAuth = { type: 'apikey', queryParameter: 'key', verify: (_headers, query) => query?.get('key') === 'k' };
    const keyed = guarded(authGuard(refuse, apikey, 'tools'));
    expect((await keyed.request('/?key=k')).status).toBe(200);
    const noKey = await keyed.request('/');
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('www-authenticate')).toBeNull();
  });
});

describe('the MCP app', () => {
  test('serves the endpoint path only, behind the guards; other paths are JSON 404s', async () => {
    const { app } = mcpHttpApp({ name: 'echoes', tools: [echo] }, { path: '/mcp', address: '127.0.0.1' });
    const call = modernToolCall('echo', { text: 'hi' });
    const ok = await post(app, '/mcp', call.headers, call.body);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: { structuredContent: unknown } }).result.structuredContent).toEqual({ text: 'hi' });
    const missing = await post(app, '/', call.headers, call.body);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe('not found: / (the MCP endpoint is /mcp)');
    expect((await post(app, '/mcp', { ...call.headers, host: 'evil.example' }, call.body)).status).toBe(403);
  });

  test('a body over the limit is refused with 413 before it reaches MCP; a non-JSON body is a -32700 parse error', async () => {
    const { app } = mcpHttpApp({ name: 'echoes', tools: [echo] }, { path: '/', address: '127.0.0.1' });
    const call = modernToolCall('echo', { text: 'x'.repeat(MAX_HTTP_BODY) });
    const large = await post(app, '/', { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) }, call.body);
    expect(large.status).toBe(413);
    const garbled = await post(app, '/', call.headers, '{not json');
    expect(garbled.status).toBe(400);
    expect(((await garbled.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  test('after refuseNewRequests, requests answer 503 with Connection: close', async () => {
    const served = mcpHttpApp({ name: 'echoes', tools: [echo] }, { path: '/', address: '127.0.0.1' });
    served.refuseNewRequests();
    const call = modernToolCall('echo', { text: 'hi' });
    const refused = await post(served.app, '/', call.headers, call.body);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).toBe('close');
    await served.close();
  });
});

describe('server instances', () => {
  test('are reused from one request to the next, per protocol era, instead of built per request', async () => {
    const factory = mcpServerFactory({ name: 'echoes', tools: [echo] });
    const first = factory({ era: 'modern' });
    const second = factory({ era: 'modern' });
    expect(second).not.toBe(first);
    expect(factory.built).toBe(2);
    // The serving entries connect an instance for one exchange and close it afterwards.
    await first.connect(InMemoryTransport.createLinkedPair()[0]);
    await first.close();
    expect(factory({ era: 'modern' })).toBe(first);
    expect(factory({ era: 'legacy' })).not.toBe(first);
    expect(factory.built).toBe(3);
  });

  test('a hundred sequential HTTP calls build one instance for the 2025 era and none for plain 2026-07-28 tool calls', async () => {
    const served = mcpHttpApp({ name: 'echoes', tools: [echo] }, { path: '/', address: '127.0.0.1' });
    const { app } = served;
    const modern = modernToolCall('echo', { text: 'hi' });
    const legacyBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } });
    for (let i = 0; i < 100; i++) {
      expect((await post(app, '/', modern.headers, modern.body)).status).toBe(200);
      expect((await post(app, '/', { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, legacyBody)).status).toBe(200);
    }
    expect(served.instancesBuilt()).toBe(1);
  });
});

describe('plain 2026-07-28 tool calls', () => {
  const served = () => mcpHttpApp({ name: 'echoes', tools: [echo, failing] }, { path: '/', address: '127.0.0.1' });
  /** The same call with one parameter more: no longer plain, so the SDK answers it. */
  const throughSdk = (call: { headers: Record<string, string>; body: string }) => {
    const body = JSON.parse(call.body) as { params: Record<string, unknown> };
    body.params.extra = true;
    return { headers: call.headers, body: JSON.stringify(body) };
  };

  test.each([
    ['a result', 'echo', { text: 'hi' }],
    ['a tool error', 'fails', {}],
  ])('get the answer the SDK gives: %s', async (_what, name, args) => {
    const { app } = served();
    const call = modernToolCall(name, args, 'id-7');
    const fast = await post(app, '/', call.headers, call.body);
    const sdk = await post(app, '/', call.headers, throughSdk(call).body);
    expect(fast.status).toBe(sdk.status);
    expect(fast.headers.get('content-type')).toBe(sdk.headers.get('content-type'));
    expect(await fast.json()).toEqual(await sdk.json());
  });

  test('anything not plain is for the SDK to answer, with its errors', async () => {
    const { app } = served();
    const call = modernToolCall('echo', { text: 'hi' });
    const mismatched = await post(app, '/', { ...call.headers, 'mcp-name': 'other' }, call.body);
    expect(mismatched.status).toBeGreaterThanOrEqual(400);
    const unknown = modernToolCall('nope', {});
    const answer = (await (await post(app, '/', unknown.headers, unknown.body)).json()) as { error?: { code: number; message: string } };
    expect(answer.error).toMatchObject({ code: -32602, message: "unknown tool 'nope'" });
  });
});
