/**
 * Checks a map-shaped (Ikanos) document against the official Ikanos 1.0.0-beta5 JSON Schema, shipped
 * verbatim next to this module. Everything the official schema rejects is reported as a warning: real
 * files that the reference engine runs break its schema in ways that do not stop them working. Whether
 * a document is usable is decided afterwards, on the normalized document, by this runtime's own schema
 * and compiler.
 *
 * The validator is precompiled at build time (like the alpha2 one) and loaded only when a map-shaped
 * document is read, so reading Naftiko files never pays for it.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../errors.js';
import type { SourceMap } from '../compile/plan.js';
import { locate } from '../compile/diagnostics.js';
import { isObject } from '../util/isObject.js';
import { escapeToken, unescapeToken, valueAt } from '../util/jsonPointer.js';

/** The schema's version, named in every message. */
const IKANOS_SCHEMA_VERSION = '1.0.0-beta5';

/** The official schema, copied unchanged from upstream. */
export const IKANOS_SCHEMA_FILE = './ikanos-1.0.0-beta5.schema.json';

/** Where the build writes the precompiled validator, relative to this module. */
export const PRECOMPILED_IKANOS_VALIDATOR = './ikanosValidator.cjs';

/**
 * Options of the official schema's validator. `validateFormats: false`: the schema's `format: uri`
 * only documents intent, and ajv-formats would be one more dependency for a check the compiler makes.
 */
export const IKANOS_AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: false } as const;

const require = createRequire(import.meta.url);

/**
 * The official schema, with its `ikanos` version pinned to beta5 relaxed: every map-shaped version
 * (alpha3 … beta5, and newer ones read with a warning) is checked against the newest grammar, and the
 * version itself is checked by `detectDialect`.
 */
export function ikanosSchema(): Record<string, unknown> {
  const schema = structuredClone(require(IKANOS_SCHEMA_FILE)) as { properties: { ikanos: Record<string, unknown> } };
  delete schema.properties.ikanos.const;
  return schema;
}

let compiled: ValidateFunction | undefined;

/** The precompiled validator (dist/), or, running from source, the schema compiled on first use. */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  try {
    compiled = require(PRECOMPILED_IKANOS_VALIDATOR) as ValidateFunction;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    compiled = new Ajv2020(IKANOS_AJV_OPTIONS).compile(ikanosSchema());
  }
  return compiled;
}


/** `/capability/consumes/0/resources/ships` → `capability.consumes[0].resources.ships`. */
function displayPath(pointer: string): string {
  if (pointer === '') return 'document';
  return pointer
    .slice(1)
    .split('/')
    .map(unescapeToken)
    .reduce((out, token) => (/^\d+$/.test(token) ? `${out}[${token}]` : out === '' ? token : `${out}.${token}`), '');
}

/** One error in words, and the pointer of the node it is about. */
function explain(error: ErrorObject): { pointer: string; text: string } {
  const params = error.params as Record<string, unknown>;
  const at = error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      return { pointer: `${at}/${escapeToken(key)}`, text: `unknown key '${key}' in ${displayPath(at)}` };
    }
    case 'required':
      return { pointer: at, text: `${displayPath(at)}: missing '${String(params.missingProperty)}'` };
    case 'enum':
      return { pointer: at, text: `${displayPath(at)} must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { pointer: at, text: `${displayPath(at)} must be ${JSON.stringify(params.allowedValue)}` };
    case 'propertyNames':
      return { pointer: `${at}/${escapeToken(String(params.propertyName))}`, text: `${displayPath(at)}: key '${String(params.propertyName)}' is not a valid name` };
    default:
      return { pointer: at, text: `${displayPath(at)} ${error.message ?? 'is invalid'}` };
  }
}

const ALTERNATIVES = new Set(['oneOf', 'anyOf']);

/**
 * Validates a map-shaped document against the official Ikanos schema.
 *
 * A node that must match one of several forms (an inline adapter or an import, a mapped or an
 * orchestrated tool…) gets one warning naming what none of the forms accepted, instead of one
 * message per form; every other problem gets its own warning.
 *
 * @param data - The parsed document.
 * @param file - File named in the diagnostics.
 * @param positions - Node positions from `parseYaml`.
 * @returns Warnings in source order; empty when the document follows the schema.
 */
export function validateIkanos(data: unknown, file: string, positions: SourceMap): Diagnostic[] {
  const validate = validator();
  if (validate(data)) return [];
  // `if` only restates the failed `then`; a key's failed `pattern` is restated by its `propertyNames` error.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if' && !(e.keyword === 'pattern' && e.propertyName !== undefined));
  // A node that matched none of its alternatives (an inline adapter or an import, a mapped or an
  // orchestrated tool…): the alternative that got past the node itself is the one the author meant, so
  // problems deeper inside are reported as they are. When every alternative failed at the node itself,
  // one warning sums them up.
  const failedAt = new Set(errors.filter((e) => ALTERNATIVES.has(e.keyword)).map((e) => e.instancePath));
  const byNode = new Map<string, ErrorObject[]>();
  const hasDeeper = new Set<string>();
  for (const error of errors) {
    if (ALTERNATIVES.has(error.keyword)) continue;
    const list = byNode.get(error.instancePath);
    if (list) list.push(error);
    else byNode.set(error.instancePath, [error]);
    for (let p = error.instancePath; p !== ''; ) {
      p = p.slice(0, p.lastIndexOf('/'));
      if (hasDeeper.has(p)) break;
      hasDeeper.add(p);
    }
  }
  const folded = [...failedAt].filter((root) => !hasDeeper.has(root));
  const messages = new Map<string, string>();
  for (const root of folded) {
    const inside = [...new Set((byNode.get(root) ?? []).map((e) => explain(e).text))].slice(0, 3);
    const node = valueAt(data, root);
    const kind = isObject(node) && typeof node.type === 'string' ? ` (type '${node.type}')` : '';
    messages.set(`${root}\n`, `${displayPath(root)}${kind} matches none of the forms the Ikanos ${IKANOS_SCHEMA_VERSION} schema allows here${inside.length > 0 ? `: ${inside.join('; ')}` : ''}`);
  }
  for (const error of errors) {
    // Requirements of the alternatives that were not meant, at the node that chose among them.
    if (ALTERNATIVES.has(error.keyword) || failedAt.has(error.instancePath)) continue;
    const { pointer, text } = explain(error);
    messages.set(`${pointer}\n${text}`, text);
  }
  const diagnostics: Diagnostic[] = [...messages].map(([key, message]) => {
    const pointer = key.split('\n')[0];
    const [line, col] = locate(positions, pointer);
    return { severity: 'warning', file, line, col, pointer, message: `${message} (Ikanos ${IKANOS_SCHEMA_VERSION} schema)` };
  });
  return diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
}

