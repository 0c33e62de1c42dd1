/**
 * No secret leaves the runtime: not through a 2xx answer an API echoes, a header, an error, its cause,
 * an event, a dry run, a log or a REST answer, in any form a server may echo it in; and no body holding
 * a secret follows a redirect to another origin.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, type Capability, type Runtime, type RuntimeEvent } from '../runtime/index.js';
import { compileExposes } from '../runtime/orchestration/compileExposes.js';
import type { RestExposeSpec } from '../runtime/orchestration/types.js';
import { startRestServer } from '../runtime/rest/restServer.js';
import { mcpHttpApp } from '../runtime/mcp/mcpHttp.js';
import { operationTools } from '../runtime/mcp/operationTools.js';
import { modernToolCall } from './support/mcpClient.js';
import { naftiko } from './support/cli.js';
import { failure } from './support/failure.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';

const FILE = new URL('./fixtures/secrets/echo.yaml', import.meta.url).pathname;
const TOKEN = 'tok/Se cret+V"al';
const TENANT = 'tenant-7f3a9c';
const SESSION = 'sess-1234abcd';
const USER = 'alice';
const PASS = 'pa:ss w0rd';
const PIN = '42';

let upstream: RecordingServer;
let elsewhere: RecordingServer;
let capability: Capability;
let env: Record<string, string>;
const runtimes: Runtime[] = [];

/** Every form a server may echo a secret in. */
function forms(secret: string): string[] {
  const percent = encodeURIComponent(secret);
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ];
}

const LONG_SECRETS = [TOKEN, TENANT, SESSION, PASS];

/** Asserts that no form of any long secret, nor the Basic credentials in base64, is in `text`. */
function expectNoSecret(text: string): void {
  for (const secret of LONG_SECRETS) for (const form of forms(secret)) expect(text, `leaks ${JSON.stringify(form)}`).not.toContain(form);
  expect(text).not.toContain(Buffer.from(`${USER}:${PASS}`).toString('base64'));
  expect(text).not.toContain(upstream.url.slice('http://'.length));
}

function runtime(events?: RuntimeEvent[]): Runtime {
  const created = createRuntime(capability, { env, retry: { limit: 0 }, ...(events ? { onEvent: (e) => events.push(e) } : {}) });
  runtimes.push(created);
  return created;
}

/** An echo of everything a request carried, in every form, as a 2xx JSON answer with an echo header. */
function echoEverything() {
  upstream.handler = (request) => {
    const authorization = String(request.headers.authorization ?? '');
    const token = TOKEN;
    return {
      headers: { 'x-echo-auth': authorization, 'x-echo-cookie': String(request.headers.cookie ?? ''), 'content-type': 'application/json' },
      body: JSON.stringify({
        url: request.url,
        authorization,
        forms: forms(token),
        tenant: TENANT,
        base: `${upstream.url}/t/${TENANT}`,
        nested: [{ deep: { session: `cookie was ${SESSION}` } }],
        [`key-${token}`]: 'secret in a key',
        pin: PIN,
        notPin: `x${PIN}y`,
      }),
    };
  };
}

beforeAll(async () => {
  upstream = await startRecordingServer();
  elsewhere = await startRecordingServer();
  env = { ECHO_TOKEN: TOKEN, ECHO_TENANT: TENANT, ECHO_SESSION: SESSION, ECHO_USER: USER, ECHO_PASS: PASS, ECHO_PIN: PIN, ECHO_BASE: upstream.url };
  capability = await loadCapability(FILE);
});
afterAll(async () => {
  await upstream.close();
  await elsewhere.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  elsewhere.requests.length = 0;
  echoEverything();
});
afterEach(() => {
  for (const r of runtimes.splice(0)) r.close();
});

describe('an API that echoes secrets in a 2xx answer', () => {
  test('outputs, data and headers have every form masked; a short secret only as a whole value', async () => {
    const result = await runtime().execute('echo-get', { q: 'hello' });
    expect(upstream.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expectNoSecret(JSON.stringify(result));
    const data = result.data as Record<string, unknown>;
    expect(data.authorization).toBe('Bearer ***');
    expect(data.forms).toEqual(['***', '***', '***', '***', '***']);
    expect(data.pin).toBe('***');
    expect(data.notPin).toBe(`x${PIN}y`);
    expect(data['key-***']).toBe('secret in a key');
    expect(result.headers['x-echo-auth']).toBe('Bearer ***');
    expect(result.outputs).toEqual({ result: data });
  });

  test('a text answer, and the Basic credentials echoed as base64, are masked too', async () => {
    upstream.handler = (request) => ({ headers: { 'content-type': 'text/plain' }, body: `you sent ${request.headers.authorization} ${TOKEN.toUpperCase()}` });
    const basic = await runtime().execute('basic-get');
    expect(upstream.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`);
    expect(basic.data).toBe(`you sent Basic *** ${TOKEN.toUpperCase()}`);
    const text = await runtime().invoke('echo-text', { q: 'x' });
    expect(text.result).toBe(`you sent Bearer *** ${TOKEN.toUpperCase()}`);
  });

  test('an escape sequence cannot hide a secret from the mask', async () => {
    const escaped = [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    upstream.handler = () => ({ headers: { 'content-type': 'application/json' }, body: `{"hidden":"${escaped}"}` });
    expect(await runtime().invoke('echo-get', {})).toEqual({ result: { hidden: '***' } });
  });

  test('the CLI prints the masked outputs', async () => {
    const r = await naftiko(['run', FILE, 'echo-get', 'q=hi'], env);
    expect(r.code, r.stderr).toBe(0);
    expectNoSecret(r.stdout + r.stderr);
    expect(JSON.parse(r.stdout).result.authorization).toBe('Bearer ***');
  });
});

describe('errors, events and dry runs', () => {
  test('a bound base URI, a bound cookie and a bound header are masked in prepare(), events and errors', async () => {
    const events: RuntimeEvent[] = [];
    const r = runtime(events);
    const prepared = r.prepare('with-cookie');
    expect(prepared.url).toBe('***/t/***/cookie');
    expect(prepared.headers).toMatchObject({ cookie: 'session=***', authorization: 'Bearer ***' });
    expect(r.prepare('with-pin').headers.pin).toBe('***');

    upstream.handler = (request) => ({ status: 500, body: { detail: `failed for ${request.url} with ${request.headers.cookie}` } });
    const error = await failure(r.invoke('with-cookie'));
    expect(upstream.requests[0].headers.cookie).toBe(`session=${SESSION}`);
    expect(upstream.requests[0].url).toBe(`/t/${TENANT}/cookie`);
    expect(error.code).toBe('HTTP_ERROR');
    expectNoSecret(JSON.stringify(error.toJSON()) + error.message + String(error.stack));
    expect(error.message).toContain('***/t/***/cookie');
    expectNoSecret(JSON.stringify(events));
    expect(events[0]).toMatchObject({ type: 'request', url: '***/t/***/cookie', headers: { cookie: 'session=***' } });
  });

  test('RESPONSE_INVALID quotes the start of the body with the secret masked, and its cause too', async () => {
    upstream.handler = () => ({ headers: { 'content-type': 'application/json' }, body: `not json: ${TOKEN} and more` });
    const error = await failure(runtime().invoke('echo-get', {}));
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(error.message).toContain('not json: *** and more');
    expectNoSecret(error.message + JSON.stringify(error.toJSON()) + String((error.cause as Error | undefined)?.message) + String(error.stack));
  });

  test('naftiko run --dry-run and --verbose mask a secret inside the base URI', async () => {
    const dry = await naftiko(['run', FILE, 'with-cookie', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ url: '***/t/***/cookie', headers: { cookie: 'session=***' } });
    upstream.handler = () => ({ status: 404, body: { detail: `no tenant ${TENANT}` } });
    const verbose = await naftiko(['run', FILE, 'with-cookie', '--verbose'], env);
    expect(verbose.code).toBe(3);
    expect(verbose.stderr).toContain('→ GET ***/t/***/cookie');
    expectNoSecret(dry.stdout + dry.stderr + verbose.stdout + verbose.stderr);
  });
});

describe('a bound value injected through an exposed `with:`', () => {
  async function gateway(logs: string[]) {
    const events: RuntimeEvent[] = [];
    const r = runtime(events);
    const rest = compileExposes(capability, r).find((s): s is RestExposeSpec => s.type === 'rest')!;
    const server = await startRestServer(rest, { port: 0, log: (line) => logs.push(line) });
    return { server, events };
  }

  test('reaches the API, but neither the REST client, the events nor the server log', async () => {
    const logs: string[] = [];
    const { server, events } = await gateway(logs);
    try {
      const ok = await fetch(`${server.url}/proxy`);
      expect(upstream.requests[0].url).toBe(`/t/${TENANT}/echo?q=${encodeURIComponent(TOKEN)}`);
      const okText = await ok.text();
      expect(ok.status).toBe(200);
      expectNoSecret(okText);

      upstream.handler = (request) => ({ status: 502, body: { detail: `upstream saw ${request.url}` } });
      const failed = await fetch(`${server.url}/proxy`);
      const failedText = await failed.text();
      expect(failed.status).toBe(502);
      expectNoSecret(failedText);
      const error = JSON.parse(failedText).error;
      expect(error).not.toHaveProperty('url');
      expect(error.message).toBe('echo.echo-get: GET ***/t/***/echo?q=*** answered 502: upstream saw /t/***/echo?q=***');
      expectNoSecret(JSON.stringify(events) + logs.join('\n'));
      expect(logs.join('\n')).toContain('502');
    } finally {
      await server.close();
    }
  });
});

describe('an MCP client', () => {
  test('gets tool results and tool errors with every echoed secret masked', async () => {
    const r = runtime();
    const { app, close } = mcpHttpApp({ name: 'echo', tools: operationTools(r) }, { path: '/mcp', address: '127.0.0.1' });
    const call = async (name: string, args: Record<string, unknown>) => {
      const { headers, body } = modernToolCall(name, args);
      const response = await app.request('http://127.0.0.1/mcp', { method: 'POST', headers: { ...headers, host: '127.0.0.1' }, body });
      return response.text();
    };
    try {
      const ok = await call('echo-get', { q: 'x' });
      expect(ok).toContain('Bearer ***');
      expectNoSecret(ok);
      upstream.handler = (request) => ({ status: 500, body: { detail: `saw ${request.headers.authorization} at ${request.url}` } });
      const failed = await call('with-cookie', {});
      expect(failed).toContain('"isError":true');
      expectNoSecret(failed);
    } finally {
      await close();
    }
  });
});

describe('redirects and base URIs', () => {
  test('a body holding a secret does not follow a redirect to another origin', async () => {
    upstream.handler = () => ({ status: 307, headers: { location: `${elsewhere.url}/collect` }, body: '' });
    const error = await failure(runtime().invoke('post-form'));
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.message).toContain(`answered 307, a redirect to another origin (${elsewhere.url})`);
    expect(error.message).toContain('not followed, because the request body holds a secret');
    expect(elsewhere.requests).toHaveLength(0);
    expectNoSecret(error.message);
  });

  test('a forwarded body holding a secret does not follow a redirect to another origin either', async () => {
    upstream.handler = () => ({ status: 307, headers: { location: `${elsewhere.url}/collect` }, body: '' });
    const error = await failure(runtime().forward('echo', { method: 'POST', path: 'collect', headers: { 'content-type': 'text/plain' }, body: Buffer.from(`token ${TOKEN}`) }));
    expect(error.code).toBe('HTTP_ERROR');
    expect(error.message).toContain('not followed, because the request body holds a secret');
    expect(elsewhere.requests).toHaveLength(0);
    expectNoSecret(error.message);
  });

  test('the same body follows a redirect on its own origin, and a request without secret body crosses origins without credentials', async () => {
    upstream.handler = (request) => (request.url.endsWith('/form') ? { status: 307, headers: { location: '/t/moved' }, body: '' } : { body: { ok: 'moved' } });
    expect(await runtime().invoke('post-form')).toEqual({ result: { ok: 'moved' } });
    expect(upstream.requests.map((q) => [q.method, q.url])).toEqual([
      ['POST', `/t/${TENANT}/form`],
      ['POST', '/t/moved'],
    ]);
    upstream.handler = () => ({ status: 307, headers: { location: `${elsewhere.url}/there` }, body: '' });
    elsewhere.handler = () => ({ body: { arrived: true } });
    expect(await runtime().invoke('echo-get', { q: 'plain' })).toEqual({ result: { arrived: true } });
    expect(elsewhere.requests[0].headers.authorization).toBeUndefined();
  });

  test('a caller input in a base URI is one encoded segment: it cannot add a path, a port, a user or a query', () => {
    const r = runtime();
    expect(r.prepare('list-things', { host: 'api.example.com' }).url).toBe('http://api.example.com/api/things');
    expect(r.prepare('list-things', { host: 'evil.example/steal?x=' }).url).toBe('http://evil.example%2Fsteal%3Fx%3D/api/things');
    expect(r.prepare('list-things', { host: 'user@evil.example:81' }).url).toBe('http://user%40evil.example%3A81/api/things');
  });
});
