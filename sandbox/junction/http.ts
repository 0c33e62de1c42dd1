/**
 * The small routing layer the sandbox handlers plug into: path templates with `{param}` segments,
 * Starlette's 404/405 distinction, and the request/reply shapes handlers work with.
 */
import type { Store } from './store.js';

/** The request body as the handlers see it. */
export type BodyInput =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid'; position: number; error: string };

/** Everything a handler gets. */
export interface Call {
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  body: BodyInput;
  store: Store;
  /** Origin of the sandbox (`http://host:port`), for URLs it hands out. */
  origin: string;
}

/** A response; `body: undefined` means no body at all (204). */
export interface Reply {
  status: number;
  body?: unknown;
}

export type Handler = (call: Call) => Reply;

/** Which key a route accepts: the team API key or the org management key. */
export type Credential = 'team' | 'org';

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
  credential: Credential;
}

/** Outcome of routing one request. */
export type RouteMatch =
  | { kind: 'found'; handler: Handler; credential: Credential; params: Record<string, string> }
  | { kind: 'not_found' }
  | { kind: 'method_not_allowed' };

const isParam = (segment: string): boolean => segment.startsWith('{') && segment.endsWith('}');

/** Orders routes so literal segments win over parameters position by position (`/v2/user/metrics` before `/v2/user/{user_id}`). */
function bySpecificity(a: Route, b: Route): number {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const diff = Number(isParam(a.segments[i])) - Number(isParam(b.segments[i]));
    if (diff !== 0) return diff;
  }
  return 0;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Matches raw request paths against templates; a trailing slash is a different path, as in Starlette. Segments are split before decoding, so an encoded
 * `/` (`%2F`) stays inside its parameter; the real API would not route such ids at all, and keeping
 * them lets clients check their encoding end to end.
 */
export class Router {
  private readonly routes: Route[] = [];

  /** Registers `handler` for `method template`; `credential` picks the header checked before it runs. */
  add(method: string, template: string, handler: Handler, credential: Credential = 'team'): this {
    this.routes.push({ method, segments: template.split('/').slice(1), handler, credential });
    this.routes.sort(bySpecificity);
    return this;
  }

  /** Routes `method` + raw `pathname` (no query). */
  match(method: string, pathname: string): RouteMatch {
    const segments = pathname.split('/').slice(1).map(decodeSegment);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (params === undefined) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { kind: 'found', handler: route.handler, credential: route.credential, params };
    }
    return pathMatched ? { kind: 'method_not_allowed' } : { kind: 'not_found' };
  }
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    if (isParam(template[i])) {
      if (actual[i] === '') return undefined;
      params[template[i].slice(1, -1)] = actual[i];
    } else if (template[i] !== actual[i]) return undefined;
  }
  return params;
}

/** 200 with a JSON body. */
export const ok = (body: unknown): Reply => ({ status: 200, body });

/** An HTTPException-style error: `{"detail": ...}`. */
export const fail = (status: number, detail: unknown): Reply => ({ status, body: { detail } });
