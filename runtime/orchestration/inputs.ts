/**
 * Input parameters of exposed units (MCP tools, REST operations, aggregate functions): compiled once
 * into a JSON Schema for clients and a checker that runs before anything is called.
 */
import { InputError, type ParameterLocation, type ValueType } from '../index.js';
import { buildInputSchema, coerce, compileJsonPath, compileValueCheck, preview, type CompiledPath, type DiagnosticSink, type ValueCheck } from '../internal.js';
import { PARAMETER_LOCATIONS, VALUE_TYPES, isOneOf } from '../util/vocabulary.js';
import { isObject } from '../util/isObject.js';

/** One declared input of an exposed unit. */
export interface ExposedInput {
  name: string;
  type: ValueType;
  required: boolean;
  description?: string;
  /** REST location; absent for MCP tools and aggregate functions. */
  in?: ParameterLocation;
  pattern?: string;
  enum?: unknown[];
  /** Compiled `enum` and `pattern` checks. */
  check?: ValueCheck;
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
    if (!isOneOf(VALUE_TYPES, type)) {
      sink.error(`${at}/type`, `input '${raw.name}': unknown type '${String(type)}'`);
      return;
    }
    const name = raw.name;
    const input: ExposedInput = { name, type, required: typeof raw.required === 'boolean' ? raw.required : requiredByDefault };
    if (typeof raw.in === 'string') {
      if (!isOneOf(PARAMETER_LOCATIONS, raw.in)) sink.error(`${at}/in`, `input '${name}': unknown location '${raw.in}'`);
      else input.in = raw.in;
    }
    if (input.in === 'path') input.required = true;
    if (typeof raw.description === 'string') input.description = raw.description;
    if (typeof raw.pattern === 'string') input.pattern = raw.pattern;
    if (Array.isArray(raw.enum)) input.enum = raw.enum;
    const check = compileValueCheck(input, (field, severity, message) => sink.add(severity, `${at}/${field}`, `input '${name}': ${message}`));
    if (check) input.check = check;
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
  return buildInputSchema(inputs.map(({ in: _location, ...input }) => input));
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
    const problem = input.check?.(value);
    if (problem !== undefined) throw new InputError(`${operation}: argument '${input.name}' ${problem}`, { operation, parameter: input.name });
    values[input.name] = value;
  }
  return values;
}

function coerceInput(operation: string, input: ExposedInput, value: unknown): unknown {
  const result = coerce(input.type, value);
  if (result.ok) return result.value;
  throw new InputError(`${operation}: argument '${input.name}' must be ${result.expected} (got ${preview(value)})`, { operation, parameter: input.name });
}

