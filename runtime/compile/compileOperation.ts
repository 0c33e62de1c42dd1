import { parseBinarySize } from './binarySize.js';
import type { AuthPlan, JsonSchema, OperationPlan, OutputPlan, ParameterPlan, PathPart, RawFormat, Template, ValueType } from '../types.js';
import { compileJsonPath } from '../response/jsonPath.js';
import { compileParameters, type ParameterLevel } from './compileParameters.js';
import { bodyInputs, compileBody } from './compileBody.js';
import { compileTemplate, templateInputs, type TemplateScope } from './template.js';
import type { DiagnosticSink } from './diagnostics.js';

type Raw = Record<string, unknown>;

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const FORMATS = new Set<RawFormat>(['json', 'yaml', 'xml', 'csv', 'tsv', 'psv', 'text', 'html', 'markdown', 'avro', 'protobuf', 'binary', 'ndjson']);
const VALUE_TYPES = new Set<ValueType>(['string', 'number', 'integer', 'boolean', 'object', 'array']);
/** `{x}` and `{{x}}` path placeholders. */
const PLACEHOLDER = /\{\{?\s*([^{}\s]+?)\s*\}?\}/g;

/** A consumed namespace, compiled once and shared by all of its operations. */
export interface ConsumesContext {
  namespace: string;
  baseUri: Template;
  auth: AuthPlan;
  /** Parameters declared on the consumes entry, applied to every operation. */
  parameters: ParameterLevel[];
  scope: TemplateScope;
  sink: DiagnosticSink;
}

/** Compiles one consumed operation into the plan `invoke` fills in and sends. */
export function compileOperation(ctx: ConsumesContext, resource: Raw, resourcePointer: string, operation: Raw, pointer: string): OperationPlan {
  const { sink, scope, namespace } = ctx;
  const name = String(operation.name);
  const where = `operation '${namespace}.${name}'`;
  const method = String(operation.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) sink.error(`${pointer}/method`, `${where}: method '${String(operation.method)}' is not an HTTP method`);

  const parameters = compileParameters(
    [
      ...ctx.parameters,
      { list: resource.inputParameters, pointer: `${resourcePointer}/inputParameters` },
      { list: operation.inputParameters, pointer: `${pointer}/inputParameters` },
    ],
    scope,
    sink,
  );

  const pathPointer = typeof operation.path === 'string' ? `${pointer}/path` : `${resourcePointer}/path`;
  const fullPath = String(operation.path ?? resource.path ?? '');
  const { pathParts, queryParts } = compilePath(fullPath, parameters, where, pathPointer, scope, sink);

  const body = compileBody(operation.body, parameters, `${pointer}/body`, scope, sink);
  const declared = new Set(parameters.map((p) => p.name));
  const referenced = [...parameters.flatMap((p) => (p.valueTemplate ? templateInputs(p.valueTemplate) : [])), ...bodyInputs(body)];
  const extraInputs = [...new Set(referenced.filter((n) => !declared.has(n)))];

  const outputs = compileOutputs(operation.outputParameters, `${pointer}/outputParameters`, where, sink);
  const format = String(operation.outputRawFormat ?? 'json') as RawFormat;
  if (!FORMATS.has(format)) sink.error(`${pointer}/outputRawFormat`, `${where}: outputRawFormat '${format}' is not supported`);
  else if (format === 'ndjson') sink.warn(`${pointer}/outputRawFormat`, `${where}: outputRawFormat 'ndjson' is not in the official grammar; each line is read as one JSON record (outputs see an array of records)`);

  const plan: OperationPlan = {
    namespace,
    name,
    id: `${namespace}.${name}`,
    resource: String(resource.name ?? ''),
    method,
    baseUri: ctx.baseUri,
    pathTemplate: fullPath,
    pathParts,
    queryParts,
    parameters,
    templateInputs: extraInputs,
    inputNames: new Set([...parameters.map((p) => p.name), ...extraInputs]),
    inputSchema: buildInputSchema(parameters, extraInputs, body.kind === 'text' || body.kind === 'json'),
    body,
    auth: ctx.auth,
    outputFormat: format,
    outputs,
    source: sink.ref(pointer),
  };
  if (typeof operation.description === 'string' && operation.description !== '') plan.description = operation.description;
  if (typeof operation.label === 'string') plan.label = operation.label;
  if (operation.maxBinarySize !== undefined) {
    const bytes = parseBinarySize(operation.maxBinarySize);
    if (bytes === undefined) sink.warn(`${pointer}/maxBinarySize`, `${where}: maxBinarySize '${String(operation.maxBinarySize)}' is not a size such as 512KiB or 10MiB; the runtime's limit applies`);
    else plan.maxResponseBytes = bytes;
  }
  return plan;
}

/**
 * Splits a path template into literal text and parameter references. A placeholder with no declared
 * parameter becomes a required implicit path input; a declared path parameter absent from the template
 * is appended as a trailing segment, in declared order (real files group operations under a shorter
 * resource path, e.g. `get_user` under `/v2/user` with path parameter `user_id`).
 */
function compilePath(
  fullPath: string,
  parameters: ParameterPlan[],
  where: string,
  pointer: string,
  scope: TemplateScope,
  sink: DiagnosticSink,
): { pathParts: PathPart[]; queryParts: PathPart[] } {
  const queryStart = fullPath.indexOf('?');
  const template = queryStart === -1 ? fullPath : fullPath.slice(0, queryStart);
  const used = new Set<string>();
  const split = (text: string): PathPart[] => {
    const parts: PathPart[] = [];
    let last = 0;
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (match.index > last) parts.push({ kind: 'text', text: text.slice(last, match.index) });
      last = match.index + match[0].length;
      const name = match[1];
      let param = parameters.find((p) => p.in === 'path' && p.name === name);
      if (!param && match[0].startsWith('{{')) {
        const part = compileTemplate(match[0], scope).parts[0];
        if (part.kind === 'secret') {
          parts.push(part);
          continue;
        }
      }
      if (!param) {
        sink.warn(pointer, `${where}: path placeholder {${name}} has no declared parameter; it is taken from the required input '${name}'`);
        param = { name, in: 'path', type: 'string', required: true, implicit: true, source: sink.ref(pointer) };
        parameters.push(param);
      }
      used.add(name);
      parts.push({ kind: 'param', param });
    }
    if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
    return parts;
  };
  const pathParts = split(template);
  // Real files put placeholders in a fixed query too: `/search/code?q=repo:{{owner}}/{{name}}`.
  const queryParts = queryStart === -1 ? [] : split(fullPath.slice(queryStart + 1));

  for (const param of parameters) {
    if (param.in !== 'path' || used.has(param.name)) continue;
    sink.warn(pointer, `${where}: path parameter '${param.name}' is not in the path '${template}'; it is sent as a trailing segment`);
    pathParts.push({ kind: 'text', text: '/' }, { kind: 'param', param });
  }
  return { pathParts: mergeText(pathParts), queryParts };
}

function mergeText(parts: PathPart[]): PathPart[] {
  const merged: PathPart[] = [];
  for (const part of parts) {
    const prev = merged[merged.length - 1];
    if (part.kind === 'text' && prev?.kind === 'text') {
      // A trailing slash on the resource path must not double up with an appended segment.
      merged[merged.length - 1] = { kind: 'text', text: prev.text.endsWith('/') && part.text === '/' ? prev.text : prev.text + part.text };
    } else merged.push(part);
  }
  return merged;
}

function compileOutputs(raw: unknown, pointer: string, where: string, sink: DiagnosticSink): OutputPlan[] {
  if (!Array.isArray(raw)) return [];
  const outputs: OutputPlan[] = [];
  raw.forEach((entry: Raw, i) => {
    if (entry === null || typeof entry !== 'object' || typeof entry.name !== 'string') return;
    const value = typeof entry.value === 'string' ? entry.value : '$';
    try {
      const output: OutputPlan = { name: entry.name, path: compileJsonPath(value) };
      if (VALUE_TYPES.has(entry.type as ValueType)) output.type = entry.type as ValueType;
      outputs.push(output);
    } catch (error) {
      sink.error(`${pointer}/${i}/value`, `${where}: output '${entry.name}': ${(error as Error).message}`);
    }
  });
  return outputs;
}

/** The inputs of an operation as one JSON Schema object, for agents, `describe` and tool schemas. */
function buildInputSchema(parameters: ParameterPlan[], templateInputNames: string[], templatedBody: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of parameters) {
    const schema: JsonSchema = { ...(p.schema ?? {}) };
    if (p.type) schema.type = p.type;
    if (p.description) schema.description = p.description;
    if (p.enum) schema.enum = p.enum;
    if (p.pattern) schema.pattern = p.pattern;
    if (p.default !== undefined) schema.default = p.default;
    schema['x-in'] = p.in;
    properties[p.name] = schema;
    if (p.required && p.default === undefined && !required.includes(p.name)) required.push(p.name);
  }
  for (const name of templateInputNames) {
    if (properties[name]) continue;
    properties[name] = { description: 'Value substituted into a {{template}} of this operation.', 'x-in': 'template' };
    if (templatedBody) required.push(name);
  }
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema.required = required;
  return schema;
}
