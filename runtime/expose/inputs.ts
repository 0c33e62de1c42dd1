/**
 * Input parameters of exposed units (MCP tools, REST operations, aggregate functions): compiled once
 * into a JSON Schema for clients and a checker that runs before anything is called.
 */
import { InputError } from '../errors.js';
import type { CompiledPath, ParameterLocation, ValueType } from '../types.js';
import type { DiagnosticSink } from '../compile/diagnostics.js';
import { compileJsonPath } from '../response/jsonPath.js';
import { coerce, preview } from '../invoke/coerce.js';

type Raw = Record<string, unknown>;

const TYPES: readonly ValueType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array'];
const LOCATIONS: readonly ParameterLocation[] = ['path', 'query', 'header', 'cookie', 'body'];

/** One declared input of an exposed unit. */
export interface ExposedInput {
  name: string;
  type: ValueType;
  required: boolean;
  description?: string;
  /** REST location; absent for MCP tools and aggregate functions. */
  in?: ParameterLocation;
  pattern?: RegExp;
  enum?: unknown[];
  /** `value: $.user.id`: where a REST adapter finds the input in the JSON request body. */
  bodyPath?: CompiledPath;
  /** `value` that is not a JSONPath: used when the caller gives nothing. */
  default?: unknown;
}

/**
 * Compiles `inputParameters`. `requiredByDefault` is true for MCP tools and aggregate functions
 * (spec 3.5.6) and false for REST parameters, which have no `required` field (path parameters are
 * always required, since a route cannot match without them).
 */
export function compileInputs(list: unknown, pointer: string, sink: DiagnosticSink, requiredByDefault: boolean): ExposedInput[] {
  if (!Array.isArray(list)) return [];
  const inputs: ExposedInput[] = [];
  list.forEach((raw: unknown, i) => {
    const at = `${pointer}/${i}`;
    if (!isObject(raw) || typeof raw.name !== 'string') {
      sink.error(at, 'input parameter has no name');
      return;
    }
    const type = raw.type === undefined ? 'string' : raw.type;
    if (!TYPES.includes(type as ValueType)) {
      sink.error(`${at}/type`, `input '${raw.name}': unknown type '${String(type)}'`);
      return;
    }
    const input: ExposedInput = { name: raw.name, type: type as ValueType, required: typeof raw.required === 'boolean' ? raw.required : requiredByDefault };
    if (typeof raw.in === 'string') {
      if (!LOCATIONS.includes(raw.in as ParameterLocation)) sink.error(`${at}/in`, `input '${raw.name}': unknown location '${raw.in}'`);
      else input.in = raw.in as ParameterLocation;
    }
    if (input.in === 'path') input.required = true;
    if (typeof raw.description === 'string') input.description = raw.description;
    if (typeof raw.pattern === 'string') {
      try {
        input.pattern = new RegExp(raw.pattern, 'u');
      } catch (error) {
        sink.error(`${at}/pattern`, `input '${raw.name}': invalid pattern: ${(error as Error).message}`);
      }
    }
    if (Array.isArray(raw.enum)) input.enum = raw.enum;
    if (typeof raw.value === 'string' && raw.value.trim().startsWith('$')) {
      try {
        input.bodyPath = compileJsonPath(raw.value);
      } catch (error) {
        sink.error(`${at}/value`, (error as Error).message);
      }
    } else if (raw.value !== undefined) {
      input.default = raw.value;
    }
    const previous = inputs.findIndex((p) => p.name === input.name);
    if (previous >= 0) inputs[previous] = input;
    else inputs.push(input);
  });
  return inputs;
}

/** The inputs as a JSON Schema object, as MCP clients and REST describers expect. */
export function inputSchema(inputs: ExposedInput[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const input of inputs) {
    const property: Record<string, unknown> = { type: input.type };
    if (input.description !== undefined) property.description = input.description;
    if (input.pattern !== undefined) property.pattern = input.pattern.source;
    if (input.enum !== undefined) property.enum = input.enum;
    if (input.default !== undefined) property.default = input.default;
    properties[input.name] = property;
  }
  const schema: Record<string, unknown> = { type: 'object', properties, additionalProperties: false };
  const required = inputs.filter((i) => i.required && i.default === undefined).map((i) => i.name);
  if (required.length > 0) schema.required = required;
  return schema;
}

/**
 * Checks the caller's arguments and returns them typed. Text is coerced where the declared type asks
 * for it (REST path, query and header values are always text): `"3"` → 3, `"true"` → true, JSON text →
 * arrays and objects. Throws INPUT_INVALID naming the argument.
 */
export function checkInputs(operation: string, inputs: ExposedInput[], args: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(args)) {
    if (args[key] !== undefined && !inputs.some((i) => i.name === key)) {
      const known = inputs.length > 0 ? ` (arguments: ${inputs.map((i) => i.name).join(', ')})` : ' (it takes no arguments)';
      throw new InputError(`${operation}: unknown argument '${key}'${known}`, { operation, parameter: key });
    }
  }
  const values: Record<string, unknown> = {};
  for (const input of inputs) {
    let value = args[input.name];
    if (value === undefined || value === null) {
      if (input.default !== undefined) value = input.default;
      else if (input.required) throw new InputError(`${operation}: missing required argument '${input.name}'`, { operation, parameter: input.name });
      else continue;
    }
    value = coerceInput(operation, input, value);
    if (input.enum !== undefined && !input.enum.some((allowed) => allowed === value)) {
      throw new InputError(`${operation}: argument '${input.name}' must be one of ${input.enum.map((e) => JSON.stringify(e)).join(', ')}`, { operation, parameter: input.name });
    }
    if (input.pattern !== undefined && typeof value === 'string' && !input.pattern.test(value)) {
      throw new InputError(`${operation}: argument '${input.name}' does not match the pattern ${input.pattern.source}`, { operation, parameter: input.name });
    }
    values[input.name] = value;
  }
  return values;
}

function coerceInput(operation: string, input: ExposedInput, value: unknown): unknown {
  const result = coerce(input.type, value);
  if (result.ok) return result.value;
  throw new InputError(`${operation}: argument '${input.name}' must be ${result.expected} (got ${preview(value)})`, { operation, parameter: input.name });
}

function isObject(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
