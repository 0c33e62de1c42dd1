/**
 * A paged list API for a recording server (test/support/recordingServer.ts): records `{ id: 1 … total }`
 * served in every pagination style real APIs use.
 *
 * - `GET /offset?offset=&limit=` → `{ data, total }`
 * - `GET /page?page=&limit=` → `{ data, pagination: { page, limit, total } }` (pages from 1)
 * - `GET /cursor?starting_after=&limit=` → `{ data, next_cursor, has_more }` (Stripe-like; the cursor is
 *   the last id of the page)
 * - `GET /cursor-loop` → a page whose `next_cursor` is always `c1`
 * - `GET /link?page=&per_page=` → a bare array and a `Link` header (GitHub-like), relative targets
 *   unless `linkOrigin` is given
 * - `GET /link-body?page=` → `{ items, links: { next } }` with an absolute URL
 * - `GET /more?page=` → `{ data, more }`: `more` turns false on the last page
 */
import type { Handler, Reply } from './recordingServer.js';

/** Options of the API. */
export interface PagedApiOptions {
  /** Records there are (default 25). */
  total?: number;
  /** The origin written into next links (default: relative links, or the request's Host where absolute). */
  linkOrigin?: string;
}

/** The handler; `origin` is the server's own URL, for absolute links. */
export function pagedApi(options: PagedApiOptions = {}): Handler {
  const total = options.total ?? 25;
  const records = Array.from({ length: total }, (_, i) => ({ id: i + 1 }));
  const slice = (from: number, count: number) => records.slice(Math.max(0, from), Math.max(0, from) + count);
  return (request) => {
    const url = new URL(request.url, `http://${request.headers.host}`);
    const q = url.searchParams;
    const int = (name: string, fallback: number) => (q.has(name) ? Number(q.get(name)) : fallback);
    const origin = options.linkOrigin ?? url.origin;
    switch (url.pathname) {
      case '/offset':
        return { body: { data: slice(int('offset', 0), int('limit', 10)), total } };
      case '/page': {
        const page = int('page', 1);
        const limit = int('limit', 10);
        return { body: { data: slice((page - 1) * limit, limit), pagination: { page, limit, total } } };
      }
      case '/cursor': {
        const after = int('starting_after', 0);
        const data = slice(after, int('limit', 10));
        const last = data.at(-1)?.id;
        return { body: { data, next_cursor: last === undefined || last === total ? null : String(last), has_more: last !== undefined && last < total } };
      }
      case '/cursor-loop':
        return { body: { data: slice(0, 3), next_cursor: 'c1' } };
      case '/link': {
        const page = int('page', 1);
        const perPage = int('per_page', 10);
        const data = slice((page - 1) * perPage, perPage);
        const reply: Reply = { body: data };
        const links = [`</link?page=1&per_page=${perPage}>; rel="first"`];
        // Relative, as GitHub's are not but RFC 8288 allows, unless told to point elsewhere.
        const next = `${options.linkOrigin ?? ''}/link?page=${page + 1}&per_page=${perPage}`;
        if (page * perPage < total) links.push(`<${next}>; rel="next"`);
        reply.headers = { link: links.join(', ') };
        return reply;
      }
      case '/link-body': {
        const page = int('page', 1);
        const data = slice((page - 1) * 10, 10);
        return { body: { items: data, links: { next: page * 10 < total ? `${origin}/link-body?page=${page + 1}` : null } } };
      }
      case '/more': {
        const page = int('page', 1);
        return { body: { data: slice((page - 1) * 10, 10), more: page * 10 < total } };
      }
      default:
        return { status: 404, body: { detail: 'Not Found' } };
    }
  };
}
