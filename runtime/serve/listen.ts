/**
 * Runs a web-standard `fetch` handler (a hono app) as a Node HTTP server, and stops it gracefully:
 * no new connections, the requests in flight answered, keep-alive connections closed after them.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:3002`. */
  url: string;
  /** Stops accepting requests, lets the ones in flight finish, then resolves. Safe to call twice. */
  close(): Promise<void>;
}

/** Listens on `address:port` (0: a free port); rejects with the `listen` error (EADDRINUSE, EACCES…). */
export async function listen(fetch: (request: Request) => Response | Promise<Response>, port: number, address: string): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch, hostname: address }) as Server;
  let closing = false;
  // Once closing, connections end after their response so close() is not held by keep-alive.
  server.on('request', (_request, response) => {
    if (closing) response.setHeader('connection', 'close');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound, family } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${family === 'IPv6' ? `[${address}]` : address}:${bound}`,
    close() {
      closing = true;
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return stopped;
    },
  };
}
