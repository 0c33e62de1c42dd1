/**
 * The benchmark's HTTP server: a Junction stand-in answering `GET /v2/user/{id}` with one user (~1 KB)
 * and `GET /v2/user` with a page of 100 users (~100 KB); `GET /v2/paged-users?offset=N&limit=100`
 * pages through {@link PAGED_TOTAL} users, and `POST /oauth/token` issues a client-credentials token.
 * It runs in its own process so that the client process being measured pays for nothing but the
 * client: its CPU time and heap are the client's alone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The API key the server expects in `X-Vital-API-Key`; requests without it get a 401, as from Junction. */
export const BENCH_API_KEY = 'sk_us_bench_0123456789abcdef';

/** The user every `GET /v2/user/{id}` answers with. */
export const BENCH_USER_ID = '7f3c2a90-5b1e-4c8d-9a6f-2e4b8d1c0a57';

/** Users on the page `GET /v2/user` answers with. */
export const LIST_SIZE = 100;

const PROVIDERS = ['oura', 'fitbit', 'garmin', 'whoop', 'apple_health_kit', 'withings', 'polar', 'dexcom'];

/** A `ClientFacingUser` as Junction returns it, with two connected providers: about 1 KB of JSON. */
function user(index: number, id: string): Record<string, unknown> {
  const created = new Date(Date.UTC(2025, 0, 1) + index * 3_600_000).toISOString();
  const providers = [0, 1].map((k) => PROVIDERS[(index + k) % PROVIDERS.length]);
  const info = (slug: string) => ({
    name: slug.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' '),
    slug,
    logo: `https://storage.googleapis.com/vital-assets/${slug}.png`,
  });
  return {
    user_id: id,
    team_id: '1d6e2f4a-8b3c-4e5d-9f0a-1b2c3d4e5f60',
    client_user_id: `customer-${String(index).padStart(6, '0')}`,
    created_on: created,
    connected_sources: providers.map((slug) => ({ provider: info(slug), created_on: created, source: info(slug) })),
    fallback_time_zone: { id: 'Europe/London', source_slug: 'manual', updated_at: created },
    fallback_birth_date: { value: '1987-04-12', source_slug: 'manual', updated_at: created },
    ingestion_start: '2024-01-01',
    ingestion_end: null,
  };
}

function userId(index: number): string {
  const hex = index.toString(16).padStart(12, '0');
  return `${BENCH_USER_ID.slice(0, 24)}${hex}`;
}

/** The bodies, serialised once: the server does no per-request work beyond routing. */
export const BODIES = {
  small: Buffer.from(JSON.stringify(user(0, BENCH_USER_ID))),
  large: Buffer.from(JSON.stringify({ users: Array.from({ length: LIST_SIZE }, (_, i) => user(i, userId(i))), total: 12_345, offset: 0, limit: LIST_SIZE })),
};

/** Users behind `GET /v2/paged-users`, served {@link PAGE_SIZE} at a time (Junction's list shape). */
export const PAGED_TOTAL = 1_000;
export const PAGE_SIZE = 100;

/** Every page of the paged list, serialised once, and the empty page past its end. */
const PAGES = Array.from({ length: PAGED_TOTAL / PAGE_SIZE + 1 }, (_, page) => {
  const first = page * PAGE_SIZE;
  const users = first < PAGED_TOTAL ? Array.from({ length: PAGE_SIZE }, (_, i) => user(first + i, userId(first + i))) : [];
  return Buffer.from(JSON.stringify({ users, total: PAGED_TOTAL, offset: first, limit: PAGE_SIZE }));
});

/** The access token `POST /oauth/token` issues. */
export const BENCH_ACCESS_TOKEN = 'bench-access-token-0123456789abcdef';
const TOKEN = Buffer.from(JSON.stringify({ access_token: BENCH_ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3_600 }));

const UNAUTHORIZED = Buffer.from(JSON.stringify({ detail: 'Missing or invalid API key' }));
const NOT_FOUND = Buffer.from(JSON.stringify({ detail: 'Not Found' }));

function headersFor(body: Buffer): http.OutgoingHttpHeaders {
  return { 'content-type': 'application/json', 'content-length': body.length };
}

const SMALL_HEADERS = headersFor(BODIES.small);
const LARGE_HEADERS = headersFor(BODIES.large);

/** Creates the server (not yet listening). Connections are kept alive for as long as a run lasts. */
export function createBenchServer(): http.Server {
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const url = req.url ?? '';
    if (req.method === 'POST' && url === '/oauth/token') {
      // The client's request body is not read: the token is the same for everyone.
      req.resume();
      res.writeHead(200, headersFor(TOKEN)).end(TOKEN);
    } else if (req.headers['x-vital-api-key'] !== BENCH_API_KEY) {
      res.writeHead(401, headersFor(UNAUTHORIZED)).end(UNAUTHORIZED);
    } else if (req.method === 'GET' && url.startsWith('/v2/user/') && url.length > '/v2/user/'.length) {
      res.writeHead(200, SMALL_HEADERS).end(BODIES.small);
    } else if (req.method === 'GET' && (url === '/v2/user' || url.startsWith('/v2/user?'))) {
      res.writeHead(200, LARGE_HEADERS).end(BODIES.large);
    } else if (req.method === 'GET' && url.startsWith('/v2/paged-users?')) {
      const offset = Number(/[?&]offset=(\d+)/.exec(url)?.[1] ?? 0);
      const page = PAGES[Math.min(Math.floor(offset / PAGE_SIZE), PAGES.length - 1)];
      res.writeHead(200, headersFor(page)).end(page);
    } else {
      res.writeHead(404, headersFor(NOT_FOUND)).end(NOT_FOUND);
    }
  });
  // Node's 5 s default would close idle pooled sockets between rounds and make later rounds pay for reconnects.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  return server;
}

/** A running server and how to stop it. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The server's process id when it runs in a child process. */
  pid?: number;
  close(): Promise<void>;
}

/** Starts the server in this process on an ephemeral port of 127.0.0.1 (for tests). */
export async function listenInProcess(): Promise<RunningServer> {
  const server = createBenchServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Forks `script` (the compiled form of this module) as the server process and waits for it to report its
 * port over IPC. The child exits when told to, or when the parent goes away.
 */
export async function startBenchServer(script: string = fileURLToPath(new URL('./server.js', import.meta.url))): Promise<RunningServer> {
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const failed = (why: string) => reject(new Error(`bench server ${script} ${why}`));
    child.once('error', (error) => failed(`could not start: ${error.message}`));
    child.once('exit', (code) => failed(`exited with code ${code} before listening`));
    child.once('message', (message) => {
      const port = (message as { port?: unknown } | null)?.port;
      if (typeof port === 'number') resolve(port);
      else failed(`sent ${JSON.stringify(message)} instead of its port`);
    });
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}`,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    close: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.send('stop');
  });
}

function runChild(): void {
  const server = createBenchServer();
  server.listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as AddressInfo).port });
  });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('message', (message) => {
    if (message === 'stop') stop();
  });
  // An orphaned server would otherwise hold its port and a core until someone noticed.
  process.on('disconnect', stop);
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) runChild();
