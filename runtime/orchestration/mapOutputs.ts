/**
 * Output parameters of exposed units. Simple and mock mode declare `MappedOutputParameter`s (a JSONPath
 * `mapping`, nested `properties`/`items`, or a static/mustache `value`); orchestrated mode declares
 * named, typed outputs filled by `mappings` and shaped here to their declared types.
 */
import { OutputError, type ValueType } from '../index.js';
import { NOT_CONVERTIBLE, compileJsonPath, convertOutput, describeValue, type CompiledPath, type DiagnosticSink } from '../internal.js';
import { isObject } from '../util/isObject.js';
import { escapeToken } from '../util/jsonPointer.js';
import { compileMustache, select, stripMustache, type Scope, type ValueContext } from './values.js';

type Raw = Record<string, unknown>;

/** What a mapping runs with besides the document it maps. */
export interface MapContext {
  scope: Scope;
  /**
   * The document came from XML. This runtime keeps the document element (`{ vessels: { vessel: [...] } }`)
   * where the reference engine drops it, and the examples are written for the latter.
   */
  xml: boolean;
}

/** Maps a step output (or nothing, in mock mode) to the unit's result. */
export type OutputMapper = (document: unknown, ctx: MapContext) => unknown;

type NodeMapper = (node: unknown, ctx: MapContext, top: boolean) => unknown;


/**
 * Compiles simple/mock-mode output parameters. Named parameters (the mock example) give an object
 * keyed by name; unnamed ones (the usual `type` + `mapping`) give the first value that is not null,
 * as the reference engine does.
 */
export function compileMappedOutputs(list: unknown[], pointer: string, sink: DiagnosticSink, values: ValueContext): OutputMapper {
  const entries = list.map((raw, i) => {
    const name = isObject(raw) && typeof raw.name === 'string' ? raw.name : undefined;
    return { name, map: compileNode(isObject(raw) ? raw : {}, `${pointer}/${i}`, name ?? 'output', sink, values) };
  });
  const named = entries.filter((e) => e.name !== undefined);
  if (named.length > 0) return (document, ctx) => Object.fromEntries(named.map((e) => [e.name, e.map(document, ctx, true)]));
  return (document, ctx) => {
    for (const entry of entries) {
      const value = entry.map(document, ctx, true);
      if (value !== null && value !== undefined) return value;
    }
    return null;
  };
}

/**
 * Compiles orchestrated-mode output parameters into a function that shapes the object assembled by
 * `mappings`: every declared output is present (null when unmapped) and given its declared type;
 * mapped names that are not declared are kept.
 */
export function compileOrchestratedOutputs(list: unknown[], operation: string): (assembled: Record<string, unknown>) => Record<string, unknown> {
  const declared = list.filter(isObject).filter((p) => typeof p.name === 'string');
  return (assembled) => {
    const shaped = { ...assembled };
    for (const param of declared) shaped[param.name as string] = shape(param, assembled[param.name as string], param.name as string, operation);
    return shaped;
  };
}

/**
 * Gives a mapped value its declared type with the runtime's one rule for outputs (`convertOutput`); a
 * value the type cannot represent is OUTPUT_INVALID naming the output, never silently replaced.
 */
function typed(value: unknown, type: unknown, output: string, operation: string): unknown {
  if (value === undefined || value === null) return null;
  const converted = convertOutput(value, typeof type === 'string' ? (type as ValueType) : undefined);
  if (converted !== NOT_CONVERTIBLE) return converted;
  throw new OutputError(`${operation}: output '${output}' is declared ${String(type)} but the value is ${describeValue(value)}`, { operation, output });
}

function compileNode(raw: Raw, at: string, output: string, sink: DiagnosticSink, values: ValueContext): NodeMapper {
  const type = raw.type;
  const operation = values.operation;
  if (raw.value !== undefined) {
    const render = typeof raw.value === 'string' ? compileMustache(raw.value, values) : () => raw.value;
    return (_node, ctx) => typed(render(ctx.scope), type, output, operation);
  }
  let path: CompiledPath | undefined;
  if (typeof raw.mapping === 'string') {
    try {
      path = compileJsonPath(stripMustache(raw.mapping));
    } catch (error) {
      sink.error(`${at}/mapping`, (error as Error).message);
    }
  }
  // The schema (unlike the spec's prose) puts `properties`/`items` beside `mapping`, not inside it.
  const { properties, items } = raw;

  if (type === 'object' && isObject(properties)) {
    const children = Object.entries(properties).map(
      ([key, child]) => [key, compileNode(isObject(child) ? child : {}, `${at}/properties/${escapeToken(key)}`, `${output}.${key}`, sink, values)] as const,
    );
    return (node, ctx, top) => {
      const base = path ? pick(path, node, ctx, top, false) : node;
      if (base === null || typeof base !== 'object') return null;
      return Object.fromEntries(children.map(([key, child]) => [key, child(base, ctx, false)]));
    };
  }
  if (type === 'array') {
    const item = isObject(items) ? compileNode(items, `${at}/items`, `${output}[]`, sink, values) : undefined;
    return (node, ctx, top) => {
      const list = asArray(path ? pick(path, node, ctx, top, true) : node, ctx.xml);
      if (list === null) return null;
      return item ? list.map((element) => item(element, ctx, false)) : list;
    };
  }
  return (node, ctx, top) => typed(path ? pick(path, node, ctx, top, false) : node, type, output, operation);
}

/**
 * Selects from a node. At the top of an XML document a path that finds nothing is tried again below
 * the document element, which is what the reference engine's root sees (`$.vessel` on `<vessels>`).
 */
function pick(path: CompiledPath, node: unknown, ctx: MapContext, top: boolean, many: boolean): unknown {
  const value = select(path, node, many);
  const missed = value === undefined || (Array.isArray(value) && many && value.length === 0);
  if (!missed || !top || !ctx.xml) return value;
  const element = onlyMember(node);
  return element === undefined ? value : select(path, element, many);
}

/**
 * The list an `array` output maps over. A single value is a one-item list. In XML, wrapper elements
 * (`{ vessels: { vessel: [...] } }`) are unwrapped down to the repeated element.
 */
function asArray(value: unknown, xml: boolean): unknown[] | null {
  if (value === undefined || value === null) return null;
  let node = value;
  while (xml && !Array.isArray(node)) {
    const inner = onlyMember(node);
    if (inner === undefined || inner === null || typeof inner !== 'object') break;
    node = inner;
  }
  return Array.isArray(node) ? node : [node];
}

/** The value of an object's only member, or undefined. */
function onlyMember(node: unknown): unknown {
  if (!isObject(node)) return undefined;
  const keys = Object.keys(node);
  return keys.length === 1 ? node[keys[0]] : undefined;
}

function shape(param: Raw, value: unknown, output: string, operation: string): unknown {
  if (value === undefined || value === null) return null;
  if (param.type === 'object' && isObject(param.properties)) {
    if (!isObject(value)) return typed(value, 'object', output, operation);
    const out: Raw = { ...value };
    for (const [key, child] of Object.entries(param.properties)) out[key] = isObject(child) ? shape(child, value[key], `${output}.${key}`, operation) : value[key];
    return out;
  }
  if (param.type === 'array') {
    const list = Array.isArray(value) ? value : [value];
    // step-7 declares `items` as a list of named fields: each item is an object with those fields.
    const item = Array.isArray(param.items)
      ? { type: 'object', properties: Object.fromEntries(param.items.filter(isObject).map((f) => [String(f.name), f])) }
      : param.items;
    return isObject(item) ? list.map((element) => shape(item, element, `${output}[]`, operation)) : list;
  }
  return typed(value, param.type, output, operation);
}

