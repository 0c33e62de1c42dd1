/**
 * `runtime.items` and `runtime.invokePage`: an operation's pages read through the runtime's one
 * exchange (authentication, retries, masking), walked by the operation's {@link Paginator} style and
 * always bounded by `maxPages`.
 */
import { InputError } from '../errors.js';
import type { OperationPlan, PaginationPlan } from '../compile/plan.js';
import type { InvokeOptions, ItemsOptions, Page, PageOptions } from '../types.js';
import { decodePageToken, encodePageToken, nextWalk, pageInputs, pageItems, pageLimit, pageUrl, startWalk, type PageAnswer, type Walk } from './paginator.js';
import { resolveInputs } from './resolveInputs.js';

/** What the runtime lends the page reader. */
export interface PageSource<E extends { plan: OperationPlan }> {
  find(name: string): E;
  /** One request of `entry` with `inputs` (to `url` instead of the operation's own, for a link page); non-2xx throws. */
  exchange(entry: E, inputs: Record<string, unknown>, call: InvokeOptions, url?: string): Promise<PageAnswer>;
  outputs(plan: OperationPlan, data: unknown): Record<string, unknown>;
}

/** Every record of every page, in order, fetched as the iteration asks for them. */
export async function* walkItems<E extends { plan: OperationPlan }>(source: PageSource<E>, name: string, inputs: Record<string, unknown>, options: ItemsOptions): AsyncGenerator<unknown, void, undefined> {
  const entry = source.find(name);
  const paging = paginationOf(entry.plan);
  const maxPages = maxPagesOf(entry.plan, options.maxPages);
  const values = resolveInputs(entry.plan, inputs);
  const limit = pageLimit(paging, values);
  let walk = startWalk(paging, values);
  let records = 0;
  for (;;) {
    const answer = await source.exchange(entry, pageInputs(paging, inputs, walk), options, pageUrl(walk));
    const items = pageItems(paging, answer);
    records += items.length;
    // The records come first: a page whose next link is refused was still read.
    yield* items;
    const next = nextWalk(paging, walk, answer, items, limit);
    const more = next !== null;
    options.onPage?.({ pages: walk.pages + 1, records, more });
    if (next === null || next.pages >= maxPages) return;
    walk = withoutQueryAuth(entry.plan, next);
  }
}

/** One page, its outputs, and the token of the next one (null after the last, or at `maxPages`). */
export async function readOnePage<E extends { plan: OperationPlan }>(source: PageSource<E>, name: string, inputs: Record<string, unknown>, options: PageOptions): Promise<Page> {
  const entry = source.find(name);
  const { plan } = entry;
  const paging = paginationOf(plan);
  const values = resolveInputs(plan, inputs);
  const walk = options.pageToken ? decodePageToken(plan.id, paging, options.pageToken) : startWalk(paging, values);
  const answer = await source.exchange(entry, pageInputs(paging, inputs, walk), options, pageUrl(walk));
  const outputs = source.outputs(plan, answer.data);
  const items = pageItems(paging, answer);
  const next = nextWalk(paging, walk, answer, items, pageLimit(paging, values));
  if (next === null) return { items, outputs, nextPageToken: null };
  if (next.pages >= maxPagesOf(plan, options.maxPages)) return { items, outputs, nextPageToken: null, truncated: true };
  return { items, outputs, nextPageToken: encodePageToken(plan.id, withoutQueryAuth(plan, next)) };
}

function paginationOf(plan: OperationPlan): PaginationPlan {
  if (plan.pagination === undefined) {
    throw new InputError(`${plan.id}: the operation declares no pagination: call invoke(), or add 'pagination:' to it`, { operation: plan.id });
  }
  return plan.pagination;
}

function maxPagesOf(plan: OperationPlan, requested: number | undefined): number {
  if (requested === undefined) return plan.pagination!.maxPages;
  if (!Number.isInteger(requested) || requested < 1) throw new InputError(`${plan.id}: maxPages must be a whole number of at least 1 (got ${requested})`, { operation: plan.id });
  return requested;
}

/**
 * A next link the server wrote with the API key in its query loses it: the key is added again to each
 * request from the namespace's authentication, and a page token must not carry it.
 */
function withoutQueryAuth(plan: OperationPlan, walk: Walk): Walk {
  const { position } = walk;
  if (plan.auth.type !== 'query' || position.type !== 'link' || position.url === null) return walk;
  const url = new URL(position.url);
  if (!url.searchParams.has(plan.auth.name)) return walk;
  url.searchParams.delete(plan.auth.name);
  return { ...walk, position: { type: 'link', url: url.href } };
}
