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
import { extractOutputs } from '../response/extractOutputs.js';

/** What the runtime lends the page reader. */
export interface PageSource<E extends { plan: OperationPlan }> {
  find(name: string): E;
  /** One request of `entry` with `inputs` (to `url` instead of the operation's own, for a link page); non-2xx throws. */
  exchange(entry: E, inputs: Record<string, unknown>, call: InvokeOptions, url?: string): Promise<PageAnswer>;
}

/**
 * Every record of every page, in order, each page fetched when the iteration reaches it. A plain
 * iterator rather than an async generator: a record handed out of a page already read costs one
 * resolved promise, not a generator's resumption (which made a third of the walk's overhead).
 * `mapError` is applied to everything the iteration throws.
 */
export function walkItems<E extends { plan: OperationPlan }>(
  source: PageSource<E>,
  name: string,
  inputs: Record<string, unknown>,
  options: ItemsOptions,
  mapError: (error: unknown) => unknown,
): AsyncIterableIterator<unknown> {
  return new RecordIterator(source, name, inputs, options, mapError);
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

class RecordIterator<E extends { plan: OperationPlan }> implements AsyncIterableIterator<unknown> {
  #items: unknown[] = [];
  #index = 0;
  #finished = false;
  /** The page being fetched: a call of `next` meanwhile waits for it. */
  #fetching: Promise<IteratorResult<unknown>> | undefined;
  /** The walk, from the first call of `next` on. */
  #state: { entry: E; paging: PaginationPlan; maxPages: number; limit: number | undefined; walk: Walk; answer?: PageAnswer; records: number } | undefined;

  constructor(
    readonly source: PageSource<E>,
    readonly name: string,
    readonly inputs: Record<string, unknown>,
    readonly options: ItemsOptions,
    readonly mapError: (error: unknown) => unknown,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#index < this.#items.length) return Promise.resolve({ value: this.#items[this.#index++], done: false });
    if (this.#finished) return Promise.resolve(DONE);
    if (this.#fetching !== undefined) return this.#fetching.then(() => this.next());
    this.#fetching = this.#advance().then(
      (result) => {
        this.#fetching = undefined;
        return result;
      },
      (error: unknown) => {
        this.#fetching = undefined;
        this.#finished = true;
        throw this.mapError(error);
      },
    );
    return this.#fetching;
  }

  /** Breaking out of the loop: nothing more is sent. */
  return(): Promise<IteratorResult<unknown>> {
    this.#finished = true;
    this.#items = [];
    return Promise.resolve(DONE);
  }

  /** The first record of the next page, or the end. */
  async #advance(): Promise<IteratorResult<unknown>> {
    let state = this.#state;
    if (state === undefined) {
      const entry = this.source.find(this.name);
      const paging = paginationOf(entry.plan);
      const values = resolveInputs(entry.plan, this.inputs);
      state = this.#state = { entry, paging, maxPages: maxPagesOf(entry.plan, this.options.maxPages), limit: pageLimit(paging, values), walk: startWalk(paging, values), records: 0 };
    } else {
      // The records of the page just handed out come first: its next link is checked only now.
      const next = nextWalk(state.paging, state.walk, state.answer!, this.#items, state.limit);
      const more = next !== null;
      this.options.onPage?.({ pages: state.walk.pages + 1, records: state.records, more });
      if (next === null || next.pages >= state.maxPages) {
        this.#finished = true;
        return DONE;
      }
      state.walk = withoutQueryAuth(state.entry.plan, next);
    }
    const { entry, paging, walk } = state;
    const answer = await this.source.exchange(entry, pageInputs(paging, this.inputs, walk), this.options, pageUrl(walk));
    if (this.#finished) return DONE;
    state.answer = answer;
    this.#items = pageItems(paging, answer);
    this.#index = 0;
    state.records += this.#items.length;
    if (this.#items.length > 0) return { value: this.#items[this.#index++], done: false };
    // An empty page ends the walk; it is still a page read.
    this.options.onPage?.({ pages: walk.pages + 1, records: state.records, more: false });
    this.#finished = true;
    return DONE;
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
  const outputs = extractOutputs(plan.outputs, answer.data, plan.id);
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
