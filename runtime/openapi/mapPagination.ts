/**
 * Pagination hints of an OpenAPI operation → the `pagination:` vocabulary of issue 9, in one place.
 * Two dialects are read: Speakeasy's `x-speakeasy-pagination` (`offsetLimit`, `cursor`; `url` has no
 * equivalent) and APIMatic's `x-pagination` (`offset`, `page`, `cursor`, `link` with runtime
 * expressions such as `$request.query#/offset` and `$response.body#/data`).
 */
import type { PaginationModel, ParameterModel } from './model.js';
import { isObject, pointerToJsonPath, type Raw } from './document.js';
import type { Report } from './report.js';

/** Common names of the page-size parameter, for dialects that do not name it. */
const LIMIT_NAMES = ['limit', 'page_size', 'pageSize', 'per_page', 'perPage', 'size', 'count', 'max_results', 'maxResults'];

/** The pagination of `operation`, or undefined when it declares none or one that cannot be mapped (reported). */
export function mapPagination(operation: Raw, parameters: ParameterModel[], subject: string, report: Report): PaginationModel | undefined {
  const speakeasy = operation['x-speakeasy-pagination'];
  const apimatic = operation['x-pagination'];
  const mapped = isObject(speakeasy) ? fromSpeakeasy(speakeasy) : isObject(apimatic) ? fromApimatic(apimatic, parameters) : undefined;
  if (mapped === undefined) return undefined;
  if (typeof mapped === 'string') {
    report.notExpressible(subject, mapped);
    return undefined;
  }
  const declared = new Set(parameters.filter((p) => p.in !== 'body').map((p) => p.name));
  for (const key of ['limit', 'offset', 'page', 'cursor'] as const) {
    const name = mapped[key];
    if (name !== undefined && !declared.has(name)) {
      report.notExpressible(subject, `pagination names '${name}' as its ${key}, which is not a path, query or header parameter of the operation`);
      return undefined;
    }
  }
  return mapped;
}

function fromSpeakeasy(raw: Raw): PaginationModel | string {
  const inputs = (Array.isArray(raw.inputs) ? raw.inputs : []).filter(isObject);
  const outputs = isObject(raw.outputs) ? raw.outputs : {};
  const input = (role: string): string | undefined => {
    const found = inputs.find((i) => i.type === role);
    return found && found.in !== 'requestBody' ? String(found.name) : undefined;
  };
  if (inputs.some((i) => i.in === 'requestBody')) return 'x-speakeasy-pagination reads its inputs from the request body, which the pagination vocabulary cannot name';
  const items = typeof outputs.results === 'string' ? outputs.results : undefined;
  const limit = input('limit');
  switch (raw.type) {
    case 'offsetLimit': {
      const offset = input('offset');
      const page = input('page');
      if (offset !== undefined) return clean({ type: 'offset', offset, limit, items });
      if (page !== undefined) return clean({ type: 'page', page, limit, items });
      return 'x-speakeasy-pagination offsetLimit names neither an offset nor a page input';
    }
    case 'cursor': {
      const cursor = input('cursor');
      const nextCursor = typeof outputs.nextCursor === 'string' ? outputs.nextCursor : undefined;
      if (cursor === undefined || nextCursor === undefined) return 'x-speakeasy-pagination cursor needs a cursor input and a nextCursor output';
      return clean({ type: 'cursor', cursor, nextCursor, limit, items });
    }
    default:
      return `x-speakeasy-pagination type '${String(raw.type)}' has no equivalent (offset, page, cursor and Link-header pagination do)`;
  }
}

function fromApimatic(raw: Raw, parameters: ParameterModel[]): PaginationModel | string {
  const limit = parameters.find((p) => p.in === 'query' && LIMIT_NAMES.includes(p.name))?.name;
  for (const type of ['offset', 'page', 'cursor'] as const) {
    const entry = raw[type];
    if (!isObject(entry)) continue;
    const input = requestParameter(entry.input);
    if (input === undefined) return `x-pagination ${type}: input '${String(entry.input)}' is not a $request.query/header/path expression`;
    const items = responseBodyPath(entry.dataPath);
    if (type !== 'cursor') return clean({ type, [type]: input, limit, items });
    const nextCursor = responseBodyPath(entry.output);
    if (nextCursor === undefined) return `x-pagination cursor: output '${String(entry.output)}' is not a $response.body expression`;
    return clean({ type, cursor: input, nextCursor, limit, items });
  }
  if (isObject(raw.link)) {
    const next = String(raw.link.next ?? '');
    if (/^\$response\.header#\/link$/i.test(next) || /^\$response\.headers#\/link$/i.test(next)) return clean({ type: 'link', items: responseBodyPath(raw.link.dataPath) });
    return `x-pagination link: a next link in '${next}' has no equivalent (Link-header pagination does)`;
  }
  return `x-pagination names none of offset, page, cursor or link`;
}

/** `$request.query#/offset` → `offset`. */
function requestParameter(expression: unknown): string | undefined {
  const match = /^\$request\.(?:query|header|path)(?:\.([^#]+)|#\/(.+))$/.exec(String(expression ?? ''));
  return match ? decodeURIComponent(match[1] ?? match[2]) : undefined;
}

/** `$response.body#/data/items` → `$.data.items`; `$response.body` → `$`. */
function responseBodyPath(expression: unknown): string | undefined {
  if (typeof expression !== 'string') return undefined;
  const match = /^\$response\.body(?:#(.*))?$/.exec(expression);
  if (!match) return expression.startsWith('$.') || expression === '$' ? expression : undefined;
  return pointerToJsonPath(match[1] ?? '');
}

function clean(model: PaginationModel): PaginationModel {
  return Object.fromEntries(Object.entries(model).filter(([, v]) => v !== undefined)) as unknown as PaginationModel;
}
