import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as it reached the server. */
export interface ScriptedRequest {
  method: string;
  /** Raw request target. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Sequence number of the TCP connection it came on (1 for the first connection). */
  connection: number;
  /** `Date.now()` when the request had been read completely. */
  time: number;
}

/** A canned answer. */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Milliseconds to wait before answering. */
  delay?: number;
}

/** Full control of one exchange: destroy the socket, stream, verify credentials... */
export type ScriptedHandler = (exchange: { req: IncomingMessage; res: ServerResponse; request: ScriptedRequest }) => void | Promise<void>;

export type Step = ScriptedReply | ScriptedHandler;

/** A node:http server on 127.0.0.1 that answers from a queue of steps and records every request. */
export interface ScriptedServer {
  url: string;
  requests: ScriptedRequest[];
  /** Appends steps; a request arriving with the queue empty gets a 599 so tests fail loudly. */
  enqueue(...steps: Step[]): void;
  close(): Promise<void>;
}

/** A handler that drops the connection without answering. */
export const destroySocket: ScriptedHandler = ({ req }) => {
  req.socket.destroy();
};

/** Starts a scripted server on an ephemeral port of 127.0.0.1. */
export async function startScriptedServer(...steps: Step[]): Promise<ScriptedServer> {
  const queue: Step[] = [...steps];
  const requests: ScriptedRequest[] = [];
  const connections = new WeakMap<Socket, number>();
  let connectionCount = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ScriptedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        connection: connections.get(req.socket) ?? 0,
        time: Date.now(),
      };
      requests.push(request);
      const step = queue.shift() ?? { status: 599, body: 'no scripted response left' };
      void answer(step, req, res, request);
    });
  });
  server.on('connection', (socket: Socket) => connections.set(socket, ++connectionCount));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...more) => queue.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(step: Step, req: IncomingMessage, res: ServerResponse, request: ScriptedRequest): Promise<void> {
  if (typeof step === 'function') {
    await step({ req, res, request });
    return;
  }
  if (step.delay) await new Promise((resolve) => setTimeout(resolve, step.delay));
  if (res.destroyed) return;
  res.writeHead(step.status ?? 200, step.headers);
  res.end(step.body ?? '');
}
