/**
 * JSONPath expressions from capability files, compiled once at load, in three tiers:
 *
 * 1. A plain chain of member names and indexes (`$.`, `$.data.items[0].id`, `$['a b'][-1]`,
 *    `$.get-ship.name`) becomes a {@link KeyPath}, walked directly: a few nanoseconds per evaluation.
 * 2. Every other RFC 9535 expression is evaluated by our RFC 9535 evaluator (`./jsonpath/`): filters
 *    with strict comparisons, slices, unions, descendants and the functions `length`, `count`, `match`,
 *    `search` and `value`, type-checked at load.
 * 3. An expression the RFC does not have that uses one of jsonpath-plus's own extensions (script
 *    expressions, JavaScript in filters, `^`, `~`, `@property`, …) goes to jsonpath-plus's safe
 *    interpreter (`./jsonpath/legacy.ts`), with jsonpath-plus's meaning.
 *
 * Anything else is refused when the file loads, with the position of the error.
 */
import type { CompiledPath } from '../compile/plan.js';
import { compileQuery, followKeys, singularKeys } from './jsonpath/evaluate.js';
import { NOTHING } from './jsonpath/functions.js';
import { compileLegacyPath, usesExtension } from './jsonpath/legacy.js';
import { JsonPathSyntaxError, parseJsonPath, type Query } from './jsonpath/parse.js';

/** What {@link KeyPath.lookup} returns when the path selects nothing. */
export const NO_MATCH: typeof NOTHING = NOTHING;

/** A path made only of member names and indexes, which selects at most one node. */
export class KeyPath implements CompiledPath {
  readonly expression: string;
  /** What to follow from the root: member names as strings, array indexes as numbers (negative from the end). */
  readonly keys: ReadonlyArray<string | number>;

  constructor(expression: string, keys: ReadonlyArray<string | number>) {
    this.expression = expression;
    this.keys = keys;
  }

  /** The selected node, or {@link NO_MATCH}; unlike `evaluate` it allocates nothing. */
  lookup(document: unknown): unknown {
    return followKeys(document, this.keys);
  }

  evaluate(document: unknown): unknown[] {
    const node = followKeys(document, this.keys);
    return node === NO_MATCH ? [] : [node];
  }
}

/**
 * Compiles a JSONPath expression (surrounding whitespace ignored). RFC 9535 expressions have RFC
 * semantics; beyond the RFC, `$.` selects the whole document, dot member names may contain `-` and `:`
 * and start with `@`, `#` or `$` (`$.get-ship`, `$.user.@id`), and jsonpath-plus extensions keep
 * jsonpath-plus's meaning. Throws an `Error` naming the expression and the character where it is
 * invalid (the loader turns it into a diagnostic with file, line and column).
 */
export function compileJsonPath(expression: string): CompiledPath {
  const path = expression.trim();
  let query: Query;
  try {
    query = parseJsonPath(path, { lenientNames: true });
  } catch (error) {
    if (!(error instanceof JsonPathSyntaxError)) throw error;
    if (!usesExtension(path)) throw invalid(expression, error.message);
    try {
      return compileLegacyPath(expression, path);
    } catch (legacyError) {
      throw invalid(expression, `jsonpath-plus: ${(legacyError as Error).message} (not RFC 9535 either: ${error.message})`);
    }
  }
  const keys = singularKeys(query);
  if (keys) return new KeyPath(expression, keys);
  const evaluate = compileQuery(query);
  return { expression, evaluate: (document) => evaluate(document, document) };
}

function invalid(expression: string, reason: string): Error {
  return new Error(`invalid JSONPath '${expression}': ${reason}`);
}
