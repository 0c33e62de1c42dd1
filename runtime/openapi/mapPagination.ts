/**
 * Pagination hints of an OpenAPI operation → the capability's `pagination:`, in one place. The first
 * hint found is read:
 * - `x-naftiko-pagination`: the capability's own block, as `naftiko export openapi` writes it;
 * - Speakeasy's `x-speakeasy-pagination` (`offsetLimit` with an offset or a page input, `cursor`, and
 *   `url`: the next page's URL in the body);
 * - APIMatic's `x-pagination` (`offset`, `page`, `cursor`, `link`, with runtime expressions such as
 *   `$request.query#/offset` and `$response.body#/data`).
 *
 * What the runtime needs and a hint leaves out is taken from the document where it is unambiguous (the
 * records: the only array of the 2xx JSON schema; the page size: a query parameter with a usual name),
 * with a note. Otherwise the operation is imported without pagination, and the report gives the block
 * to complete by hand: an imported file always loads without warnings.
 */
import type { PaginationModel, ParameterModel } from './model.js';
import { deref, isObject, jsonPathProblems, keysToJsonPath, objectAt, pointerToJsonPath, unknownKeys, type Raw } from './document.js';
import type { ParameterContext } from './mapParameters.js';
import { successJsonSchema } from './mapResponse.js';

/** Common names of the page-size parameter, for hints that do not name it. */
const LIMIT_NAMES = ['limit', 'page_size', 'pageSize', 'per_page', 'perPage', 'size', 'count', 'max_results', 'maxResults'];

const TYPES = ['offset', 'page', 'cursor', 'link'] as const;
type Draft = Partial<PaginationModel> & { type: PaginationModel['type'] };

/** What each style needs besides `items`: input names, then JSONPaths. */
const NEEDS: Record<PaginationModel['type'], Array<keyof PaginationModel>> = {
  offset: ['offset', 'limit'],
  page: ['page'],
  cursor: ['cursor', 'nextCursor'],
  link: [],
};
const INPUT_KEYS = ['limit', 'offset', 'page', 'cursor'] as const;
const PATH_KEYS = ['items', 'nextCursor', 'next', 'hasMore', 'total'] as const;

/** The pagination of `operation`, or undefined when it declares none or one that cannot be written (reported). */
export function mapPagination(operation: Raw, parameters: ParameterModel[], ctx: ParameterContext): PaginationModel | undefined {
  const notes: string[] = [];
  const hint = readHint(operation, notes);
  if (hint === undefined) return undefined;
  const { source, draft } = hint;
  if (typeof draft === 'string') {
    ctx.report.notExpressible(ctx.subject, `${source}: ${draft}; the operation is imported without pagination`);
    return undefined;
  }
  const inputs = parameters.filter((p) => p.in !== 'body' && p.value === undefined).map((p) => p.name);
  if (draft.items === undefined) {
    const items = itemsOfSchema(successJsonSchema(operation, ctx.document), ctx);
    if (items !== undefined) {
      draft.items = items;
      ctx.report.note(ctx.subject, `${source} does not say where the records are: read from ${items}, the only array of the response`);
    }
  }
  if (draft.limit === undefined && draft.type !== 'link') {
    const limit = parameters.find((p) => p.in === 'query' && LIMIT_NAMES.includes(p.name))?.name;
    if (limit !== undefined) {
      draft.limit = limit;
      ctx.report.note(ctx.subject, `${source} does not name the page size: query parameter '${limit}' is taken as the limit`);
    }
  }
  const problems = check(draft, inputs);
  if (problems.length > 0) {
    ctx.report.notExpressible(ctx.subject, `${source}: ${problems.join('; ')}; the operation is imported without pagination: add \`pagination: ${JSON.stringify(withPlaceholders(draft))}\` once completed`);
    return undefined;
  }
  for (const note of notes) ctx.report.note(ctx.subject, `${source}: ${note}`);
  return written(draft as PaginationModel);
}

/** The block in the order the README writes it: the style, the records, the inputs, the other paths. */
function written(pagination: PaginationModel): PaginationModel {
  const keys = ['type', 'items', 'offset', 'page', 'cursor', 'limit', 'nextCursor', 'next', 'hasMore', 'total', 'maxPages'] as const;
  return Object.fromEntries(keys.filter((k) => pagination[k] !== undefined).map((k) => [k, pagination[k]])) as unknown as PaginationModel;
}

/** The first hint of `operation`; what it says that pagination has no key for goes to `notes`. */
function readHint(operation: Raw, notes: string[]): { source: string; draft: Draft | string } | undefined {
  if (isObject(operation['x-naftiko-pagination'])) return { source: 'x-naftiko-pagination', draft: fromNaftiko(operation['x-naftiko-pagination']) };
  if (isObject(operation['x-speakeasy-pagination'])) return { source: 'x-speakeasy-pagination', draft: fromSpeakeasy(operation['x-speakeasy-pagination'], notes) };
  if (isObject(operation['x-pagination'])) return { source: 'x-pagination', draft: fromApimatic(operation['x-pagination']) };
  return undefined;
}

/** The capability's own vocabulary: known keys copied, nothing else. */
function fromNaftiko(raw: Raw): Draft | string {
  if (!TYPES.includes(raw.type as Draft['type'])) return `type '${String(raw.type)}' is not one of ${TYPES.join(', ')}`;
  const draft: Draft = { type: raw.type as Draft['type'] };
  for (const key of [...INPUT_KEYS, ...PATH_KEYS]) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== 'string') return `${key} is not a string`;
    draft[key] = raw[key];
  }
  if (raw.maxPages !== undefined) {
    if (!Number.isInteger(raw.maxPages) || (raw.maxPages as number) < 1) return 'maxPages is not a positive integer';
    draft.maxPages = raw.maxPages as number;
  }
  return unknownKeys(raw, ['type', 'maxPages', ...INPUT_KEYS, ...PATH_KEYS]) ?? draft;
}

function fromSpeakeasy(raw: Raw, notes: string[]): Draft | string {
  const inputs = (Array.isArray(raw.inputs) ? raw.inputs : []).filter(isObject);
  const outputs = isObject(raw.outputs) ? raw.outputs : {};
  if (outputs.numPages !== undefined) notes.push('outputs.numPages has no equivalent: the walk ends on a short or empty page, or after maxPages');
  if (inputs.some((i) => i.in === 'requestBody')) return 'its inputs are in the request body, where pagination cannot name them (it names input parameters)';
  const input = (role: string): string | undefined => {
    const found = inputs.find((i) => i.type === role);
    return found === undefined ? undefined : String(found.name);
  };
  const output = (name: string): string | undefined => (typeof outputs[name] === 'string' ? outputs[name] : undefined);
  const common = { items: output('results'), limit: input('limit') };
  switch (raw.type) {
    case 'offsetLimit': {
      const page = input('page');
      return clean(page !== undefined && input('offset') === undefined ? { type: 'page', page, ...common } : { type: 'offset', offset: input('offset'), ...common });
    }
    case 'cursor':
      return clean({ type: 'cursor', cursor: input('cursor'), nextCursor: output('nextCursor'), ...common });
    case 'url':
      if (output('nextUrl') === undefined) return "type url names no 'nextUrl' output";
      return clean({ type: 'link', next: output('nextUrl'), ...common });
    default:
      return `type '${String(raw.type)}' has no equivalent (offsetLimit, cursor and url do)`;
  }
}

function fromApimatic(raw: Raw): Draft | string {
  for (const type of ['offset', 'page', 'cursor'] as const) {
    const entry = raw[type];
    if (!isObject(entry)) continue;
    const input = requestParameter(entry.input);
    if (input === undefined) return `${type}: input '${String(entry.input)}' is not a $request.query/header/path expression`;
    const items = responseBodyPath(entry.dataPath);
    if (type !== 'cursor') return clean({ type, [type]: input, items });
    const nextCursor = responseBodyPath(entry.output);
    if (nextCursor === undefined) return `cursor: output '${String(entry.output)}' is not a $response.body expression`;
    return clean({ type, cursor: input, nextCursor, items });
  }
  if (isObject(raw.link)) {
    const next = String(raw.link.next ?? '');
    const items = responseBodyPath(raw.link.dataPath);
    if (/^\$response\.headers?#\/link$/i.test(next)) return clean({ type: 'link', items });
    const inBody = responseBodyPath(next);
    if (inBody !== undefined) return clean({ type: 'link', next: inBody, items });
    return `link: next '${next}' is neither the Link header nor a $response.body expression`;
  }
  return 'names none of offset, page, cursor or link';
}

/** What keeps the draft from loading: a missing key, an undeclared input, a JSONPath that does not compile. */
function check(draft: Draft, inputs: string[]): string[] {
  const problems: string[] = [];
  if (draft.items === undefined) problems.push('no JSONPath to the records (items), and the 2xx schema has no single array');
  for (const key of NEEDS[draft.type]) if (draft[key] === undefined) problems.push(`type ${draft.type} needs ${key}`);
  for (const key of INPUT_KEYS) {
    const name = draft[key];
    if (name !== undefined && !inputs.includes(name)) problems.push(`${key} names '${name}', which is not a path, query, header or cookie parameter of the operation`);
  }
  problems.push(...jsonPathProblems(draft, PATH_KEYS));
  return problems;
}

/** The records of a response whose schema is an array (`$`) or an object with exactly one array property. */
function itemsOfSchema(schema: unknown, ctx: ParameterContext): string | undefined {
  if (schema === undefined) return undefined;
  if (ctx.schemas.typeOf(schema) === 'array') return '$';
  const properties = objectAt(deref(ctx.document, schema), 'properties');
  const arrays = Object.keys(properties).filter((name) => ctx.schemas.typeOf(properties[name]) === 'array');
  return arrays.length === 1 ? keysToJsonPath(arrays) : undefined;
}

/** The draft as the block to complete, a placeholder for each missing key. */
function withPlaceholders(draft: Draft): Raw {
  const block: Raw = { ...draft };
  if (block.items === undefined) block.items = '<JSONPath to the records>';
  for (const key of NEEDS[draft.type]) block[key] ??= key === 'nextCursor' ? '<JSONPath to the next cursor>' : `<input parameter holding the ${key}>`;
  return block;
}

/** `$request.query#/offset` → `offset`. */
function requestParameter(expression: unknown): string | undefined {
  const match = /^\$request\.(?:query|header|path)(?:\.([^#]+)|#\/(.+))$/.exec(String(expression ?? ''));
  return match ? decodeURIComponent(match[1] ?? match[2]) : undefined;
}

/** `$response.body#/data/items` → `$.data.items`; `$response.body` → `$`; a JSONPath is kept. */
function responseBodyPath(expression: unknown): string | undefined {
  if (typeof expression !== 'string') return undefined;
  const match = /^\$response\.body(?:#(.*))?$/.exec(expression);
  if (!match) return expression.startsWith('$.') || expression === '$' ? expression : undefined;
  return pointerToJsonPath(match[1] ?? '');
}

function clean(draft: Draft): Draft {
  return Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined)) as Draft;
}
