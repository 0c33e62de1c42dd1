/**
 * The one implementation of the constraints a capability puts on input values (`enum`, `pattern`, a
 * JSON `schema`), for consumed parameters and exposed inputs alike: compiled once at load into a
 * function that returns what is wrong with a value, or undefined.
 *
 * Patterns come from files nobody here wrote, and a pattern with nested quantifiers (`^(a+)+$`) takes
 * exponential time on a short crafted input. Such patterns are detected at load (star height above
 * one), reported as a warning, and matched with RE2's linear-time engine instead of V8's; patterns RE2
 * cannot run (lookaround, backreferences) keep V8's engine with the warning saying so.
 */
import type { Ajv, ErrorObject } from 'ajv';
import type { JsonSchema } from '../types.js';
import { lazyModule } from '../util/lazyModule.js';
import { escapeToken } from '../util/jsonPointer.js';

/** Returns what is wrong with a value (`must be one of …`), or undefined when it is acceptable. */
export type ValueCheck = (value: unknown) => string | undefined;

/** Constraints declared on one input. */
export interface Constraints {
  enum?: unknown[];
  pattern?: string;
  schema?: JsonSchema;
}

/** Told of a constraint that cannot be used as written; `field` is the key it is written under. */
export type ConstraintProblem = (field: 'pattern' | 'schema', severity: 'warning' | 'error', message: string) => void;

/** Something that tests strings: a RegExp, or RE2 for unsafe patterns. */
export interface Matcher {
  test(text: string): boolean;
  readonly source: string;
}

/**
 * Loaded on first need: ajv and its formats only for capabilities with JSON schemas, the star-height
 * check for those with patterns, RE2 for those with unsafe ones.
 */
const ajvModule = lazyModule<typeof import('ajv')>('ajv');
const ajvFormats = lazyModule<typeof import('ajv-formats')>('ajv-formats');
const safeRegex = lazyModule<typeof import('safe-regex2')>('safe-regex2');
const re2 = lazyModule<typeof import('re2js')>('re2js');

/**
 * Compiles a pattern as ECMAScript with the `u` flag. Returns undefined, after telling `problem`, when
 * it is not a valid regular expression.
 */
function compilePattern(source: string, problem: (severity: 'warning' | 'error', message: string) => void): Matcher | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'u');
  } catch {
    problem('warning', `pattern ${source} is not a valid regular expression; it is not checked`);
    return undefined;
  }
  if (safeRegex()(regex)) return regex;
  try {
    const compiled = re2().RE2JS.compile(source);
    problem('warning', `pattern ${source} has nested quantifiers, which can take exponential time; it is matched with a linear-time engine`);
    return { source, test: (text) => compiled.matcher(text).find() };
  } catch {
    problem('warning', `pattern ${source} has nested quantifiers, which can take exponential time on crafted input, and uses syntax the linear-time engine lacks; rewrite it`);
    return regex;
  }
}

/**
 * The formats OpenAPI adds to JSON Schema's (ajv-formats knows the latter). Any other format is an
 * annotation, as JSON Schema allows, and is ignored without a word.
 */
const OPENAPI_FORMATS: Record<string, { type: 'number' | 'string'; validate: (value: never) => boolean }> = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  float: { type: 'number', validate: () => true },
  double: { type: 'number', validate: () => true },
  byte: { type: 'string', validate: (s: string) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) },
  binary: { type: 'string', validate: () => true },
  password: { type: 'string', validate: () => true },
};

/** One validator compiler for every parameter schema of the process: schemas compile once, at load. */
let ajv: Ajv | undefined;
/** Problems of the schema being compiled now (ajv compiles synchronously). */
let reportSchemaPattern: ((severity: 'warning' | 'error', message: string) => void) | undefined;

function schemaCompiler(): Ajv {
  if (ajv) return ajv;
  ajv = new (ajvModule().Ajv)({
    allErrors: true,
    strict: false,
    allowUnionTypes: true,
    // Unknown formats are annotations; ajv would otherwise print a line on stderr for each.
    logger: false,
    // Patterns inside schemas get the same protection as `pattern` on a parameter.
    code: {
      regExp: Object.assign((source: string) => compilePattern(source, (severity, message) => reportSchemaPattern?.(severity, message)) ?? /(?:)/u, {
        code: 'compilePattern',
      }),
    },
  });
  ajvFormats().default(ajv);
  for (const [name, format] of Object.entries(OPENAPI_FORMATS)) ajv.addFormat(name, format as { type: 'number'; validate: (n: number) => boolean });
  return ajv;
}

/**
 * Compiles the constraints of one input into a check, or undefined when there is nothing to check.
 * Enum values compare as JSON (so `1` is not `"1"`, and objects compare by content).
 */
export function compileValueCheck(constraints: Constraints, problem: ConstraintProblem): ValueCheck | undefined {
  const checks: ValueCheck[] = [];
  if (constraints.enum) {
    const allowed = constraints.enum;
    const keys = new Set(allowed.map((v) => JSON.stringify(v)));
    checks.push((value) => (keys.has(JSON.stringify(value)) ? undefined : `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(value)})`));
  }
  if (constraints.pattern !== undefined) {
    const pattern = constraints.pattern;
    const matcher = compilePattern(pattern, (severity, message) => problem('pattern', severity, message));
    if (matcher) checks.push((value) => (typeof value !== 'string' || matcher.test(value) ? undefined : `must match pattern ${pattern} (got ${JSON.stringify(value)})`));
  }
  if (constraints.schema) {
    reportSchemaPattern = (severity, message) => problem('schema', severity, message);
    try {
      const validate = schemaCompiler().compile(constraints.schema);
      checks.push((value) => (validate(value) ? undefined : describeSchemaErrors(validate.errors ?? [])));
    } catch (error) {
      problem('schema', 'error', `schema does not compile: ${(error as Error).message}`);
    } finally {
      reportSchemaPattern = undefined;
    }
  }
  if (checks.length === 0) return undefined;
  if (checks.length === 1) return checks[0];
  return (value) => {
    for (const check of checks) {
      const found = check(value);
      if (found) return found;
    }
    return undefined;
  };
}

/** Turns ajv errors into one line that names the JSON pointer of each failing value. */
function describeSchemaErrors(errors: ErrorObject[]): string {
  return errors
    .slice(0, 5)
    .map((e) => {
      let where = e.instancePath;
      let message = e.message ?? 'is invalid';
      if (e.keyword === 'required') {
        where += `/${escapeToken(String(e.params.missingProperty))}`;
        message = 'is required';
      } else if (e.keyword === 'additionalProperties') {
        where += `/${escapeToken(String(e.params.additionalProperty))}`;
        message = 'is not allowed';
      } else if (e.keyword === 'enum') message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      return `at ${where || '/'}: ${message}`;
    })
    .join('; ');
}
