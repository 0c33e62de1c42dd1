/**
 * OpenAPI schema objects → standalone JSON Schemas the runtime checks inputs with (ajv, draft-07
 * vocabulary plus `$defs`). References are inlined, except those on a cycle (a tree, a linked list):
 * those stay references, to `#/$defs/<Name>` of the emitted schema, so recursion stays finite.
 */
import type { JsonSchema, ValueType } from '../types.js';
import { deref, isObject, resolvePointer, type Raw } from './document.js';
import { unescapeToken } from '../util/jsonPointer.js';
import { isOneOf, VALUE_TYPES } from '../util/vocabulary.js';

/** Keywords of the OpenAPI schema dialect that JSON Schema does not have, or that would confuse a standalone schema. */
const DROPPED = new Set(['nullable', 'discriminator', 'xml', 'externalDocs', 'example', '$schema', '$id', '$anchor', '$dynamicAnchor', '$dynamicRef', 'deprecated']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems']);

/** How a schema is used: request schemas leave out `readOnly` properties, which a client never sends. */
export type SchemaUsage = 'request' | 'response';

/** Converts the schemas of one document; remembers which references are recursive. */
export class SchemaConverter {
  private readonly recursive = new Map<string, boolean>();

  constructor(
    private readonly document: Raw,
    private readonly version: '3.0' | '3.1',
  ) {}

  /** A standalone JSON Schema for `schema` (which may be a `$ref`). */
  convert(schema: unknown, usage: SchemaUsage): JsonSchema {
    const defs = new Map<string, { ref: string; schema?: JsonSchema }>();
    const root = this.walk(schema, usage, defs);
    if (defs.size === 0) return root;
    const $defs = Object.fromEntries([...defs].map(([name, def]) => [name, def.schema ?? {}]));
    // A reference beside `$defs` at the root is wrapped, so no validator ignores it as a $ref sibling.
    return typeof root.$ref === 'string' ? { allOf: [root], $defs } : { ...root, $defs };
  }

  /** The value type a schema declares (`['string','null']` → string), following references. */
  typeOf(schema: unknown): ValueType | undefined {
    const resolved = deref(this.document, schema);
    if (!resolved) return undefined;
    const types = (Array.isArray(resolved.type) ? resolved.type : [resolved.type]).filter((t) => typeof t === 'string' && t !== 'null');
    if (types.length === 1 && isOneOf(VALUE_TYPES, types[0])) return types[0];
    if (types.length === 0) {
      if (Array.isArray(resolved.enum) && resolved.enum.length > 0) return inferType(resolved.enum);
      if (isObject(resolved.properties)) return 'object';
      if (resolved.items !== undefined) return 'array';
      const parts = Array.isArray(resolved.allOf) ? resolved.allOf : [];
      const fromParts = [...new Set(parts.map((part) => this.typeOf(part)).filter((t) => t !== undefined))];
      if (fromParts.length === 1) return fromParts[0];
    }
    return undefined;
  }

  private walk(node: unknown, usage: SchemaUsage, defs: Map<string, { ref: string; schema?: JsonSchema }>): JsonSchema {
    if (!isObject(node)) return {};
    if (typeof node.$ref === 'string') return this.reference(node, node.$ref, usage, defs);
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED.has(key) || key.startsWith('x-')) continue;
      if (SCHEMA_MAPS.has(key) && isObject(value)) {
        const entries = Object.entries(value).filter(([, v]) => !(key === 'properties' && usage === 'request' && deref(this.document, v)?.readOnly === true));
        out[key] = Object.fromEntries(entries.map(([k, v]) => [k, typeof v === 'boolean' ? v : this.walk(v, usage, defs)]));
      } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) out[key] = value.map((v) => (typeof v === 'boolean' ? v : this.walk(v, usage, defs)));
      else if (SCHEMA_VALUES.has(key)) out[key] = typeof value === 'boolean' ? value : this.walk(value, usage, defs);
      else out[key] = value;
    }
    if (usage === 'request' && Array.isArray(out.required) && isObject(node.properties)) {
      const kept = out.properties as Raw;
      out.required = out.required.filter((name) => typeof name !== 'string' || !isObject(node.properties) || !(name in node.properties) || name in kept);
      if ((out.required as unknown[]).length === 0) delete out.required;
    }
    if (this.version === '3.0') upgradeDialect30(node, out);
    return out;
  }

  private reference(node: Raw, ref: string, usage: SchemaUsage, defs: Map<string, { ref: string; schema?: JsonSchema }>): JsonSchema {
    const target = resolvePointer(this.document, ref);
    // OpenAPI 3.1 lets keywords sit beside a $ref (a description, most often); they refine the target.
    const siblings = this.walk(Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref')), usage, defs);
    if (!this.isRecursive(ref)) return { ...this.walk(target, usage, defs), ...siblings };
    let name = [...defs].find(([, def]) => def.ref === ref)?.[0];
    if (name === undefined) {
      name = uniqueName(defName(ref), defs);
      const def: { ref: string; schema?: JsonSchema } = { ref };
      defs.set(name, def);
      def.schema = this.walk(target, usage, defs);
    }
    return { $ref: `#/$defs/${name}`, ...siblings };
  }

  /** Whether the schema `ref` points at can reach itself through references. */
  private isRecursive(ref: string): boolean {
    const known = this.recursive.get(ref);
    if (known !== undefined) return known;
    const seen = new Set<string>();
    const reaches = (node: unknown): boolean => {
      if (Array.isArray(node)) return node.some(reaches);
      if (!isObject(node)) return false;
      if (typeof node.$ref === 'string') {
        if (node.$ref === ref) return true;
        if (seen.has(node.$ref)) return false;
        seen.add(node.$ref);
        return reaches(resolvePointer(this.document, node.$ref));
      }
      return Object.entries(node).some(([key, value]) => !key.startsWith('x-') && reaches(value));
    };
    const result = reaches(resolvePointer(this.document, ref));
    this.recursive.set(ref, result);
    return result;
  }
}

/** OpenAPI 3.0's `nullable` and boolean `exclusiveMinimum`/`exclusiveMaximum` in JSON Schema terms. */
function upgradeDialect30(node: Raw, out: JsonSchema): void {
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof node[flag] !== 'boolean') continue;
    if (node[flag] === true && typeof node[bound] === 'number') {
      out[flag] = node[bound];
      delete out[bound];
    } else delete out[flag];
  }
  if (node.nullable !== true) return;
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.type === undefined && out.enum === undefined) {
    const copy = { ...out };
    for (const key of Object.keys(out)) delete out[key];
    out.anyOf = [copy, { type: 'null' }];
  }
}

function inferType(values: unknown[]): ValueType | undefined {
  const types = new Set(values.filter((v) => v !== null).map((v) => (typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v)));
  if (types.size === 1) {
    const [only] = types;
    return isOneOf(VALUE_TYPES, only) ? only : undefined;
  }
  return types.size === 2 && types.has('integer') && types.has('number') ? 'number' : undefined;
}

function defName(ref: string): string {
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  return unescapeToken(decodeURIComponent(last)).replace(/[^A-Za-z0-9_.-]/g, '_') || 'schema';
}

function uniqueName(base: string, taken: Map<string, unknown>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  return name;
}
