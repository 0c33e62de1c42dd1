/**
 * `pagination:` on an operation, compiled at load: the JSONPaths compiled, the input names checked
 * against the operation's declared parameters, the bound on pages set. Every mistake is a diagnostic
 * at the offending key.
 */
import { isObject } from '../util/isObject.js';
import { suggest } from '../util/suggest.js';
import { compileJsonPath } from '../response/jsonPath.js';
import type { CompiledPath, PaginationPlan, ParameterPlan } from './plan.js';
import { PAGINATION_TYPES, isOneOf, type PaginationType } from '../util/vocabulary.js';
import type { DiagnosticSink } from './diagnostics.js';

/** Pages one walk reads unless the file or the caller says otherwise: a walk is always bounded. */
const DEFAULT_MAX_PAGES = 1000;

/** The input names each style needs, and those it may use. */
const INPUTS: Record<PaginationType, { required: Array<keyof PaginationPlan>; optional: Array<keyof PaginationPlan> }> = {
  offset: { required: ['offset', 'limit'], optional: [] },
  page: { required: ['page'], optional: ['limit'] },
  cursor: { required: ['cursor'], optional: ['limit'] },
  link: { required: [], optional: ['limit'] },
};

/** What each input name holds, for messages. */
const MEANING: Record<string, string> = { limit: 'the page size', offset: 'the offset', page: 'the page number', cursor: 'the cursor' };

/** Compiles `raw`; undefined when there is none or it is unusable (the errors are in `sink`). */
export function compilePagination(raw: unknown, pointer: string, where: string, parameters: ParameterPlan[], sink: DiagnosticSink): PaginationPlan | undefined {
  if (!isObject(raw)) return undefined;
  const type = raw.type;
  if (!isOneOf(PAGINATION_TYPES, type)) {
    sink.error(`${pointer}/type`, `${where}: pagination type '${String(type)}' is not one of ${PAGINATION_TYPES.join(', ')}`);
    return undefined;
  }
  let ok = true;
  const path = (key: string, required: boolean): CompiledPath | undefined => {
    const value = raw[key];
    if (typeof value !== 'string') {
      if (required) {
        sink.error(pointer, `${where}: pagination type ${type} needs '${key}' (a JSONPath into the response)`);
        ok = false;
      }
      return undefined;
    }
    try {
      return compileJsonPath(value);
    } catch (error) {
      sink.error(`${pointer}/${key}`, `${where}: pagination.${key}: ${(error as Error).message}`);
      ok = false;
      return undefined;
    }
  };

  const items = path('items', true);
  const plan: Partial<PaginationPlan> = { type, items };
  const declared = parameters.filter((p) => !p.implicit).map((p) => p.name);
  const { required, optional } = INPUTS[type];
  for (const key of [...required, ...optional]) {
    const name = raw[key];
    if (name === undefined) {
      if (required.includes(key)) {
        sink.error(pointer, `${where}: pagination type ${type} needs '${key}' (the input parameter holding ${MEANING[key]})`);
        ok = false;
      }
      continue;
    }
    if (typeof name !== 'string' || !declared.includes(name)) {
      const hint = typeof name === 'string' ? suggest(name, declared) : [];
      const known = declared.length > 0 ? `inputs: ${declared.join(', ')}` : 'the operation declares no inputs';
      sink.error(`${pointer}/${key}`, `${where}: pagination.${key} names '${String(name)}', which is not a declared input parameter (${hint.length > 0 ? `did you mean '${hint[0]}'? ` : ''}${known})`);
      ok = false;
      continue;
    }
    Object.assign(plan, { [key]: name });
  }
  if (type === 'cursor') plan.nextCursor = path('nextCursor', true);
  if (type === 'link') plan.next = path('next', false);
  plan.hasMore = path('hasMore', false);
  plan.total = path('total', false);
  plan.maxPages = typeof raw.maxPages === 'number' && Number.isInteger(raw.maxPages) && raw.maxPages >= 1 ? raw.maxPages : DEFAULT_MAX_PAGES;
  if (!ok) return undefined;
  // `undefined` members stay out of the plan, which is plain data.
  return Object.fromEntries(Object.entries(plan).filter(([, v]) => v !== undefined)) as unknown as PaginationPlan;
}
