/**
 * Checks a parsed capability document against `capabilitySchema` and turns ajv's errors into
 * positioned diagnostics that name the offending key and where it is.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../errors.js';
import type { SourceMap } from '../compile/plan.js';
import { locate } from '../compile/diagnostics.js';
import { capabilitySchema, SUPPORTED_VERSIONS } from './schema.js';
import { isObject } from '../util/isObject.js';
import { escapeToken, unescapeToken, valueAt } from '../util/jsonPointer.js';

/** Options of the schema validator, shared with the build step that precompiles it. */
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;

/** Where the build writes the precompiled validator, relative to this module. */
export const PRECOMPILED_VALIDATOR = './capabilityValidator.cjs';

let compiled: ValidateFunction | undefined;

/**
 * The schema validator: the one the build precompiled when there is one (dist/), otherwise compiled
 * here on first use (running from source). Compiling costs about half a second, the largest part of
 * the CLI's start-up, and commands such as `naftiko --help` never validate anything.
 */
function validator(): ValidateFunction {
  compiled ??= precompiled() ?? new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv(AJV_OPTIONS).compile(capabilitySchema);
  return compiled;
}

function precompiled(): ValidateFunction | undefined {
  try {
    return createRequire(import.meta.url)(PRECOMPILED_VALIDATOR) as ValidateFunction;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

type Severity = Diagnostic['severity'];


/** `/capability/consumes/0/resources` → `capability.consumes[0].resources`, reading `data` to tell indexes from keys. */
function displayPath(data: unknown, pointer: string): string {
  if (pointer === '') return 'document';
  let out = '';
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const token = unescapeToken(raw);
    if (Array.isArray(node)) out += `[${token}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(token)) out += out === '' ? token : `.${token}`;
    else out += `['${token.replace(/'/g, "\\'")}']`;
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[token] : undefined;
  }
  return out;
}

/** How a message names the value at `pointer`: `where: 'key'` for a member, `where` for an item or the root. */
function subject(data: unknown, pointer: string): string {
  const cut = pointer.lastIndexOf('/');
  if (cut < 0) return 'document:';
  const parentPointer = pointer.slice(0, cut);
  const parent = valueAt(data, parentPointer);
  if (Array.isArray(parent)) return `${displayPath(data, pointer)}:`;
  return `${displayPath(data, parentPointer)}: '${unescapeToken(pointer.slice(cut + 1))}'`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    const oneLine = value.replace(/\n/g, '\\n');
    return `'${oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine}'`;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const ARTICLE: Record<string, string> = { object: 'an object', array: 'an array', integer: 'an integer', null: 'null' };

function typeList(types: string | string[]): string {
  const list = (Array.isArray(types) ? types : String(types).split(',')).map((t) => ARTICLE[t] ?? `a ${t}`);
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

/** Pointer, severity and message for one ajv error, or undefined for errors that only echo others. */
function translate(error: ErrorObject, data: unknown): { pointer: string; severity: Severity; message: string } | undefined {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    // `if` restates a failed `then`; `propertyNames` restates the failed `pattern` on the key.
    case 'if':
    case 'propertyNames':
      return undefined;
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return { pointer: `${at}/${escapeToken(key)}`, severity: 'warning', message: `unknown key '${key}' in ${displayPath(data, at)}` };
    }
    case 'required': {
      const custom = (error.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
      const text = typeof custom === 'string' ? custom : `missing required key '${String(params.missingProperty)}'`;
      return { pointer: at, severity: 'error', message: `${displayPath(data, at)}: ${text}` };
    }
    case 'enum': {
      const allowed = new Set((params.allowedValues as unknown[]).map(String));
      return { pointer: at, severity: 'error', message: `${subject(data, at)} must be one of ${[...allowed].join(', ')} (got ${describe(error.data)})` };
    }
    case 'type':
      return { pointer: at, severity: 'error', message: `${subject(data, at)} must be ${typeList(params.type as string | string[])} (got ${typeName(error.data)})` };
    case 'pattern':
      if (error.propertyName !== undefined) {
        return {
          pointer: `${at}/${escapeToken(error.propertyName)}`,
          severity: 'error',
          message: `${displayPath(data, at)}: key '${error.propertyName}' must match ${String(params.pattern)}`,
        };
      }
      return { pointer: at, severity: 'error', message: `${subject(data, at)} must match ${String(params.pattern)} (got ${describe(error.data)})` };
    case 'minimum':
    case 'maximum':
      return { pointer: at, severity: 'error', message: `${subject(data, at)} must be ${String(params.comparison)} ${String(params.limit)} (got ${describe(error.data)})` };
    default:
      return { pointer: at, severity: 'error', message: `${subject(data, at)} ${error.message ?? 'is invalid'}` };
  }
}

/** One clear error for a document that is not a Naftiko capability at all, instead of a schema flood. */
function checkRoot(data: unknown): { pointer: string; message: string } | undefined {
  if (data === null || data === undefined) return { pointer: '', message: 'not a Naftiko capability: the document is empty' };
  if (!isObject(data)) return { pointer: '', message: `not a Naftiko capability: the document must be a mapping (got ${typeName(data)})` };
  if (!('naftiko' in data)) {
    let hint = '';
    if ('apiVersion' in data && 'kind' in data) hint = " (this looks like a Kubernetes-style 'apiVersion/kind' document)";
    else if ('openapi' in data || 'swagger' in data) hint = ' (this looks like an OpenAPI document)';
    return { pointer: '', message: `not a Naftiko capability: missing 'naftiko' version key${hint}` };
  }
  // An unquoted `naftiko: 0.5` is read by YAML as a number.
  const version = String(data.naftiko);
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    return { pointer: '/naftiko', message: `unsupported Naftiko version ${describe(data.naftiko)}: this runtime reads ${SUPPORTED_VERSIONS.join(', ')}` };
  }
  return undefined;
}

/**
 * Validates a parsed capability document (or a shared consumes file) against the capability schema.
 *
 * Unknown keys are warnings; everything else is an error. A document that is not a Naftiko capability,
 * or declares an unsupported `naftiko` version, gets a single error and no further checks.
 *
 * @param data - The parsed document, as returned by `parseYaml`.
 * @param file - File name reported in the diagnostics.
 * @param positions - Node positions from `parseYaml`, used to place each diagnostic.
 * @returns Diagnostics in source order; empty when the document is valid.
 */
export function validateDocument(data: unknown, file: string, positions: SourceMap): Diagnostic[] {
  const make = (pointer: string, severity: Severity, message: string): Diagnostic => {
    const [line, col] = locate(positions, pointer);
    return { severity, file, line, col, pointer, message };
  };
  const rootProblem = checkRoot(data);
  if (rootProblem) return [make(rootProblem.pointer, 'error', rootProblem.message)];
  const validate = validator();
  if (validate(data)) return [];

  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of validate.errors ?? []) {
    const found = translate(error, data);
    if (!found) continue;
    const rule = error.parentSchema as Record<string, unknown> | undefined;
    if (rule?.['x-severity'] === 'warning') {
      found.severity = 'warning';
      if (typeof rule['x-message'] === 'string') found.message = `${displayPath(data, found.pointer)}: ${rule['x-message']}`;
    }
    const key = `${found.pointer}\n${found.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(make(found.pointer, found.severity, found.message));
  }
  return diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
}
