/**
 * An operation's `pagination:` as OpenAPI extensions: the block itself in `x-naftiko-pagination`
 * (every key, read back first by the import), and Speakeasy's `x-speakeasy-pagination` for SDK
 * generators where Speakeasy has the style (offset and page as `offsetLimit`, cursor, and a next URL
 * in the body as `url`; a `Link` header, `hasMore`, `total` and `maxPages` it has not).
 */
import type { PaginationPlan } from '../internal.js';
import type { Raw } from './document.js';

/** The extensions describing `pagination` on its operation. */
export function paginationExtensions(pagination: PaginationPlan): Raw {
  const block: Raw = { type: pagination.type, items: pagination.items.expression };
  for (const key of ['limit', 'offset', 'page', 'cursor'] as const) if (pagination[key] !== undefined) block[key] = pagination[key];
  for (const key of ['nextCursor', 'next', 'hasMore', 'total'] as const) if (pagination[key] !== undefined) block[key] = pagination[key].expression;
  block.maxPages = pagination.maxPages;
  const speakeasy = speakeasyPagination(pagination);
  return { ...(speakeasy ? { 'x-speakeasy-pagination': speakeasy } : {}), 'x-naftiko-pagination': block };
}

function speakeasyPagination(pagination: PaginationPlan): Raw | undefined {
  const input = (name: string | undefined, type: string) => (name === undefined ? [] : [{ name, in: 'parameters', type }]);
  const results = pagination.items.expression;
  switch (pagination.type) {
    case 'offset':
      return { type: 'offsetLimit', inputs: [...input(pagination.offset, 'offset'), ...input(pagination.limit, 'limit')], outputs: { results } };
    case 'page':
      return { type: 'offsetLimit', inputs: [...input(pagination.page, 'page'), ...input(pagination.limit, 'limit')], outputs: { results } };
    case 'cursor':
      return { type: 'cursor', inputs: [...input(pagination.cursor, 'cursor'), ...input(pagination.limit, 'limit')], outputs: { nextCursor: pagination.nextCursor!.expression, results } };
    case 'link':
      return pagination.next ? { type: 'url', outputs: { nextUrl: pagination.next.expression } } : undefined;
  }
}
