/**
 * A local, stateful stand-in for the Junction (formerly Vital) API: the 19 `/v2/user*` operations, the
 * Link demo connection, and Org Management's prepare-custom-credentials, with the real status codes
 * and FastAPI error bodies. It records every request so tests can assert on the wire format.
 *
 * Only node built-ins are used, so the demo and tests need nothing beyond the package itself.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerConnectionRoutes } from './junction/connections.js';
import { registerDemographicsRoutes } from './junction/demographics.js';
import { registerDeviceRoutes } from './junction/devices.js';
import { fail, Router, type BodyInput, type Credential, type Reply } from './junction/http.js';
import { registerInsuranceRoutes } from './junction/insurance.js';
import { registerOrgRoutes } from './junction/org.js';
import { Store } from './junction/store.js';
import { registerTokenRoutes } from './junction/tokens.js';
import { registerUserRoutes } from './junction/users.js';

/** Team API key the sandbox accepts unless told otherwise (header `X-Vital-API-Key`). */
export const SANDBOX_API_KEY = 'sandbox-key';

/** Org management key the sandbox accepts unless told otherwise (header `X-Vital-Org-Key`). */
export const SANDBOX_ORG_KEY = 'sandbox-org-key';

/** One request as it reached the sandbox. */
export interface RecordedRequest {
  method: string;
  /** Raw request target, query included, exactly as received (no decoding). */
  path: string;
  /** Node's header object: names lower-cased. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; null when the body is empty or not valid JSON. */
  body: unknown | null;
  rawBody: string;
}

/** Options of {@link startJunctionSandbox}. */
export interface JunctionSandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Accepted `X-Vital-API-Key`; default {@link SANDBOX_API_KEY}. */
  apiKey?: string;
  /** Accepted `X-Vital-Org-Key` for `/management/...`; default {@link SANDBOX_ORG_KEY}. */
  orgKey?: string;
}

/** A running sandbox. */
export interface JunctionSandbox {
  /** Base URL, e.g. `http://127.0.0.1:41234`; Org Management lives under `${url}/management`. */
  url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
  /** Every request received so far, in arrival order (also those rejected with 401/404/422). */
  requests: RecordedRequest[];
  /** Forgets all users and empties {@link JunctionSandbox.requests} (same array, emptied in place). */
  reset(): void;
}

const CREDENTIAL_HEADERS: Record<Credential, string> = { team: 'x-vital-api-key', org: 'x-vital-org-key' };

function buildRouter(): Router {
  const router = new Router();
  registerUserRoutes(router);
  registerDemographicsRoutes(router);
  registerInsuranceRoutes(router);
  registerDeviceRoutes(router);
  registerConnectionRoutes(router);
  registerTokenRoutes(router);
  registerOrgRoutes(router);
  return router;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** FastAPI parses the body as JSON whatever the content type says, so this does too. */
function parseBody(raw: string): BodyInput {
  if (raw === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(raw) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    return { kind: 'invalid', position: position ? Number(position[1]) : raw.length, error: message.replace(/ in JSON at position \d+.*$/, '') };
  }
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  const json = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
}

/**
 * Starts a sandbox. Each sandbox has its own users and its own team id, so parallel test files can
 * each start one on an ephemeral port.
 */
export async function startJunctionSandbox(options: JunctionSandboxOptions = {}): Promise<JunctionSandbox> {
  const host = options.host ?? '127.0.0.1';
  const keys: Record<Credential, string> = { team: options.apiKey ?? SANDBOX_API_KEY, org: options.orgKey ?? SANDBOX_ORG_KEY };
  const store = new Store();
  const router = buildRouter();
  const requests: RecordedRequest[] = [];
  let origin = '';

  const respond = (method: string, target: string, headers: IncomingHttpHeaders, body: BodyInput): Reply => {
    const queryStart = target.indexOf('?');
    const pathname = queryStart < 0 ? target : target.slice(0, queryStart);
    const match = router.match(method, pathname);
    if (match.kind === 'not_found') return fail(404, 'Not Found');
    if (match.kind === 'method_not_allowed') return fail(405, 'Method Not Allowed');
    if (headers[CREDENTIAL_HEADERS[match.credential]] !== keys[match.credential]) return fail(401, 'invalid token');
    const query = new URLSearchParams(queryStart < 0 ? '' : target.slice(queryStart + 1));
    return match.handler({ params: match.params, query, body, store, origin });
  };

  const server = createServer((req, res) => {
    readBody(req).then(
      (rawBody) => {
        const method = req.method ?? 'GET';
        const target = req.url ?? '/';
        const body = parseBody(rawBody);
        requests.push({ method, path: target, headers: { ...req.headers }, body: body.kind === 'json' ? body.value : null, rawBody });
        let reply: Reply;
        try {
          reply = respond(method, target, req.headers, body);
        } catch (error) {
          console.error('junction sandbox: handler failed', error);
          reply = fail(500, 'Internal Server Error');
        }
        send(res, reply);
      },
      () => res.destroy(),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: origin,
    requests,
    reset() {
      requests.length = 0;
      store.reset();
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (fetch/got pools) would otherwise hold close() open until they time out.
        server.closeAllConnections();
      });
    },
  };
}
