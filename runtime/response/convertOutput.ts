import type { ValueType } from '../types.js';
import { DECIMAL_TEXT } from '../util/vocabulary.js';

/** What {@link convertOutput} returns for a value its declared type cannot represent. */
export const NOT_CONVERTIBLE: unique symbol = Symbol('NOT_CONVERTIBLE');

/**
 * Gives an output value its declared type without losing information: strings holding numbers or
 * `true`/`false` become numbers or booleans (APIs, CSV and XML write them as text), numbers and
 * booleans become strings for `string`, an empty string is `null` for number/integer/boolean, `null`
 * stays `null`. An integer too large for a JavaScript number stays the exact string. An array where an
 * object is declared (or the reverse) passes, since generated files declare `object` for every root;
 * at the root (`$`) any value passes as `object`. Anything else is {@link NOT_CONVERTIBLE}: the caller
 * reports it (OUTPUT_INVALID), so no value is silently replaced.
 */
export function convertOutput(value: unknown, type: ValueType | undefined, root = false): unknown {
  if (type === undefined || value === null || value === undefined) return value ?? null;
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : NOT_CONVERTIBLE;
    case 'number':
    case 'integer': {
      const integer = type === 'integer';
      if (typeof value === 'number') return !integer || Number.isInteger(value) ? value : NOT_CONVERTIBLE;
      if (typeof value !== 'string') return NOT_CONVERTIBLE;
      // Empty CSV cells and XML elements mean "no value".
      if (value.trim() === '') return null;
      if (!DECIMAL_TEXT.test(value)) return NOT_CONVERTIBLE;
      const n = Number(value);
      if (integer && !Number.isInteger(n)) return NOT_CONVERTIBLE;
      // An id such as "12345678901234567890" would be rounded as a number; the exact string is worth more.
      return Number.isInteger(n) && !Number.isSafeInteger(n) && !/[.eE]/.test(value) ? value : n;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value !== 'string') return NOT_CONVERTIBLE;
      const word = value.trim().toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      return word === '' ? null : NOT_CONVERTIBLE;
    }
    case 'object':
    case 'array':
      if (typeof value === 'object') return value;
      return root && type === 'object' ? value : NOT_CONVERTIBLE;
  }
}

/** A short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value)}`;
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${String(value)}`;
}
