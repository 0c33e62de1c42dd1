import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import type { JsonSchema, ParameterLocation, ParameterPlan, ValueType } from '../types.js';
import { compileTemplate, type TemplateScope } from './template.js';
import { DiagnosticSink, token } from './diagnostics.js';

const LOCATIONS = new Set<ParameterLocation>(['path', 'query', 'header', 'cookie', 'body']);
const TYPES = new Set<ValueType>(['string', 'number', 'integer', 'boolean', 'object', 'array']);

/** One validator compiler for every parameter schema of the process: schemas compile once, at load. */
const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });

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
  const location = p.in as ParameterLocation;
  if (!name || !LOCATIONS.has(location)) return undefined;

  const plan: ParameterPlan = { name, in: location, required: false, source: sink.ref(pointer) };
  if (typeof p.type === 'string') {
    if (TYPES.has(p.type as ValueType)) plan.type = p.type as ValueType;
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
  plan.check = compileCheck(plan, pointer, sink);
  return plan;
}

/** Builds the enum/pattern/schema check of a parameter, or undefined when there is nothing to check. */
function compileCheck(plan: ParameterPlan, pointer: string, sink: DiagnosticSink): ParameterPlan['check'] {
  const checks: Array<(value: unknown) => string | undefined> = [];
  if (plan.enum) {
    const allowed = plan.enum;
    const keys = new Set(allowed.map((v) => JSON.stringify(v)));
    checks.push((value) =>
      keys.has(JSON.stringify(value)) ? undefined : `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(value)})`,
    );
  }
  if (plan.pattern !== undefined) {
    try {
      const regex = new RegExp(plan.pattern, 'u');
      const pattern = plan.pattern;
      checks.push((value) => (typeof value !== 'string' || regex.test(value) ? undefined : `must match pattern ${pattern} (got ${JSON.stringify(value)})`));
    } catch {
      sink.warn(`${pointer}/pattern`, `parameter '${plan.name}': pattern ${plan.pattern} is not a valid regular expression; it is not checked`);
    }
  }
  if (plan.schema) {
    try {
      const validate = ajv.compile(plan.schema);
      checks.push((value) => (validate(value) ? undefined : describeSchemaErrors(validate.errors ?? [])));
    } catch (error) {
      sink.error(`${pointer}/schema`, `parameter '${plan.name}': schema does not compile: ${(error as Error).message}`);
    }
  }
  if (checks.length === 0) return undefined;
  if (checks.length === 1) return checks[0];
  return (value) => {
    for (const check of checks) {
      const problem = check(value);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** Turns ajv errors into one line that names the JSON pointer of each failing value. */
function describeSchemaErrors(errors: ErrorObject[]): string {
  return errors
    .slice(0, 5)
    .map((e) => {
      let where = e.instancePath;
      let message = e.message ?? 'is invalid';
      if (e.keyword === 'required') where += `/${token(String(e.params.missingProperty))}`, (message = 'is required');
      else if (e.keyword === 'additionalProperties') where += `/${token(String(e.params.additionalProperty))}`, (message = 'is not allowed');
      else if (e.keyword === 'enum') message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      return `at ${where || '/'}: ${message}`;
    })
    .join('; ');
}
