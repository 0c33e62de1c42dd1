import type { JsonSchema, ValueType } from '../types.js';

/** One input as the schema describes it. */
export interface SchemaInput {
  name: string;
  type?: ValueType;
  required: boolean;
  description?: string;
  enum?: unknown[];
  pattern?: string;
  default?: unknown;
  /** A JSON Schema the value must satisfy; the other fields are laid over it. */
  schema?: JsonSchema;
  /** Where the value is sent, kept as `x-in` (the runtime's own keyword; adapters strip it for agents). */
  in?: string;
}

/**
 * The inputs of an operation or exposed unit as one JSON Schema object, for agents, `describe`, MCP tool
 * schemas and REST describers. An input with a default is never required: the default fills it.
 */
export function buildInputSchema(inputs: SchemaInput[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const input of inputs) {
    const property: JsonSchema = { ...(input.schema ?? {}) };
    if (input.type) property.type = input.type;
    if (input.description) property.description = input.description;
    if (input.enum) property.enum = input.enum;
    if (input.pattern !== undefined) property.pattern = input.pattern;
    if (input.default !== undefined) property.default = input.default;
    if (input.in !== undefined) property['x-in'] = input.in;
    properties[input.name] = property;
    if (input.required && input.default === undefined && !required.includes(input.name)) required.push(input.name);
  }
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema.required = required;
  return schema;
}
