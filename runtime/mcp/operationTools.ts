/**
 * Every consumed operation of a runtime as an MCP tool, for `naftiko mcp`: capabilities without
 * `exposes` (like the Junction seeds) become usable by agents as they are. The tools have the same
 * shape as those compiled from `exposes`, so one MCP server serves both.
 */
import type { OperationInfo, Runtime } from '../index.js';
import { outputSchema } from '../orchestration/outputSchema.js';
import type { ExposedOperation } from '../orchestration/types.js';

/** Longest tool name many MCP clients accept (`^[a-zA-Z0-9_-]{1,64}$`). */
const MAX_NAME = 64;

/**
 * One tool per operation of `runtime`. A tool is named after its operation's name, qualified with
 * the namespace only when several namespaces use that name, then made MCP-safe (other characters
 * than letters, digits, `_` and `-` become `_`, capped at 64 characters, collisions numbered).
 * Titles come from the operations' `label`; hints from their HTTP method (`OperationInfo.hints`), every
 * one given explicitly because MCP's defaults assume the worst (destructive, not idempotent).
 */
export function operationTools(runtime: Runtime): ExposedOperation[] {
  const nameCount = new Map<string, number>();
  for (const op of runtime.operations) nameCount.set(op.name, (nameCount.get(op.name) ?? 0) + 1);

  const taken = new Set<string>();
  return runtime.operations.map((op) => {
    const name = uniqueName(nameCount.get(op.name) === 1 ? op.name : `${op.namespace}_${op.name}`, taken);
    const tool: ExposedOperation = {
      name,
      description: describeOperation(op),
      inputSchema: cleanSchema(op.inputs),
      outputSchema: operationOutputSchema(op),
      hints: { ...op.hints, openWorld: true },
      // The id, not the tool name: it is unambiguous whatever other operations are loaded.
      run: (inputs, options) => runtime.invoke(op.id, inputs, { signal: options?.signal }),
    };
    if (op.label !== undefined) tool.title = op.label;
    return tool;
  });
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
function operationOutputSchema(op: OperationInfo): Record<string, unknown> {
  return outputSchema(op.outputs) ?? { type: 'object', properties: { result: { description: 'The response body.' } } };
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
