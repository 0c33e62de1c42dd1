/**
 * Expressions written for jsonpath-plus with its own extensions, which RFC 9535 does not have: script
 * expressions `[(@.length-1)]`, JavaScript in filters (`===`, `!==`, method calls, regex literals),
 * `@property`/`@parent`/`@path`/`@root` and type selectors such as `@string()`, the parent `^` and the
 * property-name `~` operators. They keep jsonpath-plus's meaning (JavaScript comparisons and
 * truthiness), evaluated by its safe interpreter: a capability file never runs code. The library is
 * loaded on first use, as almost no file needs it.
 */
import type { JSONPath as JsonPathPlus } from 'jsonpath-plus';
import type { CompiledPath } from '../../compile/plan.js';
import { lazyModule } from '../../util/lazyModule.js';

const NAMED_TOKENS = ['property', 'parentProperty', 'parent', 'path', 'root'];
const TYPE_SELECTORS = ['scalar', 'boolean', 'number', 'string', 'integer', 'null', 'array', 'object', 'undefined', 'function', 'nonFinite', 'other'];
/** A jsonpath-plus extension outside string literals (which {@link usesExtension} blanks out first). */
const EXTENSION = new RegExp(
  [
    '\\[\\s*\\(', // script expression
    '===|!==',
    `@(?:${NAMED_TOKENS.join('|')})(?![\\w$])`,
    `@(?:${TYPE_SELECTORS.join('|')})\\(\\)`,
    '[\\^~]',
    '\\.[A-Za-z_$][\\w$]*\\(', // method call
    '/', // regex literal
  ].join('|'),
);

/** Library options shared by every evaluation. */
const OPTIONS = {
  wrap: true,
  // The library's own expression interpreter: no `eval`, no `Function`, no access to `constructor`.
  eval: 'safe',
  // A filter that reads a missing member (`@.a.b` where `a` is absent) is simply false. Syntax errors
  // are still thrown, and compileLegacyPath surfaces them at load.
  ignoreEvalErrors: true,
} as const;

const library = lazyModule<{ JSONPath: typeof JsonPathPlus }>('jsonpath-plus');

/** True when `path` uses one of jsonpath-plus's own extensions (see the module comment). */
export function usesExtension(path: string): boolean {
  return EXTENSION.test(path.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''"));
}

/**
 * Compiles a jsonpath-plus expression. Throws an `Error` (the reason only) when the library would
 * refuse it or silently accept a broken one: unbalanced brackets, parentheses or quotes, and script
 * parts that do not parse.
 */
export function compileLegacyPath(expression: string, path: string): CompiledPath {
  checkBalanced(path);
  probe(path);
  return {
    expression,
    evaluate(document: unknown): unknown[] {
      // The library returns nothing useful for scalars and `undefined` for falsy documents.
      if (document === null || typeof document !== 'object') return [];
      return library().JSONPath<unknown[]>({ ...OPTIONS, path, json: document });
    },
  };
}

function checkBalanced(path: string): void {
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
      if (open.pop() !== expected) throw new Error(`unexpected '${c}'`);
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (open.length > 0) throw new Error(`unclosed '${open[open.length - 1]}'`);
}

/**
 * Makes the library parse every part of the expression now rather than at the first call: filter and
 * script expressions are only parsed when they meet a candidate node, so each one is run against an
 * empty object, and the whole path once against `[{}]`.
 */
function probe(path: string): void {
  const JSONPath = library().JSONPath;
  JSONPath({ ...OPTIONS, path, json: [{}] });
  for (const segment of JSONPath.toPathArray(path)) {
    if (segment.startsWith('?(') || segment.startsWith('(')) JSONPath({ ...OPTIONS, path: `$[${segment}]`, json: [{}] });
  }
}
