/**
 * Output parameters: each compiled JSONPath is run against the parsed response and its value given the
 * declared type. This runs on every call, so simple paths are walked without the JSONPath library and
 * nothing is allocated beyond the result.
 */
import { NaftikoError, OutputError } from '../errors.js';
import type { OutputPlan, ValueType } from '../types.js';
import { KeyPath, NO_MATCH } from './jsonPath.js';

const INVALID: unique symbol = Symbol('INVALID');

/** A decimal number as APIs write it in strings (CSV, XML, query-style JSON). */
const NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/**
 * Extracts the outputs of an operation from its parsed response.
 *
 * A path that matches one node gives that node, several give an array (the declared type then applies
 * to each item, as in `type: string` with `$.items[*].email`), none gives `null`. With no outputs
 * declared the whole document is returned as `result`.
 *
 * Declared types convert without loss: strings holding numbers or `true`/`false` become numbers or
 * booleans, numbers and booleans become strings for `string`, an empty string is `null` for
 * number/integer/boolean, `null` stays `null`. Anything else throws `OutputError` (OUTPUT_INVALID).
 */
export function extractOutputs(outputs: OutputPlan[], document: unknown, operation: string): Record<string, unknown> {
  if (outputs.length === 0) return { result: document };
  const result: Record<string, unknown> = {};
  for (let i = 0; i < outputs.length; i++) {
    const output = outputs[i];
    const path = output.path;
    if (path instanceof KeyPath) {
      const node = path.lookup(document);
      result[output.name] = node === NO_MATCH ? null : typed(node, output, path.keys.length === 0, operation);
      continue;
    }
    let matches: unknown[];
    try {
      matches = path.evaluate(document);
    } catch (error) {
      if (error instanceof NaftikoError) throw error;
      throw new OutputError(`${operation}: output '${output.name}': JSONPath '${path.expression}' failed: ${(error as Error).message}`, {
        operation,
        output: output.name,
      });
    }
    if (matches.length === 0) result[output.name] = null;
    else if (matches.length === 1) result[output.name] = typed(matches[0], output, false, operation);
    else if (output.type === undefined || output.type === 'array' || output.type === 'object') result[output.name] = matches;
    else result[output.name] = matches.map((match, m) => typed(match, output, false, operation, ` match ${m + 1} of ${matches.length}`));
  }
  return result;
}

function typed(value: unknown, output: OutputPlan, root: boolean, operation: string, position = ''): unknown {
  if (output.type === undefined || value === null) return value;
  const converted = convert(value, output.type, root);
  if (converted !== INVALID) return converted;
  throw new OutputError(`${operation}: output '${output.name}' is declared ${output.type} but${position || ' the value'} is ${describe(value)}`, {
    operation,
    output: output.name,
  });
}

function convert(value: unknown, type: ValueType, root: boolean): unknown {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : INVALID;
    case 'number':
    case 'integer': {
      const integer = type === 'integer';
      if (typeof value === 'number') return !integer || Number.isInteger(value) ? value : INVALID;
      if (typeof value !== 'string') return INVALID;
      // Empty CSV cells and XML elements mean "no value".
      if (value.trim() === '') return null;
      if (!NUMBER.test(value)) return INVALID;
      const n = Number(value);
      if (integer && !Number.isInteger(n)) return INVALID;
      // An id such as "12345678901234567890" would be rounded as a number; the exact string is worth more.
      return Number.isInteger(n) && !Number.isSafeInteger(n) && !/[.eE]/.test(value) ? value : n;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value !== 'string') return INVALID;
      const word = value.trim().toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      return word === '' ? null : INVALID;
    }
    case 'object':
    case 'array':
      // An array where an object is declared (or the reverse) passes: generated files declare `object`
      // for every root, whatever the API returns.
      if (typeof value === 'object') return value;
      // Same reason for the root (`$`, `$.`): some APIs answer a bare string or number.
      return root && type === 'object' ? value : INVALID;
  }
}

/** A short description of a value for error messages. */
function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`;
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${String(value)}`;
}
