/**
 * Every consumed operation of a runtime as an MCP tool, for `naftiko mcp`: capabilities without
 * `exposes` (like the Junction seeds) become usable by agents as they are. The tools have the same
 * shape as those compiled from `exposes`, so one MCP server serves both.
 */
import type { Capability, OperationInfo } from '../types.js';
import type { Runtime } from '../runtime.js';
import type { ExposedOperation, ToolHints } from '../expose/types.js';

/** Longest tool name many MCP clients accept (`^[a-zA-Z0-9_-]{1,64}$`). */
const MAX_NAME = 64;

/**
 * One tool per operation of `runtime`. A tool is named after its operation's name, qualified with
 * the namespace only when several namespaces use that name, then made MCP-safe (other characters
 * than letters, digits, `_` and `-` become `_`, capped at 64 characters, collisions numbered).
 * Titles come from the operations' `label` in `capabilities`, when they have one.
 */
export function operationTools(runtime: Runtime, capabilities: Capability[] = []): ExposedOperation[] {
  const labels = new Map<string, string>();
  for (const capability of capabilities) for (const plan of capability.plans) if (plan.label) labels.set(plan.id, plan.label);

  const nameCount = new Map<string, number>();
  for (const op of runtime.operations) nameCount.set(op.name, (nameCount.get(op.name) ?? 0) + 1);

  const taken = new Set<string>();
  return runtime.operations.map((op) => {
    const name = uniqueName(nameCount.get(op.name) === 1 ? op.name : `${op.namespace}_${op.name}`, taken);
    const tool: ExposedOperation = {
      name,
      description: describeOperation(op),
      inputSchema: cleanSchema(op.inputs),
      outputSchema: outputSchema(op),
      hints: methodHints(op.method),
      // The id, not the tool name: it is unambiguous whatever other operations are loaded.
      run: (inputs, options) => runtime.invoke(op.id, inputs, { signal: options?.signal }),
    };
    const label = labels.get(op.id);
    if (label !== undefined) tool.title = label;
    return tool;
  });
}

/**
 * What an HTTP method says about a call, as MCP hints. POST only adds (not destructive); PUT and
 * PATCH overwrite what is there, DELETE removes it. Every hint is given explicitly because MCP's
 * defaults assume the worst (destructive, not idempotent).
 */
export function methodHints(method: string): ToolHints {
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
      return { readOnly: true, destructive: false, idempotent: true, openWorld: true };
    case 'PUT':
    case 'DELETE':
      return { readOnly: false, destructive: true, idempotent: true, openWorld: true };
    case 'PATCH':
      return { readOnly: false, destructive: true, idempotent: false, openWorld: true };
    default:
      return { readOnly: false, destructive: false, idempotent: false, openWorld: true };
  }
}

function describeOperation(op: OperationInfo): string {
  const route = `${op.method} ${op.path}`;
  const text = op.description?.trim();
  return text ? `${text}\n\n${route}` : route;
}

/**
 * What `invoke` returns: one property per declared output (null when its JSONPath finds nothing),
 * or the whole converted body as `result` when the operation declares none.
 */
function outputSchema(op: OperationInfo): Record<string, unknown> {
  if (op.outputs.length === 0) return { type: 'object', properties: { result: { description: 'The response body.' } } };
  const properties: Record<string, unknown> = {};
  for (const output of op.outputs) properties[output.name] = output.type === undefined ? {} : { type: [output.type, 'null'] };
  return { type: 'object', properties };
}

/** The runtime's `x-in` keyword only matters to the runtime itself; agents get plain JSON Schema. */
function cleanSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  if (properties === undefined) return schema;
  const clean: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    const { 'x-in': _location, ...rest } = property;
    clean[name] = rest;
  }
  return { ...schema, properties: clean };
}

function uniqueName(raw: string, taken: Set<string>): string {
  const base = raw.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_NAME) || 'operation';
  let name = base;
  for (let n = 2; taken.has(name); n++) {
    const suffix = `_${n}`;
    name = `${base.slice(0, MAX_NAME - suffix.length)}${suffix}`;
  }
  taken.add(name);
  return name;
}
