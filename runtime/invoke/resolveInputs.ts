import { InputError } from '../errors.js';
import type { OperationPlan, ParameterPlan } from '../types.js';
import { suggest } from '../suggest.js';

/** Caller inputs after defaults, type coercion and checks, by parameter name. */
export type ResolvedInputs = Record<string, unknown>;

/**
 * Checks the caller's inputs against an operation's parameters: unknown names, missing required
 * values, types (strings from a command line are coerced: `limit=10` → 10, `limit=ten` → error),
 * `enum`, `pattern` and `schema`. Absent and `null` values are left out; they are never sent as text.
 */
export function resolveInputs(plan: OperationPlan, inputs: Record<string, unknown>): ResolvedInputs {
  for (const key in inputs) {
    if (!plan.inputNames.has(key) && inputs[key] !== undefined) {
      const hint = suggest(key, [...plan.inputNames]);
      const known = plan.inputNames.size > 0 ? ` (inputs: ${[...plan.inputNames].join(', ')})` : ' (it takes no inputs)';
      throw new InputError(`${plan.id}: unknown input '${key}'${hint.length > 0 ? `; did you mean '${hint[0]}'?` : known}`, { operation: plan.id, parameter: key });
    }
  }
  const resolved: ResolvedInputs = {};
  for (const param of plan.parameters) {
    let value = inputs[param.name];
    if (value === undefined || value === null) {
      if (param.value !== undefined) continue;
      if (param.default === undefined) {
        if (param.required) throw new InputError(`${plan.id}: missing required ${describe(param)}`, { operation: plan.id, parameter: param.name });
        continue;
      }
      value = param.default;
    }
    value = coerce(plan, param, value);
    const problem = param.check?.(value);
    if (problem !== undefined) throw new InputError(`${plan.id}: ${describe(param)} ${problem}`, { operation: plan.id, parameter: param.name });
    resolved[param.name] = value;
  }
  return resolved;
}

function describe(param: ParameterPlan): string {
  return `parameter '${param.name}' (${param.in}${param.type ? `, ${param.type}` : ''})`;
}

const INTEGER = /^[-+]?\d+$/;

function coerce(plan: OperationPlan, param: ParameterPlan, value: unknown): unknown {
  const fail = (expected: string): never => {
    throw new InputError(`${plan.id}: ${describe(param)} must be ${expected} (got ${preview(value)})`, { operation: plan.id, parameter: param.name });
  };
  switch (param.type) {
    case undefined:
      return value;
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return fail('a string');
    case 'integer':
      if (typeof value === 'number') return Number.isInteger(value) ? value : fail('an integer');
      if (typeof value === 'string' && INTEGER.test(value.trim())) return Number(value);
      return fail('an integer');
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? value : fail('a finite number');
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return fail('a number');
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true') return true;
      if (value === 'false') return false;
      return fail('a boolean (true or false)');
    case 'object':
    case 'array': {
      let parsed = value;
      if (typeof value === 'string') {
        try {
          parsed = JSON.parse(value);
        } catch {
          return fail(`${param.type === 'object' ? 'a JSON object' : 'a JSON array'}`);
        }
      }
      if (param.type === 'array') return Array.isArray(parsed) ? parsed : fail('an array');
      // Generated files declare `type: object` for every body, even where the API takes an array.
      return parsed !== null && typeof parsed === 'object' ? parsed : fail('an object');
    }
  }
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
