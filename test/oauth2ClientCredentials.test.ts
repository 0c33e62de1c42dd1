/**
 * OAuth2 client credentials against a real authorization server: one token per runtime and key,
 * shared by concurrent calls, renewed before it expires and after a 401, refused clients reported as
 * AUTH_FAILED, and neither the client secret nor a token ever in what leaves the runtime.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, inspectCapability, loadCapability, type Capability, type Runtime, type RuntimeEvent, type RuntimeOptions } from '../runtime/index.js';
import { AuthError } from '../runtime/errors.js';
import { TokenCache } from '../runtime/invoke/tokenCache.js';
import { startOAuthServer, type OAuthServer } from './support/oauthServer.js';
import { failure } from './support/failure.js';
import { naftiko } from './support/cli.js';

const FILE = new URL('./fixtures/behaviours/oauth.yaml', import.meta.url);
const CLIENT_ID = 'vault-app';
// A secret with characters Basic credentials must form-encode (RFC 6749 §2.3.1).
const CLIENT_SECRET = 's3cr3t:with+plus&more';
const ENV = { VAULT_CLIENT_ID: CLIENT_ID, VAULT_CLIENT_SECRET: CLIENT_SECRET };
let server: OAuthServer;
let vault: Capability;
const runtimes: Runtime[] = [];

/** A runtime of its own (one token cache each), closed after the file. */
function runtime(options: RuntimeOptions = {}): Runtime {
  const created = createRuntime(vault, { env: ENV, baseUri: server.url, retry: { limit: 0 }, ...options });
  runtimes.push(created);
  return created;
}

beforeAll(async () => {
  server = await startOAuthServer({ [CLIENT_ID]: CLIENT_SECRET });
  vault = await loadCapability(FILE);
});
afterAll(async () => {
  for (const r of runtimes) r.close();
  await server.close();
});
beforeEach(() => server.reset());

describe('the token request', () => {
  test('Basic client authentication with form-encoded id and secret, grant, scopes and audience', async () => {
    expect(await runtime().invoke('list-secrets')).toEqual({ grant: 1, scope: 'secrets.read secrets.write' });
    const [request] = server.tokenRequests;
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`vault-app:s3cr3t%3Awith%2Bplus%26more`).toString('base64')}`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({ grant_type: 'client_credentials', scope: 'secrets.read secrets.write', audience: 'https://vault.example.com' });
    expect(server.apiRequests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1']);
  });

  test('clientAuthentication: body puts the id and secret in the form', async () => {
    await runtime().invoke('list-audit');
    const [request] = server.tokenRequests;
    expect(request.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({ grant_type: 'client_credentials', scope: 'audit.read', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
  });

  test('a path as tokenEndpoint is resolved against the base URI given to the runtime', async () => {
    await runtime().invoke('list-secrets');
    expect(server.tokenRequests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /oauth/token']);
  });
});

describe('the token cache', () => {
  test('20 concurrent calls share one token request (single flight)', async () => {
    server.behaviour.delayMs = 150;
    const own = runtime();
    const results = await Promise.all(Array.from({ length: 20 }, () => own.invoke('list-secrets')));
    expect(server.tokenRequests).toHaveLength(1);
    expect(new Set(results.map((r) => r.grant))).toEqual(new Set([1]));
    expect(server.apiRequests).toHaveLength(20);
  });

  test('a token is reused until it expires, then renewed before use: the API never sees an expired one', async () => {
    server.behaviour.expiresIn = 1;
    const own = runtime();
    expect((await own.invoke('list-secrets')).grant).toBe(1);
    expect((await own.invoke('list-secrets')).grant).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await own.invoke('list-secrets')).grant).toBe(2);
    expect(server.tokenRequests).toHaveLength(2);
    expect(server.apiRequests.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  test('a token without expires_in is kept until the API refuses it', async () => {
    server.behaviour.expiresIn = null;
    const own = runtime();
    await own.invoke('list-secrets');
    await own.invoke('list-secrets');
    expect(server.tokenRequests).toHaveLength(1);
  });

  test('scopes and client authentication are part of the key: two namespaces, two tokens', async () => {
    const own = runtime();
    const [secrets, audit] = await Promise.all([own.invoke('list-secrets'), own.invoke('list-audit')]);
    expect(new Set([secrets.grant, audit.grant])).toEqual(new Set([1, 2]));
    expect(server.tokenRequests).toHaveLength(2);
  });

  test('each runtime has its own cache', async () => {
    await runtime().invoke('list-secrets');
    await runtime().invoke('list-secrets');
    expect(server.tokenRequests).toHaveLength(2);
  });
});

describe('a 401 from the API', () => {
  test('drops the token, fetches a new one and sends the request once more', async () => {
    const own = runtime();
    await own.invoke('list-secrets');
    server.revoke('tok-1');
    expect((await own.invoke('list-secrets')).grant).toBe(2);
    expect(server.apiRequests.map((r) => `${r.status} ${r.headers.authorization}`)).toEqual(['200 Bearer tok-1', '401 Bearer tok-1', '200 Bearer tok-2']);
  });

  test('a POST is resent too, with the same idempotency key', async () => {
    const own = runtime();
    await own.invoke('list-secrets');
    server.revoke('tok-1');
    await own.invoke('put-secret', { name: 'db' }, { idempotencyKey: 'put-db' });
    expect(server.apiRequests.slice(1).map((r) => [r.status, r.headers['idempotency-key'], r.body])).toEqual([
      [401, 'put-db', '{"name":"db"}'],
      [200, 'put-db', '{"name":"db"}'],
    ]);
  });

  test('only once: a second 401 is the HTTP_ERROR, not retryable', async () => {
    server.refuseAll = true;
    const error = await failure(runtime().invoke('list-secrets'));
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 401, retryable: false });
    expect(server.tokenRequests).toHaveLength(2);
    expect(server.apiRequests).toHaveLength(2);
  });

  test('concurrent 401s fetch one new token between them', async () => {
    const own = runtime();
    await own.invoke('list-secrets');
    server.revoke('tok-1');
    server.behaviour.delayMs = 100;
    const results = await Promise.all(Array.from({ length: 10 }, () => own.invoke('list-secrets')));
    expect(new Set(results.map((r) => r.grant))).toEqual(new Set([2]));
    expect(server.tokenRequests).toHaveLength(2);
  });
});

describe('failures of the token endpoint', () => {
  test('a refused client is AUTH_FAILED, not retryable, and the API is never called', async () => {
    const own = runtime({ env: { ...ENV, VAULT_CLIENT_SECRET: 'wrong-secret-value' } });
    const error = await failure(own.invoke('list-secrets'));
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: false, status: 401 });
    expect(error.toJSON()).toMatchObject({ code: 'AUTH_FAILED', retryable: false, status: 401, error: 'invalid_client', endpoint: `${server.url}/oauth/token` });
    expect(error.message).toContain('refused the client (401 invalid_client)');
    // The server echoed the secret it was given: masked.
    expect(JSON.stringify(error.toJSON())).not.toContain('wrong-secret-value');
    expect(server.apiRequests).toHaveLength(0);
  });

  test('a 400 (invalid_scope) is AUTH_FAILED, not retryable', async () => {
    server.behaviour.failWith = { status: 400, error: 'invalid_scope', description: 'scope secrets.write is not granted' };
    const error = await failure(runtime().invoke('list-secrets'));
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect(error.message).toContain('scope secrets.write is not granted');
  });

  test('a 5xx is AUTH_FAILED, retryable, with Retry-After', async () => {
    server.behaviour.failWith = { status: 503, error: 'temporarily_unavailable', retryAfter: '7' };
    const error = await failure(runtime().invoke('list-secrets'));
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: true, retryAfterMs: 7_000 });
  });

  test('the runtime retries a 5xx of the token endpoint like any transient failure', async () => {
    server.behaviour.failWith = { status: 502, error: 'bad_gateway', times: 1 };
    const own = runtime({ retry: { limit: 1, baseDelay: 1, maxDelay: 10 } });
    expect((await own.invoke('list-secrets')).grant).toBe(1);
    expect(server.tokenRequests.map((r) => r.status)).toEqual([502, 200]);
  });

  test('an unreachable token endpoint is NETWORK, retryable', async () => {
    const error = await failure(runtime({ baseUri: 'http://127.0.0.1:9' }).invoke('list-secrets'));
    expect(error).toMatchObject({ code: 'NETWORK', retryable: true });
    expect(error.message).toContain('/oauth/token');
  });

  test('a token that is not a bearer token is AUTH_FAILED', async () => {
    server.behaviour.tokenType = 'mac';
    const error = await failure(runtime().invoke('list-secrets'));
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect(error.message).toContain("token_type 'mac'");
  });

  test("the token request counts against the call's timeout", async () => {
    server.behaviour.delayMs = 1_000;
    const error = await failure(runtime().invoke('list-secrets', {}, { timeout: 100 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('token request');
    expect(server.apiRequests).toHaveLength(0);
  });

  test("the call's signal stops the wait for a token", async () => {
    server.behaviour.delayMs = 1_000;
    const controller = new AbortController();
    const pending = runtime().invoke('list-secrets', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe('ABORTED');
    expect(server.apiRequests).toHaveLength(0);
  });

  test('a missing client secret is SECRET_MISSING, and nothing is sent', async () => {
    const error = await failure(runtime({ env: { VAULT_CLIENT_ID: CLIENT_ID } }).invoke('list-secrets'));
    expect(error.toJSON()).toMatchObject({ code: 'SECRET_MISSING', variable: 'VAULT_CLIENT_SECRET' });
    expect(server.tokenRequests).toHaveLength(0);
  });
});

describe('secrets never leave', () => {
  const leaks = (text: string) => [CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), 'tok-1', 'tok-2'].filter((secret) => text.includes(secret));

  test('prepare() shows Bearer *** and sends nothing', () => {
    const prepared = runtime().prepare('list-secrets');
    expect(prepared.headers.authorization).toBe('Bearer ***');
    expect(leaks(JSON.stringify(prepared))).toEqual([]);
    expect(server.tokenRequests).toHaveLength(0);
  });

  test('events show the token request and the call, masked', async () => {
    const events: RuntimeEvent[] = [];
    await runtime({ onEvent: (e) => events.push(e) }).invoke('list-audit');
    expect(events.map((e) => (e.type === 'request' ? `${e.method} ${e.url.replace(server.url, '')} ${e.headers.authorization ?? ''}` : `${e.status}`))).toEqual([
      'POST /oauth/token ',
      '200',
      'GET /audit Bearer ***',
      '200',
    ]);
    expect(leaks(JSON.stringify(events))).toEqual([]);
  });

  test('a token the API echoes in an error is masked', async () => {
    const own = runtime();
    await own.invoke('list-secrets');
    server.refuseAll = true;
    const error = await failure(own.invoke('list-secrets'));
    expect(leaks(JSON.stringify(error.toJSON()) + error.message + String(error.stack))).toEqual([]);
    expect(error.toJSON()).toMatchObject({ body: { detail: 'token *** is not valid' } });
  });

  test('--dry-run and --verbose mask the secret and the tokens', async () => {
    const env = { ...ENV };
    const dry = await naftiko(['run', FILE.pathname, 'list-secrets', '--dry-run', '--base-uri', server.url], env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).headers.authorization).toBe('Bearer ***');
    const verbose = await naftiko(['run', FILE.pathname, 'list-secrets', '--verbose', '--base-uri', server.url], env);
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toContain(`→ POST ${server.url}/oauth/token`);
    expect(JSON.parse(verbose.stdout)).toEqual({ grant: 1, scope: 'secrets.read secrets.write' });
    expect(leaks(dry.stdout + dry.stderr + verbose.stdout + verbose.stderr)).toEqual([]);
  });
});

describe('validation', () => {
  test('a missing clientSecret and a tokenEndpoint that is neither URL nor path are load errors with file:line:col', async () => {
    const { diagnostics } = await inspectCapability(new URL('./fixtures/behaviours/mistakes.yaml', import.meta.url));
    const messages = diagnostics.filter((d) => d.message.includes('oauth2')).map((d) => `${d.line}:${d.col} ${d.severity} ${d.message}`);
    expect(messages).toEqual([
      "20:7 error oauth2 clientCredentials authentication needs 'clientSecret'",
      "37:9 error oauth2 tokenEndpoint 'auth.example.com/token' is neither an http(s) URL nor a path below the base URI (starting with '/')",
    ]);
  });
});

describe('TokenCache', () => {
  const wait = { deadline: Infinity, timedOut: () => new Error('timed out'), aborted: () => new Error('aborted') };

  test('renews a token a tenth of its lifetime (at most 30 s) before it expires', async () => {
    let now = 0;
    let n = 0;
    const cache = new TokenCache({ now: () => now });
    const fetch = async () => ({ value: `t${++n}`, lifetimeMs: 1_000 });
    expect(await cache.get('k', fetch, wait)).toBe('t1');
    now = 899;
    expect(cache.fresh('k')).toBe('t1');
    now = 900;
    expect(cache.fresh('k')).toBeUndefined();
    expect(await cache.get('k', fetch, wait)).toBe('t2');
  });

  test('retires a token once it has been replaced twice: nothing in flight can still carry it', async () => {
    let now = 0;
    let n = 0;
    const retired: string[] = [];
    const cache = new TokenCache({ now: () => now, retire: (value) => retired.push(value) });
    const fetch = async () => ({ value: `t${++n}`, lifetimeMs: 1_000 });
    for (const expected of ['t1', 't2', 't3', 't4']) {
      expect(await cache.get('k', fetch, wait)).toBe(expected);
      now += 1_000;
    }
    expect(retired).toEqual(['t1', 't2']);
  });

  test('a caller that stops waiting does not cancel the fetch others wait for; the last one does', async () => {
    let cancelled = 0;
    const cache = new TokenCache();
    const fetch = (signal: AbortSignal) =>
      new Promise<{ value: string }>((resolve, reject) => {
        const timer = setTimeout(() => resolve({ value: 'late' }), 200);
        signal.addEventListener('abort', () => {
          cancelled++;
          clearTimeout(timer);
          reject(new Error('cancelled'));
        });
      });
    const first = new AbortController();
    const firstWait = cache.get('k', fetch, { ...wait, signal: first.signal });
    const second = cache.get('k', fetch, wait);
    first.abort();
    await expect(firstWait).rejects.toThrow('aborted');
    expect(await second).toBe('late');
    expect(cancelled).toBe(0);

    const only = new AbortController();
    cache.drop('k', 'late');
    const alone = cache.get('k', fetch, { ...wait, signal: only.signal });
    only.abort();
    await expect(alone).rejects.toThrow('aborted');
    expect(cancelled).toBe(1);
  });
});
