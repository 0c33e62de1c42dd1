/**
 * What every HTTP adapter (REST, MCP, skills) checks and how it answers errors, written once.
 */
import type { MiddlewareHandler } from 'hono';
import type { NaftikoError } from '../index.js';
import type { ExposedAuth } from '../orchestration/types.js';

/**
 * Refuses a request without the credentials the expose declares, before routing: an unauthenticated
 * caller learns nothing about which paths or methods exist. The comparison is constant-time
 * (`ExposedAuth.verify`).
 */
export function requireAuth(auth: ExposedAuth | undefined, realm: string, refuse: (challenge: Record<string, string>) => Response): MiddlewareHandler {
  return async (c, next) => {
    if (auth && !auth.verify(headersOf(c.req.raw.headers), new URL(c.req.url).searchParams)) {
      const scheme = auth.type === 'bearer' ? 'Bearer' : auth.type === 'basic' ? 'Basic' : undefined;
      return refuse(scheme ? { 'www-authenticate': `${scheme} realm="${realm}"` } : {});
    }
    await next();
  };
}

/** Web headers as the lower-cased record `ExposedAuth.verify` and exposed operations read. */
export function headersOf(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => (record[name] = value));
  return record;
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
