import { validateHeaderName } from 'node:http';
import type { JsonSchema } from '../types.js';
import { isObject } from '../util/isObject.js';
import { HTTP_METHODS, RAW_FORMATS, VALUE_TYPES, isOneOf } from '../util/vocabulary.js';
import type { AuthPlan, OperationPlan, OutputPlan, ParameterPlan, PathPart, Template } from './plan.js';
import { compileJsonPath } from '../response/jsonPath.js';
import { buildInputSchema } from './inputSchema.js';
import { compileParameters, type ParameterLevel } from './compileParameters.js';
import { compilePagination } from './compilePagination.js';
import { bodyInputs, compileBody } from './compileBody.js';
import { compileTemplate, templateInputs, type TemplateScope } from './template.js';
import type { DiagnosticSink } from './diagnostics.js';

type Raw = Record<string, unknown>;

/** Where an idempotency key goes unless the file says otherwise (the IETF httpapi draft's name). */
const DEFAULT_IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** `{x}` and `{{x}}` path placeholders. */
const PLACEHOLDER = /\{\{?\s*([^{}\s]+?)\s*\}?\}/g;

/** A consumed namespace, compiled once and shared by all of its operations. */
export interface ConsumesContext {
  namespace: string;
  baseUri: Template;
  auth: AuthPlan;
  /** Parameters declared on the consumes entry, applied to every operation. */
  parameters: ParameterLevel[];
  /** The namespace's `idempotencyKey.header`, when it names one. */
  idempotencyHeader?: string;
  scope: TemplateScope;
  sink: DiagnosticSink;
}

/** Compiles one consumed operation into the plan `invoke` fills in and sends. */
export function compileOperation(ctx: ConsumesContext, resource: Raw, resourcePointer: string, operation: Raw, pointer: string): OperationPlan {
  const { sink, scope, namespace } = ctx;
  const name = String(operation.name);
  const where = `operation '${namespace}.${name}'`;
  const method = String(operation.method ?? 'GET').toUpperCase();
  if (!isOneOf(HTTP_METHODS, method)) sink.error(`${pointer}/method`, `${where}: method '${String(operation.method)}' is not an HTTP method`);

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
  // A caller input in the base URI (`https://{{input.region}}.api.com`) is required: no URL without it.
  const baseUriInputs = templateInputs(ctx.baseUri);
  const referenced = [...parameters.flatMap((p) => (p.valueTemplate ? templateInputs(p.valueTemplate) : [])), ...bodyInputs(body), ...baseUriInputs];
  const extraInputs = [...new Set(referenced.filter((n) => !declared.has(n)))];
  const templatedBody = body.kind === 'text' || body.kind === 'json';
  const requiredInputs = new Set(templatedBody ? extraInputs : baseUriInputs);

  const outputs = compileOutputs(operation.outputParameters, `${pointer}/outputParameters`, where, sink);
  const format = String(operation.outputRawFormat ?? 'json');
  if (!isOneOf(RAW_FORMATS, format)) sink.error(`${pointer}/outputRawFormat`, `${where}: outputRawFormat '${format}' is not supported`);

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
    inputSchema: operationInputSchema(parameters, extraInputs, requiredInputs),
    body,
    auth: ctx.auth,
    outputFormat: isOneOf(RAW_FORMATS, format) ? format : 'json',
    outputs,
    idempotencyHeader: compileIdempotencyHeader(operation.idempotencyKey, `${pointer}/idempotencyKey`, sink) ?? ctx.idempotencyHeader ?? DEFAULT_IDEMPOTENCY_HEADER,
    source: sink.ref(pointer),
  };
  const pagination = compilePagination(operation.pagination, `${pointer}/pagination`, where, parameters, sink);
  if (pagination !== undefined) plan.pagination = pagination;
  if (typeof operation.description === 'string' && operation.description !== '') plan.description = operation.description;
  if (typeof operation.label === 'string') plan.label = operation.label;
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
      if (isOneOf(VALUE_TYPES, entry.type)) output.type = entry.type;
      outputs.push(output);
    } catch (error) {
      sink.error(`${pointer}/${i}/value`, `${where}: output '${entry.name}': ${(error as Error).message}`);
    }
  });
  return outputs;
}

/** The inputs of an operation as one JSON Schema object; `{{name}}` template inputs are described too. */
function operationInputSchema(parameters: ParameterPlan[], templateInputNames: string[], required: Set<string>): JsonSchema {
  return buildInputSchema([
    ...parameters,
    ...templateInputNames.map((name) => ({ name, required: required.has(name), description: 'Value substituted into a {{template}} of this operation.', in: 'template' })),
  ]);
}

/** `idempotencyKey: { header: X-Request-Id }` (on an operation or a namespace): the header's name, checked at load. */
export function compileIdempotencyHeader(raw: unknown, pointer: string, sink: DiagnosticSink): string | undefined {
  if (!isObject(raw) || typeof raw.header !== 'string') return undefined;
  try {
    validateHeaderName(raw.header);
  } catch {
    sink.error(`${pointer}/header`, `idempotencyKey.header '${raw.header}' is not an HTTP header name`);
    return undefined;
  }
  return raw.header;
}
