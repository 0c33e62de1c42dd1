/** Small helpers to walk a bundled OpenAPI document (plain JSON data, every `$ref` internal). */
import { compileJsonPath } from '../internal.js';
import { isObject } from '../util/isObject.js';
import { unescapeToken } from '../util/jsonPointer.js';

export type Raw = Record<string, unknown>;

export { isObject };

/** Reads a field as an object, or `{}`. */
export function objectAt(value: unknown, key: string): Raw {
  const field = isObject(value) ? value[key] : undefined;
  return isObject(field) ? field : {};
}

/** Reads a field as a string, or undefined. */
export function stringAt(value: unknown, key: string): string | undefined {
  const field = isObject(value) ? value[key] : undefined;
  return typeof field === 'string' ? field : undefined;
}

/** The node an internal `$ref` (`#/components/schemas/Pet`) points at, or undefined. */
export function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const path = ref.slice(1);
  if (path === '') return document;
  let node: unknown = document;
  for (const raw of path.split('/').slice(1)) {
    const key = unescapeToken(decodeURIComponent(raw));
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/**
 * Follows `$ref`s of non-schema objects (parameters, request bodies, responses, security schemes) to
 * their target; a chain of references is followed, a cycle ends in undefined.
 */
export function deref(document: unknown, value: unknown): Raw | undefined {
  const seen = new Set<string>();
  let node = value;
  while (isObject(node) && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) return undefined;
    seen.add(node.$ref);
    node = resolvePointer(document, node.$ref);
  }
  return isObject(node) ? node : undefined;
}

/** A JSON pointer into a response body as a JSONPath: `/data/request_id` → `$.data.request_id`. */
export function pointerToJsonPath(pointer: string): string {
  return keysToJsonPath(pointerTokens(pointer));
}

/** The member names of a JSON pointer: `/data/a~1b` → `['data', 'a/b']`. */
export function pointerTokens(pointer: string): string[] {
  return pointer
    .split('/')
    .filter((t) => t !== '')
    .map((t) => unescapeToken(decodeURIComponent(t)));
}

/** Member names as a JSONPath (RFC 9535, usable as a singular query in a filter): `['data', 'a b']` → `$.data["a b"]`. */
export function keysToJsonPath(keys: string[]): string {
  return `$${keys.map((t) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t) ? `.${t}` : `[${JSON.stringify(t)}]`)).join('')}`;
}

/** One problem per JSONPath among `keys` of `draft` that does not compile, as `key: reason`. */
export function jsonPathProblems<K extends string>(draft: Partial<Record<K, unknown>>, keys: readonly K[]): string[] {
  const problems: string[] = [];
  for (const key of keys) {
    const path = draft[key];
    if (typeof path !== 'string') continue;
    try {
      compileJsonPath(path);
    } catch (error) {
      problems.push(`${key}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** `unknown keys a, b` for the keys of `raw` outside `known`, or undefined when there is none. */
export function unknownKeys(raw: Raw, known: readonly string[]): string | undefined {
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  return unknown.length > 0 ? `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` : undefined;
}
