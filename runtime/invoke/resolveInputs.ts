import { InputError, NotSupportedError } from '../errors.js';
import type { OperationPlan, ParameterPlan } from '../compile/plan.js';
import { suggest } from '../util/suggest.js';
import { coerce, preview } from './coerce.js';

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
    if (param.upload) throw new NotSupportedError(`${plan.id}: parameter '${param.name}' is a ${param.upload} upload, which this runtime does not send`, { operation: plan.id, parameter: param.name });
    value = coerceParameter(plan, param, value);
    const problem = param.check?.(value);
    if (problem !== undefined) throw new InputError(`${plan.id}: ${describe(param)} ${problem}`, { operation: plan.id, parameter: param.name });
    resolved[param.name] = value;
  }
  return resolved;
}

function describe(param: ParameterPlan): string {
  return `parameter '${param.name}' (${param.in}${param.type ? `, ${param.type}` : ''})`;
}

function coerceParameter(plan: OperationPlan, param: ParameterPlan, value: unknown): unknown {
  const result = coerce(param.type, value);
  if (result.ok) return result.value;
  throw new InputError(`${plan.id}: ${describe(param)} must be ${result.expected} (got ${preview(value)})`, { operation: plan.id, parameter: param.name });
}
