/**
 * The function extensions of RFC 9535 §2.4: their declared types, which the parser checks at compile
 * time (§2.4.3, well-typedness), and what they compute.
 */
import { iRegexp } from './iRegexp.js';

/** The three types of the RFC's type system: one JSON value or Nothing, true/false, a nodelist. */
export type ExpressionType = 'value' | 'logical' | 'nodes';

/** What a ValueType expression yields when there is no value (an empty nodelist, a wrong argument). */
export const NOTHING: unique symbol = Symbol('NOTHING');

/** A function extension: parameter and result types and its implementation. */
export interface FunctionExtension {
  parameters: readonly ExpressionType[];
  result: ExpressionType;
  /** Arguments arrive converted to the parameter types: a value or NOTHING, a boolean, a nodelist. */
  call(args: unknown[]): unknown;
}

export const FUNCTIONS: Readonly<Record<string, FunctionExtension>> = {
  length: { parameters: ['value'], result: 'value', call: ([value]) => length(value) },
  count: { parameters: ['nodes'], result: 'value', call: ([nodes]) => (nodes as unknown[]).length },
  match: { parameters: ['value', 'value'], result: 'logical', call: ([value, pattern]) => regexpTest(value, pattern, true) },
  search: { parameters: ['value', 'value'], result: 'logical', call: ([value, pattern]) => regexpTest(value, pattern, false) },
  value: {
    parameters: ['nodes'],
    result: 'value',
    call: ([nodes]) => ((nodes as unknown[]).length === 1 ? (nodes as unknown[])[0] : NOTHING),
  },
};

/** Characters (Unicode scalar values, not UTF-16 units) of a string, items of an array, members of an object. */
function length(value: unknown): number | typeof NOTHING {
  if (typeof value === 'string') {
    let count = 0;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      // The second half of a surrogate pair does not count again.
      if (code < 0xdc00 || code > 0xdfff || i === 0 || value.charCodeAt(i - 1) < 0xd800 || value.charCodeAt(i - 1) > 0xdbff) count++;
    }
    return count;
  }
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return NOTHING;
}

function regexpTest(value: unknown, pattern: unknown, whole: boolean): boolean {
  if (typeof value !== 'string' || typeof pattern !== 'string') return false;
  const regexp = iRegexp(pattern, whole);
  return regexp !== null && regexp.test(value);
}
