/**
 * Aggregate functions (spec 3.4.5): adapter units that say `ref: namespace.function` inherit the
 * function's fields, their own fields winning, and MCP hints derived from its `semantics`.
 */
import type { DiagnosticSink } from '../internal.js';
import { isObject } from '../util/isObject.js';
import type { ToolHints } from './types.js';

type Raw = Record<string, unknown>;

/** One function of an aggregate, with where it is written. */
export interface AggregateFunction {
  /** The aggregate's namespace. */
  namespace: string;
  raw: Raw;
  pointer: string;
}

/** A unit after its `ref` is resolved. */
export interface ResolvedUnit {
  /** The function's fields under the unit's own. */
  unit: Raw;
  /** JSON pointer of a field, in the unit when it writes it, otherwise in the function. */
  at: (field: string) => string;
  /** The referenced function, when there is one. */
  from?: AggregateFunction;
  /** Hints from the function's semantics under the unit's explicit `hints`. */
  hints?: ToolHints;
}

/** Indexes every aggregate function as `namespace.name`. */
export function collectFunctions(aggregates: unknown, sink: DiagnosticSink): Map<string, AggregateFunction> {
  const functions = new Map<string, AggregateFunction>();
  if (!Array.isArray(aggregates)) return functions;
  aggregates.forEach((aggregate: unknown, a) => {
    if (!isObject(aggregate) || typeof aggregate.namespace !== 'string' || !Array.isArray(aggregate.functions)) return;
    const namespace = aggregate.namespace;
    aggregate.functions.forEach((fn: unknown, f) => {
      if (!isObject(fn) || typeof fn.name !== 'string') return;
      const pointer = `/capability/aggregates/${a}/functions/${f}`;
      const key = `${namespace}.${fn.name}`;
      if (functions.has(key)) sink.error(`${pointer}/name`, `aggregate function '${key}' is declared twice`);
      else functions.set(key, { namespace, raw: fn, pointer });
    });
  });
  return functions;
}

/** Resolves a unit's `ref`, if any; an unknown ref is an error at the ref. */
export function resolveRef(raw: Raw, pointer: string, functions: Map<string, AggregateFunction>, sink: DiagnosticSink): ResolvedUnit {
  const own = (field: string) => `${pointer}/${field}`;
  const explicit = isObject(raw.hints) ? toHints(raw.hints) : undefined;
  if (typeof raw.ref !== 'string') return { unit: raw, at: own, ...(explicit ? { hints: explicit } : {}) };
  const from = functions.get(raw.ref);
  if (!from) {
    const known = [...functions.keys()];
    sink.error(own('ref'), `ref '${raw.ref}' names no aggregate function${known.length > 0 ? ` (functions: ${known.join(', ')})` : ''}`);
    return { unit: raw, at: own, ...(explicit ? { hints: explicit } : {}) };
  }
  const { ref: _ref, ...fields } = raw;
  const unit: Raw = { ...from.raw, ...fields };
  const derived = isObject(from.raw.semantics) ? semanticsHints(from.raw.semantics) : undefined;
  const hints = derived || explicit ? { ...derived, ...explicit } : undefined;
  return { unit, at: (field) => (field in raw ? own(field) : `${from.pointer}/${field}`), from, ...(hints ? { hints } : {}) };
}

/**
 * Semantics → MCP hints (spec 3.4.5.3): `safe: true` → readOnly, not destructive; otherwise not
 * readOnly; `idempotent` as is; `cacheable` and `openWorld` are not derived.
 */
function semanticsHints(semantics: Raw): ToolHints {
  const hints: ToolHints = semantics.safe === true ? { readOnly: true, destructive: false } : { readOnly: false };
  if (typeof semantics.idempotent === 'boolean') hints.idempotent = semantics.idempotent;
  return hints;
}

function toHints(raw: Raw): ToolHints {
  const hints: ToolHints = {};
  for (const key of ['readOnly', 'destructive', 'idempotent', 'openWorld'] as const) if (typeof raw[key] === 'boolean') hints[key] = raw[key] as boolean;
  return hints;
}

