/**
 * The load stage between parsing and compiling: recognises the document's dialect, validates it, and
 * hands the compiler one internal model (Naftiko's array shape) with a positions map that still points
 * into the original file.
 *
 * - Array-shaped documents (`naftiko:` 0.5 … 1.0.0-alpha5, or a newer version in that shape) are
 *   validated against this runtime's schema as they are.
 * - Map-shaped documents (`ikanos:` 1.0.0-alpha3 … 1.0.0-beta5, or newer) are checked against the
 *   official Ikanos schema (every problem a warning), normalized, and the normalized document is then
 *   validated against this runtime's schema, which decides what makes the file unusable.
 */
import type { Diagnostic } from '../errors.js';
import type { SourceMap } from '../compile/plan.js';
import { locate } from '../compile/diagnostics.js';
import { detectDialect, type Dialect } from './dialects.js';
import { INTERNAL_VERSION, normalizeIkanos, type SectionImporter } from './normalizeIkanos.js';
import { SUPPORTED_VERSIONS } from './schema.js';
import { validateDocument } from './validateDocument.js';
import { validateIkanos } from './validateIkanos.js';
import type { ValidationCache } from './validationCache.js';

/** A cache of validation results, and the text of the file they are for. */
export interface CachedValidation {
  cache: ValidationCache;
  text: string;
}

/** A document ready for the compiler. */
export interface ReadDocument {
  /** The document in the array shape (the original itself for array-shaped files). */
  data: unknown;
  /** Positions of `data`'s nodes in the original file. */
  positions: SourceMap;
  diagnostics: Diagnostic[];
  /** The dialect the file is written in; undefined when it is not a capability at all. */
  dialect?: Dialect;
}

type Raw = Record<string, unknown>;

/** Only the loader's own messages are kept from the internal schema on a normalized document: the official schema reported the rest in the file's own words. */
const REPORTED_BY_OFFICIAL_SCHEMA = /^unknown key '/;
/** A shared Ikanos file may hold only exposes, aggregates or binds (a consumes-only file is already a shared file for the internal schema). */
const SHARED_SECTION_ONLY = /missing required key 'capability'/;

/**
 * Recognises, validates and (for map-shaped documents) normalizes one parsed document.
 *
 * @param data - The parsed document.
 * @param positions - Its positions, from `parseYaml`.
 * @param file - File named in diagnostics.
 * @param importer - Reads the exposes/aggregates/binds section of a file a map-shaped document imports.
 * @param cached - Where validations that depend on the file's text alone are kept (the schema of an
 *   array-shaped document, the official schema of a map-shaped one); a normalized document may inline
 *   other files, so its own validation always runs.
 */
export function readDocument(data: unknown, positions: SourceMap, file: string, importer?: SectionImporter, cached?: CachedValidation): ReadDocument {
  const once = (stage: string, validate: () => Diagnostic[]): Diagnostic[] => {
    if (!cached) return validate();
    const entry = cached.cache.entry(cached.text, stage);
    const found = entry.get(file);
    if (found) return found;
    const diagnostics = validate();
    entry.set(diagnostics);
    return diagnostics;
  };
  const at = (pointer: string, severity: Diagnostic['severity'], message: string): Diagnostic => {
    const [line, col] = locate(positions, pointer);
    return { severity, file, line, col, pointer, message };
  };
  const dialect = detectDialect(data);
  if (dialect === undefined) return { data, positions, diagnostics: validateDocument(data, file, positions) };
  if (!('shape' in dialect)) return { data, positions, diagnostics: [at(dialect.pointer, 'error', dialect.message)] };
  const doc = data as Raw;
  const notes = dialect.warning ? [at(`/${dialect.key}`, 'warning', dialect.warning)] : [];

  if (dialect.shape === 'array') {
    // The internal schema knows the versions it was written for; every array-shaped version is read with it.
    const known = dialect.key === 'naftiko' && (SUPPORTED_VERSIONS as readonly string[]).includes(dialect.version);
    const checked = known ? doc : { ...withoutVersion(doc), naftiko: INTERNAL_VERSION };
    // Only an array-shaped `ikanos:` document needs its version key placed under the name it is checked with.
    const checkedPositions = dialect.key === 'naftiko' ? positions : new Map(positions).set('/naftiko', positions.get('/ikanos') ?? [1, 1]);
    return { data: doc, positions, dialect, diagnostics: [...notes, ...once('naftiko-schema', () => validateDocument(checked, file, checkedPositions))] };
  }

  const official = once('ikanos-schema', () => validateIkanos(dialect.key === 'ikanos' ? doc : { ikanos: dialect.version, ...withoutVersion(doc) }, file, positions));
  const normalized = normalizeIkanos(doc, positions, importer);
  const sharedOnly = !('capability' in doc) && !('consumes' in doc);
  const internal = validateDocument(normalized.data, file, normalized.positions)
    .filter((d) => !(d.severity === 'warning' && REPORTED_BY_OFFICIAL_SCHEMA.test(d.message)) && !(sharedOnly && SHARED_SECTION_ONLY.test(d.message)))
    .map((d) => ({ ...d, pointer: normalized.positions.original(d.pointer) }));
  const problems = normalized.problems.map((p) => at(p.pointer, p.severity, p.message));
  // Where this runtime's policy already says something about a node (an error, or a defect it tolerates), it speaks for it.
  const placed = new Set(internal.map((d) => `${d.line}:${d.col}`));
  const diagnostics = [...notes, ...official.filter((d) => !placed.has(`${d.line}:${d.col}`)), ...problems, ...internal].sort((a, b) => a.line - b.line || a.col - b.col);
  return { data: normalized.data, positions: normalized.positions, dialect, diagnostics };
}

function withoutVersion(doc: Raw): Raw {
  const { naftiko: _naftiko, ikanos: _ikanos, ...rest } = doc;
  return rest;
}
