/**
 * JSONPath expressions from capability files, compiled once at load. Almost every real expression is a
 * plain chain of member names and indexes (`$.`, `$.data.items[0].id`, `$.get-ship.name`); those are
 * walked directly, which costs a few nanoseconds per evaluation. Wildcards, recursive descent, filters,
 * slices and unions go to `jsonpath-plus` with its safe evaluator, so a capability file never runs code.
 */
import { JSONPath } from 'jsonpath-plus';
import type { CompiledPath } from '../compile/plan.js';

/** What {@link KeyPath.lookup} returns when the path selects nothing. */
export const NO_MATCH: unique symbol = Symbol('NO_MATCH');

/** A path made only of member names and indexes, which selects at most one node. */
export class KeyPath implements CompiledPath {
  readonly expression: string;
  /** Member names to follow from the root; array indexes are kept as their decimal string. */
  readonly keys: readonly string[];

  constructor(expression: string, keys: readonly string[]) {
    this.expression = expression;
    this.keys = keys;
  }

  /** The selected node, or {@link NO_MATCH}; unlike `evaluate` it allocates nothing. */
  lookup(document: unknown): unknown {
    const keys = this.keys;
    let node = document;
    for (let i = 0; i < keys.length; i++) {
      // Own properties only: `$.constructor` must not reach Object.prototype.
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, keys[i])) return NO_MATCH;
      node = (node as Record<string, unknown>)[keys[i]];
    }
    return node;
  }

  evaluate(document: unknown): unknown[] {
    const node = this.lookup(document);
    return node === NO_MATCH ? [] : [node];
  }
}

/** Library options shared by every evaluation. */
const LIBRARY_OPTIONS = {
  wrap: true,
  // The library's own expression interpreter: no `eval`, no `Function`, no access to `constructor`.
  eval: 'safe',
  // RFC 9535 semantics: a filter that reads a missing member (`@.a.b` where `a` is absent) is simply
  // false. Syntax errors are still thrown, and compileJsonPath surfaces them at load.
  ignoreEvalErrors: true,
} as const;

/**
 * Compiles a JSONPath expression. `$` and `$.` select the whole document; member chains such as
 * `$.a.b[0]`, `$['a b']` and `$.get-ship` are resolved without the library; everything else is
 * evaluated by `jsonpath-plus` in safe mode. Throws an `Error` naming the expression when it cannot be
 * valid (the loader turns it into a diagnostic with file and line).
 */
export function compileJsonPath(expression: string): CompiledPath {
  const path = expression.trim();
  if (!path.startsWith('$')) throw invalid(expression, "it must start with '$'");
  if (path.length > 1 && path[1] !== '.' && path[1] !== '[') throw invalid(expression, "'$' must be followed by '.' or '['");

  const keys = parseKeys(path);
  if (keys) return new KeyPath(expression, keys);

  checkBalanced(expression, path);
  probe(expression, path);
  return {
    expression,
    evaluate(document: unknown): unknown[] {
      // The library returns nothing useful for scalars and `undefined` for falsy documents.
      if (document === null || typeof document !== 'object') return [];
      return JSONPath<unknown[]>({ ...LIBRARY_OPTIONS, path, json: document });
    },
  };
}

/** Characters of a dot member name; anything else (`*`, `..`, `?(`, `~`, `^`, spaces) is left to the library. */
const NAME = /[^.[\]*?()'",~^\s\\]+/y;
const INDEX = /\[(\d+)\]/y;

/** The member names of a plain chain, or `undefined` when the path needs the library. */
function parseKeys(path: string): string[] | undefined {
  if (path === '$' || path === '$.') return [];
  const keys: string[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      NAME.lastIndex = i + 1;
      const name = NAME.exec(path);
      if (!name) return undefined;
      keys.push(name[0]);
      i = NAME.lastIndex;
    } else if (path[i] === '[' && (path[i + 1] === "'" || path[i + 1] === '"')) {
      const quote = path[i + 1];
      const end = path.indexOf(quote, i + 2);
      // Escapes and unions (`['a','b']`) are rare enough to leave to the library.
      if (end === -1 || path[end + 1] !== ']') return undefined;
      const name = path.slice(i + 2, end);
      if (name.includes('\\')) return undefined;
      keys.push(name);
      i = end + 2;
    } else {
      INDEX.lastIndex = i;
      const index = INDEX.exec(path);
      if (!index) return undefined;
      keys.push(index[1]);
      i = INDEX.lastIndex;
    }
  }
  return keys;
}

/** Rejects unclosed or stray brackets, parentheses and quotes, which the library would silently accept. */
function checkBalanced(expression: string, path: string): void {
  const open: string[] = [];
  let quote: string | undefined;
  for (const c of path) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '[' || c === '(') {
      open.push(c);
    } else if (c === ']' || c === ')') {
      const expected = c === ']' ? '[' : '(';
      if (open.pop() !== expected) throw invalid(expression, `unexpected '${c}'`);
    }
  }
  if (quote) throw invalid(expression, `unclosed ${quote} quote`);
  if (open.length > 0) throw invalid(expression, `unclosed '${open[open.length - 1]}'`);
}

/**
 * Makes the library parse every part of the expression now rather than at the first call: filter and
 * script expressions are only parsed when they meet a candidate node, so each one is run against an
 * empty object, and the whole path once against an empty document (catches e.g. `$..@bad`).
 */
function probe(expression: string, path: string): void {
  try {
    JSONPath({ ...LIBRARY_OPTIONS, path, json: {} });
    for (const segment of JSONPath.toPathArray(path)) {
      if (segment.startsWith('?(') || segment.startsWith('(')) JSONPath({ ...LIBRARY_OPTIONS, path: `$[${segment}]`, json: [{}] });
    }
  } catch (error) {
    throw invalid(expression, (error as Error).message);
  }
}

function invalid(expression: string, reason: string): Error {
  return new Error(`invalid JSONPath '${expression}': ${reason}`);
}
