import type { JsonSchema } from '../types.js';
import { PARAMETER_LOCATIONS, VALUE_TYPES, isOneOf } from '../util/vocabulary.js';
import type { ParameterPlan } from './plan.js';
import { compileTemplate, type TemplateScope } from './template.js';
import type { DiagnosticSink } from './diagnostics.js';
import { compileValueCheck } from './valueChecks.js';

/** A list of parameter declarations at one level (consumes, resource or operation). */
export interface ParameterLevel {
  list: unknown;
  pointer: string;
}

/**
 * Merges the parameter declarations of every level into one list, inner levels replacing outer ones
 * with the same name and location, first-declared order kept (it is the order of query strings and of
 * appended path segments).
 */
export function compileParameters(levels: ParameterLevel[], scope: TemplateScope, sink: DiagnosticSink): ParameterPlan[] {
  const merged = new Map<string, ParameterPlan>();
  for (const level of levels) {
    if (!Array.isArray(level.list)) continue;
    level.list.forEach((raw, i) => {
      const pointer = `${level.pointer}/${i}`;
      const plan = compileParameter(raw, pointer, scope, sink);
      if (plan) merged.set(`${plan.in}:${plan.name}`, plan);
    });
  }
  return [...merged.values()];
}

function compileParameter(raw: unknown, pointer: string, scope: TemplateScope, sink: DiagnosticSink): ParameterPlan | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const p = raw as Record<string, unknown>;
  const name = typeof p.name === 'string' ? p.name : undefined;
  const location = p.in;
  if (!name || !isOneOf(PARAMETER_LOCATIONS, location)) return undefined;

  const plan: ParameterPlan = { name, in: location, required: false, source: sink.ref(pointer) };
  if (typeof p.type === 'string') {
    if (isOneOf(VALUE_TYPES, p.type)) plan.type = p.type;
    else if (p.type === 'file' || p.type === 'stream') plan.upload = p.type;
    else sink.warn(`${pointer}/type`, `parameter '${name}': unknown type '${p.type}', value is sent as given`);
  }
  if (typeof p.description === 'string' && p.description !== '') plan.description = p.description;
  if (typeof p.value === 'string' || typeof p.value === 'number' || typeof p.value === 'boolean') {
    plan.value = p.value;
    if (typeof p.value === 'string') plan.valueTemplate = compileTemplate(p.value, scope);
  }
  plan.required = plan.value === undefined && (p.required === true || location === 'path');
  if (p.default !== undefined) plan.default = p.default;
  if (Array.isArray(p.enum)) plan.enum = p.enum;
  if (typeof p.pattern === 'string') plan.pattern = p.pattern;
  if (p.schema !== null && typeof p.schema === 'object' && !Array.isArray(p.schema)) plan.schema = p.schema as JsonSchema;
  plan.check = compileValueCheck(plan, (field, severity, message) => sink.add(severity, `${pointer}/${field}`, `parameter '${name}': ${message}`));
  return plan;
}
