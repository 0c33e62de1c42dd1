/**
 * Request validation that reproduces FastAPI/pydantic v2 error bodies, so that clients see the same
 * 422 `{"detail":[{type, loc, msg, input, ctx?}]}` they would get from the real Junction API.
 * Handlers read path parameters, then query, then body: the order FastAPI reports errors in.
 */
import type { Call, Reply } from './http.js';

/** One entry of a FastAPI 422 `detail` array. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** Declarative description of a JSON value, covering what the Junction request models use. */
export type Schema =
  | { kind: 'string'; format?: 'uuid' | 'date' | 'email' }
  | { kind: 'integer' }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'object'; fields: Record<string, Field> };

/** A property of an object schema. Optional properties without a default become `null`, like pydantic's `Optional[...] = None`. */
export interface Field {
  schema: Schema;
  required?: boolean;
  nullable?: boolean;
  default?: unknown;
}

// Schema builders, named after the pydantic types they stand for.
/** `str`. */
export const str: Schema = { kind: 'string' };
/** `datetime.date`: `YYYY-MM-DD`. */
export const date: Schema = { kind: 'string', format: 'date' };
/** `UUID`; validated values come out canonical (lower case, hyphenated). */
export const uuid: Schema = { kind: 'string', format: 'uuid' };
/** `EmailStr`. */
export const email: Schema = { kind: 'string', format: 'email' };
/** `int` (lax: numeric strings are accepted). */
export const integer: Schema = { kind: 'integer' };
/** `bool` (lax: `"true"`, `"no"`, `1`, … are accepted). */
export const boolean: Schema = { kind: 'boolean' };
/** A string `Enum`. */
export const oneOf = (values: readonly string[]): Schema => ({ kind: 'enum', values });
/** A `BaseModel`; unknown properties are ignored, as pydantic does by default. */
export const object = (fields: Record<string, Field>): Schema => ({ kind: 'object', fields });
/** A property without a default. */
export const required = (schema: Schema): Field => ({ schema, required: true });
/** An `Optional[...]` property: may be omitted or `null`. */
export const optional = (schema: Schema, defaultValue: unknown = null): Field => ({ schema, nullable: true, default: defaultValue });
/** An optional property that may be omitted but not sent as `null` (pydantic `x: bool = True`). */
export const defaulted = (schema: Schema, defaultValue: unknown): Field => ({ schema, default: defaultValue });

/** pydantic's wording for an enum mismatch: `'a', 'b' or 'c'`. */
function expectedList(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

const HEX = /[0-9a-fA-F]/;
const GROUP_LENGTHS = [8, 4, 4, 4, 12];

/** Canonical lower-case hyphenated UUID, or the reason the uuid crate (used by pydantic) would give. */
export function parseUuid(input: string): { value: string } | { reason: string } {
  const prefix = input.toLowerCase().startsWith('urn:uuid:') ? 9 : 0;
  const text = input.slice(prefix);
  for (let i = 0; i < text.length; i++) {
    if (!HEX.test(text[i]) && text[i] !== '-') {
      return { reason: `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${text[i]}\` at ${prefix + i + 1}` };
    }
  }
  if (!text.includes('-')) {
    if (text.length !== 32) return { reason: `invalid length: expected length 32 for simple format, found ${text.length}` };
    const t = text.toLowerCase();
    return { value: `${t.slice(0, 8)}-${t.slice(8, 12)}-${t.slice(12, 16)}-${t.slice(16, 20)}-${t.slice(20)}` };
  }
  const groups = text.split('-');
  if (groups.length !== 5) return { reason: `invalid group count: expected 5, found ${groups.length}` };
  for (let i = 0; i < 5; i++) {
    if (groups[i].length !== GROUP_LENGTHS[i]) {
      return { reason: `invalid group length in group ${i}: expected ${GROUP_LENGTHS[i]}, found ${groups[i].length}` };
    }
  }
  return { value: text.toLowerCase() };
}

/** Why a string is not a `YYYY-MM-DD` calendar date (speedate's wording), or null when it is one. */
function dateProblem(input: string): string | null {
  if (input.length < 10) return 'input is too short';
  if (!/^\d{4}/.test(input)) return 'invalid character in year';
  if (input[4] !== '-' || input[7] !== '-') return 'invalid date separator, expected `-`';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input)) return 'unexpected extra characters at the end of the input';
  const [y, m, d] = input.split('-').map(Number);
  if (m < 1 || m > 12) return 'month value is outside expected range of 1-12';
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > daysInMonth) return 'day value is outside expected range';
  return null;
}

/** Why an address is not accepted by `email-validator`, or null. Only the common failures are modelled. */
function emailProblem(input: string): string | null {
  const parts = input.split('@');
  if (parts.length !== 2) return 'The email address is not valid. It must have exactly one @-sign.';
  if (parts[0] === '') return 'There must be something before the @-sign.';
  if (parts[1] === '') return 'There must be something after the @-sign.';
  if (!parts[1].includes('.')) return 'The part after the @-sign is not valid. It should have a period.';
  return null;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', 'n']);

/** pydantic's lax boolean parsing of a string. */
function parseBool(input: string): boolean | undefined {
  const word = input.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates `value` against `schema`, appending issues; returns the value with object defaults filled in. */
export function validate(value: unknown, schema: Schema, loc: (string | number)[], issues: ValidationIssue[]): unknown {
  const fail = (type: string, msg: string, ctx?: Record<string, unknown>): undefined => {
    issues.push(ctx === undefined ? { type, loc, msg, input: value } : { type, loc, msg, input: value, ctx });
    return undefined;
  };
  switch (schema.kind) {
    case 'string': {
      if (typeof value !== 'string') return fail('string_type', 'Input should be a valid string');
      if (schema.format === 'uuid') {
        const parsed = parseUuid(value);
        return 'value' in parsed ? parsed.value : fail('uuid_parsing', `Input should be a valid UUID, ${parsed.reason}`, { error: parsed.reason });
      }
      if (schema.format === 'date') {
        const problem = dateProblem(value);
        return problem === null ? value : fail('date_from_datetime_parsing', `Input should be a valid date or datetime, ${problem}`, { error: problem });
      }
      if (schema.format === 'email') {
        const problem = emailProblem(value);
        return problem === null ? value : fail('value_error', `value is not a valid email address: ${problem}`, { reason: problem });
      }
      return value;
    }
    case 'integer': {
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'number') return fail('int_from_float', 'Input should be a valid integer, got a number with a fractional part');
      if (typeof value === 'string') {
        return /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : fail('int_parsing', 'Input should be a valid integer, unable to parse string as an integer');
      }
      return fail('int_type', 'Input should be a valid integer');
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === 'string') {
        const parsed = parseBool(value);
        return parsed ?? fail('bool_parsing', 'Input should be a valid boolean, unable to interpret input');
      }
      return fail('bool_type', 'Input should be a valid boolean');
    }
    case 'enum': {
      if (typeof value === 'string' && schema.values.includes(value)) return value;
      const expected = expectedList(schema.values);
      return fail('enum', `Input should be ${expected}`, { expected });
    }
    case 'object': {
      if (!isPlainObject(value)) return fail('model_attributes_type', 'Input should be a valid dictionary or object to extract fields from');
      const out: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(schema.fields)) {
        const present = Object.prototype.hasOwnProperty.call(value, name);
        if (!present) {
          if (field.required) issues.push({ type: 'missing', loc: [...loc, name], msg: 'Field required', input: value });
          else out[name] = field.default ?? null;
          continue;
        }
        const fieldValue = value[name];
        out[name] = fieldValue === null && field.nullable ? null : validate(fieldValue, field.schema, [...loc, name], issues);
      }
      return out;
    }
  }
}

/**
 * Collects the validation issues of one request. Each accessor returns a usable placeholder when the
 * input is invalid, so a handler can read all its inputs and then check {@link Checks.failed} once.
 */
export class Checks {
  readonly issues: ValidationIssue[] = [];

  constructor(private readonly call: Call) {}

  /** True when at least one input was rejected. */
  get failed(): boolean {
    return this.issues.length > 0;
  }

  /** The 422 reply for the collected issues. */
  reply(): Reply {
    return { status: 422, body: { detail: this.issues } };
  }

  /** A path parameter checked against `schema` (a uuid or an enum). */
  path(name: string, schema: Schema): string {
    const value = validate(this.call.params[name], schema, ['path', name], this.issues);
    return typeof value === 'string' ? value : '';
  }

  /** An optional string query parameter; when repeated, the last value wins, as in Starlette. */
  query(name: string, schema: Schema = str): string | undefined {
    const raw = this.call.query.getAll(name).at(-1);
    if (raw === undefined) return undefined;
    const value = validate(raw, schema, ['query', name], this.issues);
    return typeof value === 'string' ? value : undefined;
  }

  /** An integer query parameter with a default and an optional upper bound. */
  integerQuery(name: string, options: { default: number; le?: number }): number {
    const raw = this.call.query.getAll(name).at(-1);
    if (raw === undefined) return options.default;
    const value = validate(raw, integer, ['query', name], this.issues);
    if (typeof value !== 'number') return options.default;
    return this.bounded(name, raw, value, undefined, options.le) ? value : options.default;
  }

  /** A number query parameter with a default and inclusive bounds. */
  numberQuery(name: string, options: { default: number; ge: number; le: number }): number {
    const raw = this.call.query.getAll(name).at(-1);
    if (raw === undefined) return options.default;
    const value = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(value)) {
      this.issues.push({ type: 'float_parsing', loc: ['query', name], msg: 'Input should be a valid number, unable to parse string as a number', input: raw });
      return options.default;
    }
    return this.bounded(name, raw, value, options.ge, options.le) ? value : options.default;
  }

  /** A boolean query parameter with a default. */
  booleanQuery(name: string, defaultValue: boolean): boolean {
    const raw = this.call.query.getAll(name).at(-1);
    if (raw === undefined) return defaultValue;
    const value = validate(raw, boolean, ['query', name], this.issues);
    return typeof value === 'boolean' ? value : defaultValue;
  }

  /**
   * The JSON body validated against an object schema, with defaults filled in. A missing body or
   * malformed JSON is reported the way FastAPI reports it.
   */
  body(schema: Schema): Record<string, unknown> {
    const body = this.call.body;
    if (body.kind === 'empty') {
      this.issues.push({ type: 'missing', loc: ['body'], msg: 'Field required', input: null });
      return {};
    }
    if (body.kind === 'invalid') {
      this.issues.push({ type: 'json_invalid', loc: ['body', body.position], msg: 'JSON decode error', input: {}, ctx: { error: body.error } });
      return {};
    }
    const value = validate(body.value, schema, ['body'], this.issues);
    return isPlainObject(value) ? value : {};
  }

  private bounded(name: string, raw: string, value: number, ge: number | undefined, le: number | undefined): boolean {
    if (ge !== undefined && value < ge) {
      this.issues.push({ type: 'greater_than_equal', loc: ['query', name], msg: `Input should be greater than or equal to ${ge}`, input: raw, ctx: { ge } });
      return false;
    }
    if (le !== undefined && value > le) {
      this.issues.push({ type: 'less_than_equal', loc: ['query', name], msg: `Input should be less than or equal to ${le}`, input: raw, ctx: { le } });
      return false;
    }
    return true;
  }
}
