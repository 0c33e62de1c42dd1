/**
 * `lookup` steps (spec 3.13.3): find entries of a previous step's output by a key field.
 */

import { isObject as isEntry } from '../util/isObject.js';

type Entry = Record<string, unknown>;

/**
 * Matches `value` against the `match` field of the index entries and projects each matched entry to
 * `fields` (a field the entry lacks is null). One value gives the first matching entry or null; an
 * array of values gives the matched entries in the order of the values, unmatched values skipped.
 * Values are compared as text, so `7` finds `"7"`.
 */
export function lookup(index: unknown, match: string, value: unknown, fields: string[]): unknown {
  const entries = indexEntries(index);
  const find = (wanted: unknown): Entry | undefined => {
    if (wanted === undefined || wanted === null) return undefined;
    const key = String(wanted);
    return entries.find((entry) => entry[match] !== undefined && entry[match] !== null && String(entry[match]) === key);
  };
  const project = (entry: Entry): Entry => Object.fromEntries(fields.map((field) => [field, entry[field] ?? null]));
  if (Array.isArray(value)) return value.flatMap((wanted) => {
    const entry = find(wanted);
    return entry ? [project(entry)] : [];
  });
  const entry = find(value);
  return entry ? project(entry) : null;
}

/**
 * The entries of an index: an array of objects, or one object. An object whose members are all
 * arrays of one length is a set of columns (what consumed outputs such as `$.items[*].email` give,
 * spec 4.4) and is read row by row.
 */
function indexEntries(index: unknown): Entry[] {
  if (Array.isArray(index)) return index.filter(isEntry);
  if (!isEntry(index)) return [];
  const columns = Object.values(index);
  const length = Array.isArray(columns[0]) ? columns[0].length : -1;
  if (length < 0 || !columns.every((c) => Array.isArray(c) && c.length === length)) return [index];
  const names = Object.keys(index);
  return Array.from({ length }, (_, row) => Object.fromEntries(names.map((name) => [name, (index[name] as unknown[])[row]])));
}

