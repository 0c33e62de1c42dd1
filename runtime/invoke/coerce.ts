import type { ValueType } from '../types.js';

/** A converted value, or what was expected instead. */
export type Coerced = { ok: true; value: unknown } | { ok: false; expected: string };

const INTEGER = /^[-+]?\d+$/;

/**
 * Converts a caller's value to a declared type. Values from a command line, a query string or a header
 * are text, so strings are read as numbers, booleans (`true`/`false`) and JSON containers; numbers and
 * booleans become text for string parameters. Nothing else is converted.
 */
export function coerce(type: ValueType | undefined, value: unknown): Coerced {
  switch (type) {
    case undefined:
      return { ok: true, value };
    case 'string':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, expected: 'a string' };
    case 'integer':
      if (typeof value === 'number') return Number.isInteger(value) ? { ok: true, value } : { ok: false, expected: 'an integer' };
      if (typeof value === 'string' && INTEGER.test(value.trim())) return { ok: true, value: Number(value) };
      return { ok: false, expected: 'an integer' };
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? { ok: true, value } : { ok: false, expected: 'a finite number' };
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return { ok: true, value: Number(value) };
      return { ok: false, expected: 'a number' };
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
      if (type === 'array') return Array.isArray(parsed) ? { ok: true, value: parsed } : { ok: false, expected: 'an array' };
      // Generated files declare `type: object` for every body, even where the API takes an array.
      return parsed !== null && typeof parsed === 'object' ? { ok: true, value: parsed } : { ok: false, expected: 'an object' };
    }
  }
}

/** A short description of a value for error messages. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
