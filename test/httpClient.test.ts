import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { NaftikoError } from '../runtime/errors.js';
import { createHttpClient, type HttpClient } from '../runtime/http/client.js';
import { digestAuthorization, parseDigestChallenge } from '../runtime/http/digest.js';
import type { WireRequest } from '../runtime/compile/plan.js';
import { destroySocket, startScriptedServer, type ScriptedHandler, type ScriptedServer, type Step } from './support/scriptedServer.js';
import { failure } from './support/failure.js';
import { freePort } from './support/freePort.js';

const SECRET = 'sk-SECRET-4242';
const FAST = { baseDelay: 1, maxDelay: 20 };
let server: ScriptedServer;
let client: HttpClient;
const running: ScriptedServer[] = [];

/** Starts a scripted server that `afterEach` closes; the last one started is `server`. */
async function serve(...steps: Step[]): Promise<ScriptedServer> {
  const started = await startScriptedServer(...steps);
  running.push(started);
  return started;
}

beforeAll(() => {
  client = createHttpClient({ retry: FAST, timeout: 2_000 });
});
afterAll(() => client.close());
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

function wire(path: string, extra: Partial<WireRequest> = {}): WireRequest {
  return { method: 'GET', url: `${server.url}${path}`, headers: { accept: 'application/json' }, ...extra };
}

const op = (path: string) => ({ operation: 'ns.op', redactedUrl: `${server.url}${path.replace(SECRET, '***')}` });

function expectNoSecret(error: NaftikoError): void {
  expect(error.message).not.toContain(SECRET);
  expect(JSON.stringify(error)).not.toContain(SECRET);
  expect(JSON.stringify(error.cause ?? null)).not.toContain(SECRET);
}

describe('retries', () => {
  test('503 then 200: two attempts, two requests', async () => {
    server = await serve({ status: 503 }, { status: 200, body: 'ok' });
    const response = await client.send(wire('/a'), op('/a'));
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('ok');
    expect(response.attempts).toBe(2);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /a', 'GET /a']);
  });

  test('gives up after the limit and returns the last response', async () => {
    server = await serve({ status: 502 }, { status: 502 }, { status: 502 }, { status: 200 });
    const response = await client.send(wire('/a'), op('/a'));
    expect(response.status).toBe(502);
    expect(response.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  test('429 with Retry-After in seconds waits that long', async () => {
    server = await serve({ status: 429, headers: { 'retry-after': '1' } }, { status: 200 });
    const response = await client.send(wire('/a'), { ...op('/a'), retry: { maxDelay: 5_000 } });
    expect(response.attempts).toBe(2);
    expect(server.requests[1].time - server.requests[0].time).toBeGreaterThanOrEqual(990);
  });

  test('429 with Retry-After as an HTTP-date waits until that date', async () => {
    let until = 0;
    const throttle: ScriptedHandler = ({ res }) => {
      until = Math.ceil((Date.now() + 300) / 1000) * 1000;
      res.writeHead(429, { 'retry-after': new Date(until).toUTCString() }).end();
    };
    server = await serve(throttle, { status: 200 });
    const response = await client.send(wire('/a'), { ...op('/a'), retry: { maxDelay: 5_000 } });
    expect(response.attempts).toBe(2);
    expect(server.requests[1].time).toBeGreaterThanOrEqual(until - 10);
  });

  test('Retry-After beyond maxDelay waits only maxDelay', async () => {
    server = await serve({ status: 503, headers: { 'retry-after': '3600' } }, { status: 200 });
    const started = Date.now();
    const response = await client.send(wire('/a'), { ...op('/a'), retry: { maxDelay: 50 } });
    expect(response.attempts).toBe(2);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('a wait that would pass the deadline is not made', async () => {
    server = await serve({ status: 503, headers: { 'retry-after': '1' } }, { status: 200 });
    const started = Date.now();
    const response = await client.send(wire('/a'), { ...op('/a'), timeout: 300, retry: { maxDelay: 5_000 } });
    expect(response.status).toBe(503);
    expect(response.attempts).toBe(1);
    expect(Date.now() - started).toBeLessThan(250);
  });

  test('POST is not retried: exactly one request reaches the server', async () => {
    server = await serve({ status: 503 }, { status: 200 });
    const body = '{"name":"x"}';
    const response = await client.send(wire('/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body }), op('/items'));
    expect(response.status).toBe(503);
    expect(response.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body).toBe(body);
    expect(server.requests[0].headers['content-type']).toBe('application/json');
    expect(server.requests[0].headers['content-length']).toBe(String(body.length));
  });

  test('POST with an Idempotency-Key header is retried', async () => {
    server = await serve({ status: 503 }, { status: 201 });
    const request = wire('/items', { method: 'POST', headers: { 'IDEMPOTENCY-KEY': 'k1' }, body: 'x' });
    const response = await client.send(request, op('/items'));
    expect(response.status).toBe(201);
    expect(response.attempts).toBe(2);
    expect(server.requests.map((r) => r.body)).toEqual(['x', 'x']);
  });

  test('POST with retry.unsafe is retried', async () => {
    server = await serve({ status: 500 }, { status: 201 });
    const response = await client.send(wire('/items', { method: 'POST', body: 'x' }), { ...op('/items'), retry: { unsafe: true } });
    expect(response.status).toBe(201);
    expect(server.requests).toHaveLength(2);
  });

  test('a connection reset is retried', async () => {
    server = await serve(destroySocket, { status: 200, body: 'ok' });
    const response = await client.send(wire('/a'), op('/a'));
    expect(response.status).toBe(200);
    expect(response.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  test('a reset POST is not retried', async () => {
    server = await serve(destroySocket, { status: 200 });
    const error = await failure(client.send(wire('/a', { method: 'POST', body: 'x' }), op('/a')));
    expect(error.code).toBe('NETWORK');
    expect(server.requests).toHaveLength(1);
  });
});

describe('failures', () => {
  test('ECONNREFUSED → NETWORK after retries, with no secret anywhere', async () => {
    const port = await freePort();
    const request: WireRequest = { method: 'POST', url: `http://127.0.0.1:${port}/v1?key=${SECRET}`, headers: { authorization: `Bearer ${SECRET}` }, body: SECRET };
    const error = await failure(client.send(request, { operation: 'ns.op', redactedUrl: `http://127.0.0.1:${port}/v1?key=***` }));
    expect(error.code).toBe('NETWORK');
    expect(error.message).toBe(`ns.op: POST http://127.0.0.1:${port}/v1?key=*** failed after 3 attempts: ECONNREFUSED`);
    expect(error.toJSON()).toMatchObject({ operation: 'ns.op', method: 'POST', url: `http://127.0.0.1:${port}/v1?key=***`, errno: 'ECONNREFUSED' });
    expect(error.cause).toEqual({ code: 'ECONNREFUSED', message: expect.stringContaining('ECONNREFUSED') });
    expectNoSecret(error);
  });

  test('a slow answer → TIMEOUT at the deadline', async () => {
    server = await serve({ delay: 1_000 });
    const path = `/slow?key=${SECRET}`;
    const started = Date.now();
    const error = await failure(client.send(wire(path), { ...op(path), timeout: 100 }));
    expect(Date.now() - started).toBeLessThan(500);
    expect(error.code).toBe('TIMEOUT');
    expect(error.toJSON()).toMatchObject({ timeout: 100, method: 'GET', url: `${server.url}/slow?key=***` });
    expect(server.requests).toHaveLength(1);
    expectNoSecret(error);
  });

  test('abort mid-request → ABORTED at once', async () => {
    server = await serve({ delay: 1_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await failure(client.send(wire('/a'), { ...op('/a'), signal: controller.signal }));
    expect(error.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(300);
  });

  test('abort mid-backoff → ABORTED at once, no second request', async () => {
    server = await serve({ status: 503, headers: { 'retry-after': '2' } }, { status: 200 });
    const controller = new AbortController();
    const started = Date.now();
    const call = client.send(wire('/a'), { ...op('/a'), signal: controller.signal, timeout: 5_000, retry: { maxDelay: 5_000 } });
    setTimeout(() => controller.abort(), 100);
    const error = await failure(call);
    expect(error.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(400);
    expect(server.requests).toHaveLength(1);
  });

  test('an already aborted signal sends nothing', async () => {
    server = await serve({ status: 200 });
    const error = await failure(client.send(wire('/a'), { ...op('/a'), signal: AbortSignal.abort() }));
    expect(error.code).toBe('ABORTED');
    expect(server.requests).toHaveLength(0);
  });
});

describe('response size cap', () => {
  const small = createHttpClient({ maxResponseBytes: 1024, retry: FAST });
  afterAll(() => small.close());

  test('a Content-Length above the cap is refused before the body arrives', async () => {
    let closed!: Promise<boolean>;
    server = await serve(({ res }) => {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      res.write(Buffer.alloc(100));
      closed = new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
    });
    const error = await failure(small.send(wire('/big'), op('/big')));
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(error.message).toBe(`ns.op: the response of GET ${server.url}/big exceeds maxResponseBytes (1024 bytes); the body was refused`);
    expect(await closed).toBe(true);
  });

  test('a chunked body is cut off once it passes the cap', async () => {
    const planned = 64 * 1024 * 1024;
    let written!: Promise<number>;
    server = await serve(({ res }) => {
      written = streamUntilClosed(res, planned);
    });
    const error = await failure(small.send(wire('/stream'), op('/stream')));
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(await written).toBeLessThan(planned);
  });

  test('a HEAD answer announcing a large body is not refused', async () => {
    server = await serve({ status: 200, headers: { 'content-length': String(10 * 1024 * 1024) } });
    const response = await small.send(wire('/big', { method: 'HEAD' }), op('/big'));
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
  });
});

describe('digest', () => {
  const credentials = { username: 'Mufasa', password: 'Circle of Life' };

  test('reproduces the RFC 7616 §3.9.1 responses', () => {
    const header = (algorithm: string) =>
      `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
    const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
    const md5 = digestAuthorization(parseDigestChallenge(header('MD5'))!, credentials, 'GET', '/dir/index.html', cnonce);
    expect(md5).toContain('response="8ca523f5e9506fed4657c9700eebdbec"');
    const sha = digestAuthorization(parseDigestChallenge(header('SHA-256'))!, credentials, 'GET', '/dir/index.html', cnonce);
    expect(sha).toContain('response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
    expect(sha).toContain('nc=00000001');
    expect(sha).toContain('opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"');
  });

  test('picks the first supported challenge of several', () => {
    const challenge = parseDigestChallenge('Basic realm="x", Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth", Digest realm="r", nonce="n", algorithm=MD5');
    expect(challenge).toMatchObject({ algorithm: 'SHA-256', hash: 'sha256', qop: true });
    expect(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"')).toBeUndefined();
    expect(parseDigestChallenge('Basic realm="r"')).toBeUndefined();
  });

  for (const algorithm of ['SHA-256', 'MD5'] as const) {
    test(`answers a ${algorithm} challenge once, verified by the server`, async () => {
      const path = '/private/data?x=1';
      server = await serve(challenge(algorithm), verifyDigest(algorithm, credentials));
      const response = await client.send(wire(path, { digest: credentials }), op(path));
      expect(response.status).toBe(200);
      expect(response.attempts).toBe(2);
      expect(server.requests[0].headers.authorization).toBeUndefined();
    });
  }

  test('a wrong password gets the second 401 back, without a third try', async () => {
    server = await serve(challenge('SHA-256'), verifyDigest('SHA-256', credentials), { status: 200 });
    const response = await client.send(wire('/p', { digest: { ...credentials, password: 'wrong' } }), op('/p'));
    expect(response.status).toBe(401);
    expect(response.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });
});

describe('connections and redirects', () => {
  test('sequential calls reuse one keep-alive connection', async () => {
    server = await serve({ body: 'one' }, { body: 'two' });
    await client.send(wire('/1'), op('/1'));
    await client.send(wire('/2'), op('/2'));
    expect(server.requests.map((r) => r.connection)).toEqual([1, 1]);
  });

  test('a cross-origin redirect drops credential headers, a same-origin one keeps them', async () => {
    const other = await serve({ body: 'there' });
    server = await serve({ status: 302, headers: { location: '/moved' } }, { status: 307, headers: { location: `${other.url}/elsewhere` } });
    const headers = { accept: 'text/plain', authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET, 'proxy-authorization': SECRET };
    const response = await client.send(wire('/start', { headers }), op('/start'));
    expect(response.body.toString()).toBe('there');
    expect(server.requests.map((r) => r.url)).toEqual(['/start', '/moved']);
    expect(server.requests[1].headers['x-api-key']).toBe(SECRET);
    expect(server.requests[1].headers.authorization).toBe(`Bearer ${SECRET}`);
    const forwarded = other.requests[0].headers;
    expect(forwarded.accept).toBe('text/plain');
    expect(JSON.stringify(forwarded)).not.toContain(SECRET);
  });
});

/** Writes up to `planned` bytes in chunks, honouring backpressure; resolves with the bytes written once the socket closes. */
function streamUntilClosed(res: Parameters<ScriptedHandler>[0]['res'], planned: number): Promise<number> {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(16 * 1024, 120);
  let written = 0;
  return new Promise((resolve) => {
    res.on('close', () => resolve(written));
    const pump = () => {
      while (written < planned && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
}

const REALM = 'api@example.test';
const NONCE = 'bm9uY2UtMTIz';
const OPAQUE = 'b3BhcXVl';

function challenge(algorithm: 'SHA-256' | 'MD5'): ScriptedHandler {
  return ({ res }) => {
    res.writeHead(401, { 'www-authenticate': `Digest realm="${REALM}", qop="auth", algorithm=${algorithm}, nonce="${NONCE}", opaque="${OPAQUE}"` });
    res.end('unauthorized');
  };
}

/** Checks the Authorization header independently of the client's implementation (RFC 7616 §3.4.1). */
function verifyDigest(algorithm: 'SHA-256' | 'MD5', credentials: { username: string; password: string }): ScriptedHandler {
  return ({ req, res, request }) => {
    const header = request.headers.authorization ?? '';
    const params = Object.fromEntries([...header.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]));
    const h = (text: string) => createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text).digest('hex');
    const ha1 = h(`${credentials.username}:${REALM}:${credentials.password}`);
    const ha2 = h(`${req.method}:${request.url}`);
    const expected = h(`${ha1}:${NONCE}:${params.nc}:${params.cnonce}:auth:${ha2}`);
    const valid =
      header.startsWith('Digest ') &&
      params.username === credentials.username &&
      params.realm === REALM &&
      params.nonce === NONCE &&
      params.opaque === OPAQUE &&
      params.uri === request.url &&
      params.algorithm === algorithm &&
      params.qop === 'auth' &&
      /^[0-9a-f]{8}$/.test(params.nc ?? '') &&
      (params.cnonce ?? '').length >= 8 &&
      params.response === expected;
    res.writeHead(valid ? 200 : 401).end(valid ? 'welcome' : 'bad digest');
  };
}
