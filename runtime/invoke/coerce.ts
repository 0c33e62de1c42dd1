import type { ValueType } from '../types.js';
import { DECIMAL_TEXT } from '../util/vocabulary.js';
import { MAX_DEPTH, nestsDeeperThan } from '../util/depth.js';

/** A converted value, or what was expected instead. */
export type Coerced = { ok: true; value: unknown } | { ok: false; expected: string };

const INTEGER = /^\s*[-+]?\d+\s*$/;

/**
 * Converts a caller's value to a declared type. Values from a command line, a query string or a header
 * are text, so strings are read as numbers (decimal only: `0x10` is not 16), booleans (`true`/`false`)
 * and JSON containers; numbers and booleans become text for string parameters. A number that cannot be
 * represented exactly (an integer beyond 2^53) is refused rather than silently changed. Nothing else is
 * converted.
 */
export function coerce(type: ValueType | undefined, value: unknown): Coerced {
  switch (type) {
    case undefined:
      return nestsDeeperThan(value, MAX_DEPTH) ? { ok: false, expected: `a value nested at most ${MAX_DEPTH} levels deep` } : { ok: true, value };
    case 'string':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
        return { ok: false, expected: 'a string (this integer was rounded when it was read as a number: send it as a string)' };
      }
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, expected: 'a string' };
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && INTEGER.test(value) ? Number(value) : undefined;
      if (n === undefined || !Number.isInteger(n)) return { ok: false, expected: 'an integer' };
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, expected: 'an integer between -(2^53-1) and 2^53-1 (larger ones cannot be represented exactly)' };
    }
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? { ok: true, value } : { ok: false, expected: 'a finite number' };
      if (typeof value !== 'string' || !DECIMAL_TEXT.test(value)) return { ok: false, expected: 'a number' };
      const n = Number(value);
      if (!Number.isFinite(n)) return { ok: false, expected: 'a finite number' };
      if (INTEGER.test(value) && !Number.isSafeInteger(n)) return { ok: false, expected: 'a number that can be represented exactly (this integer is beyond 2^53)' };
      return { ok: true, value: n };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 'true' || value === 'false') return { ok: true, value: value === 'true' };
      return { ok: false, expected: 'a boolean (true or false)' };
    case 'object':
    case 'array': {
      let parsed = value;
      if (typeof value === 'string') {
        try {
          parsed = JSON.parse(value);
        } catch {
          return { ok: false, expected: type === 'object' ? 'a JSON object' : 'a JSON array' };
        }
      }
      if (type === 'array' ? !Array.isArray(parsed) : parsed === null || typeof parsed !== 'object') {
        // Generated files declare `type: object` for every body, even where the API takes an array.
        return { ok: false, expected: type === 'array' ? 'an array' : 'an object' };
      }
      return nestsDeeperThan(parsed, MAX_DEPTH) ? { ok: false, expected: `a value nested at most ${MAX_DEPTH} levels deep` } : { ok: true, value: parsed };
    }
  }
}

/** A short description of a value for error messages. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
