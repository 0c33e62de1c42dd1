/**
 * The body limit every HTTP adapter puts in front of its handlers, over a real socket: a declared
 * Content-Length is judged without reading the body, a chunked body is counted while it is read, and
 * a body within the limit reaches the handler whole either way.
 */
import http from 'node:http';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requestBodyLimit } from '../runtime/serve/guards.js';
import { listen, type RunningServer } from '../runtime/serve/listen.js';

const LIMIT = 1024;

let server: RunningServer;

beforeAll(async () => {
  const app = new Hono();
  app.use(requestBodyLimit(LIMIT, (c) => c.json({ refused: true }, 413)));
  app.all('/', async (c) => c.json({ method: c.req.method, received: (await c.req.text()).length }));
  server = await listen(app.fetch, { port: 0, address: '127.0.0.1' });
});

afterAll(() => server.close());

/** Sends `chunks` one `write` each; without a Content-Length, Node sends them chunked. */
function send(method: string, chunks: string[], headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}/`, { method, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(body) }));
    });
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

describe('requestBodyLimit', () => {
  test('a Content-Length within the limit passes and the handler reads the whole body', async () => {
    const body = 'x'.repeat(LIMIT);
    expect(await send('POST', [body], { 'content-length': String(LIMIT) })).toEqual({ status: 200, body: { method: 'POST', received: LIMIT } });
  });

  test('a Content-Length over the limit is refused with 413', async () => {
    const body = 'x'.repeat(LIMIT + 1);
    expect(await send('POST', [body], { 'content-length': String(LIMIT + 1) })).toEqual({ status: 413, body: { refused: true } });
  });

  test('a chunked body is counted as it arrives: over the limit 413, within it 200', async () => {
    const over = await send('POST', ['x'.repeat(600), 'x'.repeat(600)]);
    expect(over).toEqual({ status: 413, body: { refused: true } });
    const within = await send('POST', ['x'.repeat(500), 'x'.repeat(500)]);
    expect(within).toEqual({ status: 200, body: { method: 'POST', received: 1000 } });
  });

  test('a GET without a body passes', async () => {
    expect(await send('GET', [])).toEqual({ status: 200, body: { method: 'GET', received: 0 } });
  });

  test('a body handed to the app as a stream, with no length, is still counted', async () => {
    const app = new Hono();
    app.use(requestBodyLimit(LIMIT, (c) => c.json({ refused: true }, 413)));
    app.post('/', async (c) => c.json({ received: (await c.req.text()).length }));
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('x'.repeat(LIMIT + 10)));
        controller.close();
      },
    });
    const response = await app.request('/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
  });
});
