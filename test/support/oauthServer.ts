/**
 * A real OAuth2 authorization server and the API it protects, on one port of 127.0.0.1: `POST
 * /oauth/token` issues client-credentials tokens (`tok-1`, `tok-2`, …) to the registered clients,
 * with client authentication by HTTP Basic or in the form (RFC 6749 §2.3.1); every other path is the
 * API, which answers only a token it issued, not revoked and not expired, with the number of the grant
 * (1 for `tok-1`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it reached the server. */
export interface OAuthRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The API's status, or the token endpoint's. */
  status: number;
}

/** What the token endpoint does; change it between tests. */
export interface TokenEndpointBehaviour {
  /** `expires_in` of issued tokens in seconds; null leaves it out. */
  expiresIn: number | null;
  /** Milliseconds before the token endpoint answers. */
  delayMs: number;
  /** Answer every token request with this status (and an OAuth error body) instead of a token. */
  failWith?: { status: number; error: string; description?: string; retryAfter?: string; /** Only the first this many requests (default: all). */ times?: number };
  /** `token_type` of issued tokens. */
  tokenType: string;
}

export interface OAuthServer {
  url: string;
  tokenRequests: OAuthRequest[];
  apiRequests: OAuthRequest[];
  /** Every token issued, in order. */
  issued: string[];
  behaviour: TokenEndpointBehaviour;
  /** The API refuses this token from now on (401), as after a revocation. */
  revoke(token: string): void;
  /** The API refuses every token (401). */
  refuseAll: boolean;
  /** Forgets requests and tokens; the behaviour goes back to its defaults. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULTS: TokenEndpointBehaviour = { expiresIn: 3600, delayMs: 0, tokenType: 'Bearer' };

/** Starts the server; `clients` maps client ids to their secrets. */
export async function startOAuthServer(clients: Record<string, string>): Promise<OAuthServer> {
  const tokens = new Map<string, { expiresAt: number; scope: string }>();
  const revoked = new Set<string>();
  const state: OAuthServer = {
    url: '',
    tokenRequests: [],
    apiRequests: [],
    issued: [],
    behaviour: { ...DEFAULTS },
    refuseAll: false,
    revoke: (token) => revoked.add(token),
    reset() {
      state.tokenRequests.length = 0;
      state.apiRequests.length = 0;
      state.issued.length = 0;
      state.behaviour = { ...DEFAULTS };
      state.refuseAll = false;
      tokens.clear();
      revoked.clear();
    },
    close: async () => {},
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
  };

  const issue = async (req: IncomingMessage, res: ServerResponse, recorded: OAuthRequest) => {
    const { behaviour } = state;
    if (behaviour.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    if (res.destroyed) return;
    const form = new URLSearchParams(recorded.body);
    const refuse = (status: number, error: string, description?: string, headers?: Record<string, string>) => {
      recorded.status = status;
      json(res, status, { error, ...(description ? { error_description: description } : {}) }, headers);
    };
    const failWith = behaviour.failWith;
    if (failWith && (failWith.times === undefined || state.tokenRequests.indexOf(recorded) < failWith.times)) {
      const { status, error, description, retryAfter } = failWith;
      return refuse(status, error, description, retryAfter ? { 'retry-after': retryAfter } : {});
    }
    if (form.get('grant_type') !== 'client_credentials') return refuse(400, 'unsupported_grant_type');
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) {
      const pair = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = pair.indexOf(':');
      id = decodeURIComponent(pair.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(pair.slice(colon + 1).replace(/\+/g, ' '));
    }
    if (id === null || clients[id] === undefined || clients[id] !== secret) {
      return refuse(401, 'invalid_client', `client authentication failed for secret ${secret ?? ''}`, { 'www-authenticate': 'Basic realm="oauth"' });
    }
    const token = `tok-${state.issued.length + 1}`;
    state.issued.push(token);
    const lifetime = behaviour.expiresIn;
    tokens.set(token, { expiresAt: lifetime === null ? Infinity : Date.now() + lifetime * 1000, scope: form.get('scope') ?? '' });
    recorded.status = 200;
    json(res, 200, { access_token: token, token_type: behaviour.tokenType, ...(lifetime === null ? {} : { expires_in: lifetime }), scope: form.get('scope') ?? undefined });
  };

  const api = (req: IncomingMessage, res: ServerResponse, recorded: OAuthRequest) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const known = token === undefined ? undefined : tokens.get(token);
    if (token === undefined || known === undefined || revoked.has(token) || state.refuseAll || known.expiresAt <= Date.now()) {
      recorded.status = 401;
      return json(res, 401, { detail: `token ${token ?? '(none)'} is not valid` }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    recorded.status = 200;
    // The grant's number, not the token: an API echoing a token gets it masked, which tests check elsewhere.
    json(res, 200, { path: recorded.url, grant: state.issued.indexOf(token) + 1, scope: known.scope });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: OAuthRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 };
      if (recorded.url.startsWith('/oauth/token') && recorded.method === 'POST') {
        state.tokenRequests.push(recorded);
        void issue(req, res, recorded);
      } else {
        state.apiRequests.push(recorded);
        api(req, res, recorded);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
