/**
 * Walking an operation's pages, one {@link Paginator} per style (offset, page, cursor, link), with the
 * stops every style shares: an empty page, `hasMore` false, `total` reached. Where a walk stands is
 * plain data ({@link Walk}), so that a page token can carry it to another process: a workflow engine
 * runs one page per step and resumes after a crash.
 *
 * Knows nothing of sending: the runtime fetches each page and hands the answer back.
 */
import { InputError, ResponseError } from '../errors.js';
import type { PaginationPlan } from '../compile/plan.js';
import type { PaginationType } from '../util/vocabulary.js';
import { isSet, selectItems, selectValue } from '../response/select.js';
import { isObject } from '../util/isObject.js';
import type { ResolvedInputs } from './resolveInputs.js';

/** Where the next page is. */
export type PagePosition =
  | { type: 'offset'; offset: number }
  | { type: 'page'; page: number }
  /** `null`: the first page, with the caller's own cursor input if any. */
  | { type: 'cursor'; cursor: string | null }
  /** `null`: the first page, from the operation's own URL. */
  | { type: 'link'; url: string | null };

/** A walk in progress. */
export interface Walk {
  position: PagePosition;
  /** Pages read so far. */
  pages: number;
  /** Records counted toward `total` (from the start offset, for offset pagination). */
  read: number;
  /** Cursors used so far: one coming back ends the walk rather than looping forever. */
  seen: string[];
}

/** One page's answer, as the runtime received it. */
export interface PageAnswer {
  /** The operation's id, for messages. */
  operation: string;
  /** The body converted to a JSON tree, secrets masked. */
  data: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** The URL the page was requested from, for relative links. */
  url: string;
}

/** One style: where a walk starts, what a page's request is, where the next page is. */
interface Paginator {
  start(plan: PaginationPlan, values: ResolvedInputs): PagePosition;
  /** The inputs of the page at `position` (a link page keeps the caller's: its URL replaces the request's). */
  inputs(plan: PaginationPlan, inputs: Record<string, unknown>, position: PagePosition): Record<string, unknown>;
  /** The position after a page of `count` records; null when this style sees the end. */
  advance(plan: PaginationPlan, walk: Walk, count: number, answer: PageAnswer, limit: number | undefined): PagePosition | null;
}

const offsetPaginator: Paginator = {
  start: (plan, values) => ({ type: 'offset', offset: wholeNumber(values[plan.offset!], 0) }),
  inputs: (plan, inputs, position) => ({ ...inputs, [plan.offset!]: (position as { offset: number }).offset }),
  advance(_plan, walk, count, _answer, limit) {
    if (limit !== undefined && count < limit) return null;
    return { type: 'offset', offset: (walk.position as { offset: number }).offset + count };
  },
};

const pagePaginator: Paginator = {
  start: (plan, values) => ({ type: 'page', page: wholeNumber(values[plan.page!], 1) }),
  inputs: (plan, inputs, position) => ({ ...inputs, [plan.page!]: (position as { page: number }).page }),
  advance(_plan, walk, count, _answer, limit) {
    if (limit !== undefined && count < limit) return null;
    return { type: 'page', page: (walk.position as { page: number }).page + 1 };
  },
};

const cursorPaginator: Paginator = {
  start: () => ({ type: 'cursor', cursor: null }),
  inputs(plan, inputs, position) {
    const { cursor } = position as { cursor: string | null };
    return cursor === null ? inputs : { ...inputs, [plan.cursor!]: cursor };
  },
  advance(plan, walk, _count, answer) {
    const value = selectValue(plan.nextCursor!, answer.data);
    if (typeof value !== 'string' && typeof value !== 'number') return null;
    const cursor = String(value);
    if (cursor === '' || walk.seen.includes(cursor)) return null;
    return { type: 'cursor', cursor };
  },
};

const linkPaginator: Paginator = {
  start: () => ({ type: 'link', url: null }),
  inputs: (_plan, inputs) => inputs,
  advance(plan, _walk, _count, answer) {
    const target = plan.next === undefined ? nextLink(answer.headers.link) : selectValue(plan.next, answer.data);
    if (typeof target !== 'string' || target === '') return null;
    const { operation } = answer;
    let url: URL;
    try {
      url = new URL(target, answer.url);
    } catch {
      throw new ResponseError(`${operation}: the next page's link '${target}' is not a URL`, { operation, details: { link: target } });
    }
    if (url.origin !== new URL(answer.url).origin) {
      throw new ResponseError(`${operation}: the next page's link points to another origin (${url.origin}); it is not followed, since the credentials would go with it`, {
        operation,
        details: { origin: url.origin },
      });
    }
    return { type: 'link', url: url.href };
  },
};

const PAGINATORS: Record<PaginationType, Paginator> = { offset: offsetPaginator, page: pagePaginator, cursor: cursorPaginator, link: linkPaginator };

/** The page size the caller asked for (or the parameter's default), when the style has one. */
export function pageLimit(plan: PaginationPlan, values: ResolvedInputs): number | undefined {
  const limit = plan.limit === undefined ? undefined : values[plan.limit];
  return typeof limit === 'number' && limit > 0 ? limit : undefined;
}

/** A walk from the caller's inputs, or the parameters' defaults. */
export function startWalk(plan: PaginationPlan, values: ResolvedInputs): Walk {
  const position = PAGINATORS[plan.type].start(plan, values);
  const walk: Walk = { position, pages: 0, read: position.type === 'offset' ? position.offset : 0, seen: [] };
  const cursor = plan.cursor === undefined ? undefined : values[plan.cursor];
  if (plan.type === 'cursor' && (typeof cursor === 'string' || typeof cursor === 'number')) walk.seen.push(String(cursor));
  return walk;
}

/** The inputs of the walk's next page. */
export function pageInputs(plan: PaginationPlan, inputs: Record<string, unknown>, walk: Walk): Record<string, unknown> {
  return PAGINATORS[plan.type].inputs(plan, inputs, walk.position);
}

/** The URL that replaces the operation's for the walk's next page (link pagination), if any. */
export function pageUrl(walk: Walk): string | undefined {
  return walk.position.type === 'link' && walk.position.url !== null ? walk.position.url : undefined;
}

/** The records of one page. */
export function pageItems(plan: PaginationPlan, answer: PageAnswer): unknown[] {
  return selectItems(plan.items, answer.data);
}

/**
 * The walk after a page of `items`, or null when that page was the last: an empty page, `hasMore`
 * false or absent, `total` reached, or the style's own end. `maxPages` is the caller's to apply.
 */
export function nextWalk(plan: PaginationPlan, walk: Walk, answer: PageAnswer, items: unknown[], limit: number | undefined): Walk | null {
  if (items.length === 0) return null;
  const read = walk.read + items.length;
  if (plan.hasMore !== undefined && !isSet(selectValue(plan.hasMore, answer.data))) return null;
  if (plan.total !== undefined) {
    const total = Number(selectValue(plan.total, answer.data));
    if (Number.isFinite(total) && read >= total) return null;
  }
  const position = PAGINATORS[plan.type].advance(plan, walk, items.length, answer, limit);
  if (position === null) return null;
  const seen = position.type === 'cursor' && position.cursor !== null ? [...walk.seen, position.cursor] : walk.seen;
  return { position, pages: walk.pages + 1, read, seen };
}

/** Cursors a page token remembers: enough to end a short cycle, without the token growing with the walk. */
const TOKEN_SEEN = 16;

/** The walk as an opaque, JSON-serializable string for `invokePage`'s `nextPageToken`. */
export function encodePageToken(operation: string, walk: Walk): string {
  const state = { v: 1, op: operation, at: walk.position, pages: walk.pages, read: walk.read, seen: walk.seen.slice(-TOKEN_SEEN) };
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

/** The walk a page token carries; INPUT_INVALID when it is not one of this operation's. */
export function decodePageToken(operation: string, plan: PaginationPlan, token: string): Walk {
  const refuse = (why: string) => new InputError(`${operation}: pageToken ${why}`, { operation, parameter: 'pageToken' });
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw refuse('is not a page token (pass the nextPageToken of a previous page, unchanged)');
  }
  if (!isObject(state) || state.v !== 1 || !isObject(state.at)) throw refuse('is not a page token (pass the nextPageToken of a previous page, unchanged)');
  if (state.op !== operation) throw refuse(`belongs to operation '${String(state.op)}', not '${operation}'`);
  const at = state.at;
  const count = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;
  const valid =
    at.type === plan.type &&
    count(state.pages) &&
    count(state.read) &&
    Array.isArray(state.seen) &&
    state.seen.every((s) => typeof s === 'string') &&
    ((at.type === 'offset' && count(at.offset)) ||
      (at.type === 'page' && count(at.page)) ||
      (at.type === 'cursor' && (at.cursor === null || typeof at.cursor === 'string')) ||
      (at.type === 'link' && (at.url === null || (typeof at.url === 'string' && URL.canParse(at.url)))));
  if (!valid) throw refuse('does not describe a page of this operation');
  return { position: at as unknown as PagePosition, pages: state.pages as number, read: state.read as number, seen: state.seen as string[] };
}

/** The `rel="next"` target of a `Link` header (RFC 8288), if any. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header;
  if (text === undefined) return undefined;
  // `<url>; param=value; param="quoted, value"`, links separated by commas outside <> and quotes.
  const link = /<([^>]*)>((?:\s*;\s*[^;,=\s]+(?:\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,\s]*))?)*)/g;
  for (const match of text.matchAll(link)) {
    for (const param of match[2].matchAll(/;\s*([^;,=\s]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*))?/g)) {
      if (param[1].toLowerCase() !== 'rel' || param[2] === undefined) continue;
      const rels = param[2].replace(/^"|"$/g, '').toLowerCase().split(/\s+/);
      if (rels.includes('next')) return match[1];
    }
  }
  return undefined;
}

function wholeNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}
