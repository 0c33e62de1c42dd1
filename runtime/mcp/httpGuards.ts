/**
 * Hono middleware that decides whether an HTTP request may reach a served capability at all: the Host
 * a loopback server answers to (DNS rebinding), the browser Origin it accepts, and the exposed
 * authentication. Refusals are JSON-RPC error objects, which MCP clients know how to read and which
 * are plain JSON to anyone else. Not MCP-specific: any adapter served with hono can use them.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { validateHostHeader } from '@modelcontextprotocol/server';
import type { ExposedAuth } from '../expose/types.js';

/** Host names (and origin host names) of this machine's loopback interface. */
export const LOOPBACK_HOSTNAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Whether a listening address only accepts connections from this machine. */
export function isLoopbackAddress(address: string): boolean {
  return address === 'localhost' || address === '::1' || address === '[::1]' || address.startsWith('127.');
}

/** A JSON-RPC error answer with an HTTP status, as MCP's Streamable HTTP transport sends them. */
export function jsonRpcError(c: Context, status: 400 | 401 | 403 | 404 | 405 | 413 | 500 | 503, message: string, headers: Record<string, string> = {}): Response {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }, status);
}

/**
 * Refuses (403) a request whose `Host` is not one of `hostnames` (port ignored). A server on loopback
 * uses {@link LOOPBACK_HOSTNAMES}: a web page whose domain an attacker re-points at 127.0.0.1 still
 * sends its own domain as Host.
 */
export function hostGuard(hostnames: readonly string[] = LOOPBACK_HOSTNAMES): MiddlewareHandler {
  const allowed = [...hostnames];
  return async (c, next) => {
    const result = validateHostHeader(c.req.header('host') ?? null, allowed);
    if (!result.ok) return jsonRpcError(c, 403, `forbidden: ${result.message}`);
    await next();
  };
}

/**
 * Refuses (403) a request that a browser sent from a foreign page. A request without `Origin` (any
 * client that is not a browser) passes, and so does one from a loopback origin (a local tool's page)
 * or from one of `allowed`: full origins (`https://app.example.com`, scheme, host and port compared),
 * or bare host names (`app.example.com`, any scheme and port).
 */
export function originGuard(allowed: readonly string[] = []): MiddlewareHandler {
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
        return jsonRpcError(c, 403, `forbidden: requests from origin ${header} are not accepted (start the server with --allow-origin ${header} to accept them)`);
      }
    }
    await next();
  };
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

/**
 * Refuses (401) a request without the credentials the expose declares; `realm` names the server in
 * the `WWW-Authenticate` challenge of bearer and basic. The comparison is constant-time (see
 * `compileExposedAuth`), and nothing about the expected secret is ever answered.
 */
export function authGuard(auth: ExposedAuth, realm: string): MiddlewareHandler {
  const scheme = auth.type === 'bearer' ? 'Bearer' : auth.type === 'basic' ? 'Basic' : undefined;
  const challenge: Record<string, string> = scheme ? { 'www-authenticate': `${scheme} realm="${realm}"` } : {};
  return async (c, next) => {
    const query = auth.queryParameter === undefined ? undefined : new URL(c.req.url).searchParams;
    if (!auth.verify(c.req.header(), query)) return jsonRpcError(c, 401, 'unauthorized: missing or wrong credentials', challenge);
    await next();
  };
}
