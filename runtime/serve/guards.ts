/**
 * What every HTTP adapter (REST, MCP, skills) checks before a request reaches a served capability, and
 * how it shows errors to remote clients, written once. Each adapter renders refusals in its own format
 * (a JSON-RPC error for MCP, `{ error }` for REST) through a {@link Refuse} function.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { NaftikoError } from '../index.js';
import type { ExposedAuth } from '../orchestration/types.js';

/** Renders a refusal in the adapter's own error format. */
export type Refuse = (status: 401 | 403, message: string, headers?: Record<string, string>) => Response;

/** Host names (and origin host names) of this machine's loopback interface. */
const LOOPBACK_HOSTNAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Whether a listening address only accepts connections from this machine. */
export function isLoopbackAddress(address: string): boolean {
  return address === 'localhost' || address === '::1' || address === '[::1]' || address.startsWith('127.');
}

/**
 * Refuses (through `onError`) a request body larger than `maxSize` bytes. hono's `bodyLimit` asks the
 * request for its body stream, which on @hono/node-server turns every request (GETs included) into a
 * full web `Request` over a web stream, a cost of the order of the call itself under load; a declared
 * `Content-Length` is enough, since Node's parser ends a body there, and a GET or HEAD without one has
 * none. Other bodies (chunked, or a stream handed to `app.request`) still go through `bodyLimit`, which
 * counts while reading.
 */
export function requestBodyLimit(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const chunked = c.req.header('transfer-encoding') !== undefined;
    const length = c.req.header('content-length');
    if (!chunked && length !== undefined && /^\d+$/.test(length)) return Number(length) > maxSize ? onError(c) : next();
    if (!chunked && length === undefined && (c.req.method === 'GET' || c.req.method === 'HEAD')) return next();
    return streamed(c, next);
  };
}

/**
 * Refuses (403) a request whose `Host` is not a loopback name ({@link LOOPBACK_HOSTNAMES}, port
 * ignored), for servers on loopback: a web page whose domain an attacker re-points at 127.0.0.1 (DNS
 * rebinding) still sends its own domain as Host.
 */
export function hostGuard(refuse: Refuse): MiddlewareHandler {
  const allowed = new Set(LOOPBACK_HOSTNAMES);
  return async (c, next) => {
    const header = c.req.header('host');
    const name = hostnameOf(header);
    if (name === undefined || !allowed.has(name)) return refuse(403, `forbidden: invalid Host header ${header === undefined ? '(none)' : `'${header}'`}`);
    await next();
  };
}

/**
 * Refuses (403) a request that a browser sent from a foreign page. A request without `Origin` (any
 * client that is not a browser) passes, and so does one from a loopback origin (a local tool's page)
 * or from one of `allowed`: full origins (`https://app.example.com`, scheme, host and port compared),
 * or bare host names (`app.example.com`, any scheme and port).
 */
export function originGuard(refuse: Refuse, allowed: readonly string[] = []): MiddlewareHandler {
  const origins = new Set<string>();
  const hostnames = new Set(LOOPBACK_HOSTNAMES);
  for (const entry of allowed) {
    const origin = parseOrigin(entry);
    if (origin) origins.add(origin.origin);
    else hostnames.add(entry.toLowerCase());
  }
  return async (c, next) => {
    const header = c.req.header('origin');
    if (header !== undefined && header !== '') {
      const origin = parseOrigin(header);
      if (!origin || (!origins.has(origin.origin) && !hostnames.has(origin.hostname))) {
        return refuse(403, `forbidden: requests from origin ${header} are not accepted (start the server with --allow-origin ${header} to accept them)`);
      }
    }
    await next();
  };
}

/**
 * Refuses (401) a request without the credentials the expose declares, before routing: an
 * unauthenticated caller learns nothing about which paths or methods exist. `realm` names the server
 * in the `WWW-Authenticate` challenge of bearer and basic. The comparison is constant-time
 * (`ExposedAuth.verify`), and nothing about the expected secret is ever answered.
 */
export function authGuard(refuse: Refuse, auth: ExposedAuth, realm: string): MiddlewareHandler {
  const scheme = auth.type === 'bearer' ? 'Bearer' : auth.type === 'basic' ? 'Basic' : undefined;
  const challenge: Record<string, string> = scheme ? { 'www-authenticate': `${scheme} realm="${realm}"` } : {};
  return async (c, next) => {
    const query = auth.queryParameter === undefined ? undefined : new URL(c.req.url).searchParams;
    if (!auth.verify(c.req.header(), query)) return refuse(401, 'unauthorized: missing or wrong credentials', challenge);
    await next();
  };
}

/**
 * An error as a remote client sees it: code, message and details, without the address of the upstream
 * API (an internal host is nobody's business outside): the URL loses its origin in the message and is
 * dropped from the details.
 */
export function clientError(error: NaftikoError): Record<string, unknown> {
  const { name: _name, code, message, url, ...details } = error.toJSON();
  let text = message as string;
  if (typeof url === 'string' && url !== '') text = text.split(url).join(withoutOrigin(url));
  return { code, message: text, ...details };
}

/** `https://internal:8443/v2/x?y=1` → `/v2/x?y=1`; a URL whose origin is masked (no URL then) is kept as is. */
function withoutOrigin(url: string): string {
  return URL.canParse(url) ? url.slice(new URL(url).origin.length) : url;
}

/** The host name of a `Host` header (port dropped, IPv6 in brackets); undefined when unreadable. */
function hostnameOf(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

/** `scheme://host[:port]` of an http(s) origin, or undefined (`null`, opaque or malformed origins). */
function parseOrigin(text: string): { origin: string; hostname: string } | undefined {
  if (!/^https?:\/\//i.test(text)) return undefined;
  try {
    const url = new URL(text);
    return { origin: url.origin, hostname: url.hostname };
  } catch {
    return undefined;
  }
}
