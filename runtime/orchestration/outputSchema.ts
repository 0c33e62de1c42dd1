/**
 * The JSON Schema of what an exposed unit returns, read from its typed `outputParameters`, for
 * adapters that describe their results (MCP `outputSchema`). Every value may be null: a mapping that
 * finds nothing gives null, and a schema that said otherwise would make valid answers invalid.
 */
import { isObject } from '../util/isObject.js';
import { VALUE_TYPES, isOneOf } from '../util/vocabulary.js';

type Raw = Record<string, unknown>;

/**
 * The schema of a unit's result, or undefined when its outputParameters do not say (no outputs, or
 * untyped ones: the result is then whatever the consumed API answers). Named outputs give an object
 * with one property each; unnamed ones (simple mode's `type` + `mapping`) give the schema of the value.
 * No property is `required` and extra properties are allowed, so an error object still validates.
 */
export function outputSchema(outputParameters: unknown): Record<string, unknown> | undefined {
  const list = Array.isArray(outputParameters) ? outputParameters.filter(isObject) : [];
  if (list.length === 0) return undefined;
  const named = list.filter((p) => typeof p.name === 'string');
  if (named.length > 0) return { type: 'object', properties: Object.fromEntries(named.map((p) => [p.name as string, valueSchema(p)])) };
  // Unnamed outputs give the first value that is not null: one of them, whichever it is.
  const schemas = list.map(typedSchema);
  if (schemas.some((s) => s === undefined)) return undefined;
  return schemas.length === 1 ? schemas[0] : { anyOf: schemas };
}

/** The schema of one output parameter; `{}` (anything) when it declares no type. */
function valueSchema(param: Raw): Record<string, unknown> {
  return typedSchema(param) ?? describe({}, param);
}

function typedSchema(param: Raw): Record<string, unknown> | undefined {
  const type = param.type;
  if (!isOneOf(VALUE_TYPES, type)) return undefined;
  const schema: Record<string, unknown> = { type: [type, 'null'] };
  if (type === 'object' && isObject(param.properties)) {
    schema.properties = Object.fromEntries(Object.entries(param.properties).map(([key, child]) => [key, isObject(child) ? valueSchema(child) : {}]));
  }
  if (type === 'array') {
    // step-7 of the tutorial declares `items` as a list of named fields: each item is an object of them.
    if (Array.isArray(param.items)) schema.items = outputSchema(param.items) ?? {};
    else if (isObject(param.items)) schema.items = valueSchema(param.items);
  }
  return describe(schema, param);
}

function describe(schema: Record<string, unknown>, param: Raw): Record<string, unknown> {
  if (typeof param.description === 'string') schema.description = param.description;
  return schema;
}
