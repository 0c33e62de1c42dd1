import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it reached the server: raw target (percent-encoding kept), headers and body text. */
export interface RecordedRequest {
  method: string;
  /** Raw request target, e.g. `/v2/user/client%201?x=1`. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** `Date.now()` when the request had been read completely. */
  time: number;
}

/** What a handler answers; the default is 200 with `{"ok":true}`. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
}

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

/** A real HTTP server on 127.0.0.1 that records every request and answers through `handler`. */
export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  handler: Handler;
  close(): Promise<void>;
}

/** Starts a recording server on an ephemeral port of 127.0.0.1. */
export async function startRecordingServer(handler: Handler = () => ({})): Promise<RecordingServer> {
  const state = { handler };
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), time: Date.now() };
      requests.push(recorded);
      try {
        const reply = await state.handler(recorded);
        const status = reply.status ?? 200;
        const raw = reply.body === undefined ? (status === 204 ? '' : '{"ok":true}') : reply.body;
        const isText = typeof raw === 'string' || Buffer.isBuffer(raw);
        const payload = isText ? raw : JSON.stringify(raw);
        res.writeHead(status, { ...(isText ? {} : { 'content-type': 'application/json' }), ...(reply.body === undefined && status !== 204 ? { 'content-type': 'application/json' } : {}), ...reply.headers });
        res.end(payload);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      }
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
