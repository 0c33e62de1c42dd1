/**
 * How exposed operations look to MCP clients: the `tools/list` entry (with an `outputSchema`) and the
 * `tools/call` results, successful or failed. Computed once per tool; a call only fills values in.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import { NaftikoError } from '../index.js';
import type { ExposedOperation, ToolHints } from '../orchestration/types.js';
import { clientError } from '../serve/guards.js';
import { isObject } from '../util/isObject.js';

/** A tool as served: what `tools/list` shows and how its results are shaped. */
export interface ServedTool {
  operation: ExposedOperation;
  listed: Tool;
  /** Structured content is `{ result: value }`, because the output schema says the value is not an object. */
  wrap: boolean;
}

/** An error as a tool error's structured content carries it. */
export type ErrorJson = Record<string, unknown> & { code: string; message: string };

/**
 * The served form of a tool. MCP wants an object at the root of `outputSchema` and of
 * `structuredContent` (2025 revisions), so an output that is not an object is described and returned
 * as `{ result: value }`. The schema requires nothing, so `{ error: … }` from a failed call validates
 * against it in clients that check error results too.
 */
export function serveTool(operation: ExposedOperation): ServedTool {
  const listed: Tool = { name: operation.name, inputSchema: operation.inputSchema as Tool['inputSchema'] };
  if (operation.title !== undefined) listed.title = operation.title;
  if (operation.description !== undefined) listed.description = operation.description;
  let wrap = false;
  const output = operation.outputSchema;
  if (output !== undefined) {
    if (isObjectRoot(output)) {
      listed.outputSchema = { ...output, type: 'object' } as Tool['outputSchema'];
    } else {
      listed.outputSchema = { type: 'object', properties: { result: output } } as Tool['outputSchema'];
      wrap = true;
    }
  }
  const annotations = toolAnnotations(operation.title, operation.hints);
  if (annotations) listed.annotations = annotations;
  return { operation, listed, wrap };
}

/** A successful call: the output as JSON text, and as structured content. */
export function toolResult(tool: ServedTool, output: unknown): CallToolResult {
  const value = output ?? null;
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: !tool.wrap && isObject(value) ? value : { result: value },
  };
}

/** A failed call: `CODE: message` as text, the error's JSON (secrets already masked by the runtime) as structured content. */
export function toolError(json: ErrorJson): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${json.code}: ${json.message}` }], structuredContent: { error: json } };
}

/**
 * The JSON form of anything thrown, as a remote client may see it: a NaftikoError's own without the
 * upstream API's address (`clientError`), or `INTERNAL` with the message.
 */
export function errorJson(error: unknown): ErrorJson {
  if (error instanceof NaftikoError) return clientError(error) as ErrorJson;
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

function isObjectRoot(schema: Record<string, unknown>): boolean {
  const type = schema.type;
  return type === 'object' || (Array.isArray(type) && type.length > 0 && type.every((t) => t === 'object' || t === 'null') && type.includes('object'));
}

function toolAnnotations(title: string | undefined, hints: ToolHints | undefined): Tool['annotations'] {
  const annotations = withoutUndefined({
    title,
    readOnlyHint: hints?.readOnly,
    destructiveHint: hints?.destructive,
    idempotentHint: hints?.idempotent,
    openWorldHint: hints?.openWorld,
  });
  return Object.keys(annotations).length > 0 ? annotations : undefined;
}

export function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
