/**
 * Which grammar a capability document is written in. Naftiko files (`naftiko:` 0.5, 1.0.0-alpha1 …
 * alpha5) write named things as lists of objects with a `name`; Ikanos files (`ikanos:` 1.0.0-alpha3 …
 * 1.0.0-beta5) write them as maps keyed by name. Real files do not always say which one they are in
 * (files kept `naftiko: 1.0.0-alpha3` with the list shape; newer versions appear), so the shape is read
 * from the document itself and the version key only breaks ties.
 */
import { isObject } from '../util/isObject.js';

/** The two shapes of the format: named lists (Naftiko) or maps keyed by name (Ikanos). */
export type Shape = 'array' | 'map';

/** `naftiko:` versions, all written in the array shape (`0.5` is the version named in the alpha2 text). */
const NAFTIKO_VERSIONS = ['0.5', '1.0.0-alpha1', '1.0.0-alpha2', '1.0.0-alpha3', '1.0.0-alpha4', '1.0.0-alpha5'] as const;

/** `ikanos:` versions, all written in the map shape. */
const IKANOS_VERSIONS = ['1.0.0-alpha3', '1.0.0-alpha4', '1.0.0-alpha5', '1.0.0-beta1', '1.0.0-beta2', '1.0.0-beta3', '1.0.0-beta4', '1.0.0-beta5'] as const;

/** The newest version of each dialect, the one whose grammar this runtime reads newer files with. */
export const NEWEST = { naftiko: '1.0.0-alpha5', ikanos: '1.0.0-beta5' } as const;

/** What a document was recognised as. */
export interface Dialect {
  /** The version key the document uses. */
  key: 'naftiko' | 'ikanos';
  /** Its value, as a string (`naftiko: 0.5` is a YAML number). */
  version: string;
  /** The shape the document is read in. */
  shape: Shape;
  /** Why the document is read although its version is not one this runtime knows, or its shape is not its version's. */
  warning?: string;
}

/** A document that is not a capability this runtime can read: one message naming what it is. */
export interface Unrecognised {
  pointer: string;
  message: string;
}

/** The sections a document may hold at its root, besides the version key and `info`. */
const SECTIONS = ['capability', 'consumes', 'exposes', 'aggregates', 'binds'] as const;

type Raw = Record<string, unknown>;

/** Lists that hold named things; an object in their place is the map shape, an array the array shape. */
const NAMED_COLLECTIONS = ['resources', 'operations', 'tools', 'skills', 'prompts', 'flows', 'functions', 'steps', 'arguments'];

/**
 * Looks for evidence of either shape in the document: named collections written as lists or as maps,
 * `from` imports, `flows`, `display`. Returns the shapes seen (none, one or, for a confused document, both).
 */
function shapesIn(data: Raw): Set<Shape> {
  const seen = new Set<Shape>();
  const visitEntry = (entry: unknown): void => {
    if (!isObject(entry)) return;
    if (typeof entry.from === 'string') seen.add('map');
    if (typeof entry.location === 'string' && typeof entry.import === 'string') seen.add('array');
    if ('flows' in entry || 'display' in entry) seen.add('map');
    if ('functions' in entry) seen.add('array');
    for (const key of NAMED_COLLECTIONS) {
      const value = entry[key];
      if (Array.isArray(value) && value.some((item) => isObject(item) && typeof item.name === 'string')) seen.add('array');
      else if (isObject(value) && Object.keys(value).length > 0 && !('type' in value)) seen.add('map');
      if (isObject(value)) Object.values(value).forEach(visitEntry);
      else if (Array.isArray(value)) value.forEach(visitEntry);
    }
  };
  const root = isObject(data.capability) ? data.capability : data;
  for (const section of ['consumes', 'exposes', 'aggregates'] as const) {
    const list = root[section] ?? data[section];
    if (Array.isArray(list)) list.forEach(visitEntry);
  }
  if (isObject(data.info) && 'display' in data.info) seen.add('map');
  return seen;
}

function describeVersion(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

const article = (key: 'naftiko' | 'ikanos'): string => (key === 'ikanos' ? 'an Ikanos' : 'a Naftiko');

/**
 * Recognises the dialect of a parsed document, or says in one message why it is not a capability this
 * runtime reads. Documents that carry neither version key are left to the schema check, which names
 * what they look like (Kubernetes, OpenAPI…).
 */
export function detectDialect(data: unknown): Dialect | Unrecognised | undefined {
  if (!isObject(data)) return undefined;
  const key = 'ikanos' in data ? 'ikanos' : 'naftiko' in data ? 'naftiko' : undefined;
  if (key === undefined) return undefined;
  const raw = data[key];
  const version = describeVersion(raw);
  const name = `${article(key)} ${version} document`;
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    return { pointer: `/${key}`, message: `not a capability this runtime reads: '${key}' must be a version string (got ${version})` };
  }
  if (!SECTIONS.some((section) => section in data)) {
    return { pointer: '', message: `${name} with none of ${SECTIONS.join(', ')}: not a capability this runtime reads` };
  }
  const shapes = shapesIn(data);
  if (shapes.size === 2) {
    return { pointer: '', message: `${name} that mixes named lists (Naftiko's shape) and maps keyed by name (Ikanos' shape): not a shape this runtime reads` };
  }
  const known = (key === 'ikanos' ? IKANOS_VERSIONS : NAFTIKO_VERSIONS) as readonly string[];
  const expected: Shape = key === 'ikanos' ? 'map' : 'array';
  const [found] = shapes;
  const shape = found ?? expected;
  const dialect: Dialect = { key, version, shape };
  const shapeName = shape === 'map' ? `Ikanos' map shape (${NEWEST.ikanos})` : `Naftiko's list shape (${NEWEST.naftiko})`;
  if (!known.includes(version)) dialect.warning = `${name}: a version this runtime does not know (it reads ${key} ${known.join(', ')}); read with ${shapeName}`;
  else if (shape !== expected) dialect.warning = `${name} written in the other shape; read with ${shapeName}`;
  return dialect;
}
