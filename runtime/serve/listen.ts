/**
 * Runs a web-standard `fetch` handler (a hono app) as a Node HTTP server, and stops it gracefully:
 * no new connections, the requests in flight answered, then every connection closed.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { InFlight } from '../util/inFlight.js';

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:3002`. */
  url: string;
  /** Resolves once the server has stopped. */
  closed: Promise<void>;
  /** Stops accepting requests, lets the ones in flight finish, then resolves. Safe to call twice. */
  close(): Promise<void>;
}

/** Where to listen, and what the server's owner does while it stops. */
export interface ListenOptions {
  /** 0 picks a free port. */
  port: number;
  address: string;
  /** Told when stopping begins (an app may answer 503 to requests still arriving on open connections). */
  onStopping?: () => void;
  /** Awaited once the requests in flight are answered, before the remaining connections are closed. */
  onIdle?: () => Promise<void>;
  /** Told of server errors after listening. */
  log?: (line: string) => void;
}

/** Listens on `address:port`; rejects with the `listen` error (EADDRINUSE, EACCES…). */
export async function listen(fetch: (request: Request) => Response | Promise<Response>, options: ListenOptions): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch, hostname: options.address }) as Server;
  const requests = new InFlight();
  let stopping = false;
  // Counted until the response is written, which is after the app's handler returns; once stopping,
  // connections end after their response so that keep-alive does not hold the server open.
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    response.once('close', requests.enter());
    if (stopping) response.setHeader('connection', 'close');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Node's default backlog (511) drops connection attempts of a burst of clients, which then wait seconds to retry.
    server.listen({ port: options.port, host: options.address, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => options.log?.(`${options.address}: ${error.message}`));
  const { port } = server.address() as AddressInfo;
  const host = options.address.includes(':') ? `[${options.address}]` : options.address;
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    closed,
    close: () =>
      (stopped ??= (async () => {
        stopping = true;
        options.onStopping?.();
        server.close();
        server.closeIdleConnections();
        await requests.idle();
        await options.onIdle?.();
        server.closeAllConnections();
        await closed;
      })()),
  };
}

/**
 * Resolves with the signal's name after SIGINT or SIGTERM, once `served` has closed with its
 * in-flight calls finished; the CLI then exits 0. A second signal kills the process as usual.
 */
export function closeOnSignal(served: { close(): Promise<void> }, log: (line: string) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve, reject) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log(`${signal}: finishing calls in flight, then stopping`);
      served.close().then(() => resolve(signal), reject);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
