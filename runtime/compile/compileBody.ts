import type { BodyPlan, JsonTemplate, ParameterPlan, Template } from './plan.js';
import { compileTemplate, isLiteral, templateInputs, type TemplateScope } from './template.js';
import type { DiagnosticSink } from './diagnostics.js';

const TEXT_TYPES: Record<string, string> = {
  text: 'text/plain; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  sparql: 'application/sparql-query',
};

/**
 * Compiles the request body of an operation. Without an alpha2 `body`, the `in: body` parameters
 * make the body: one object/array parameter (or one untyped parameter named `body`) is the whole
 * JSON body, otherwise each becomes a property of one JSON object. `body: {type: json}` with no
 * `data` takes the whole body from the caller's `body` input, declared here as an implicit parameter.
 */
export function compileBody(rawBody: unknown, parameters: ParameterPlan[], pointer: string, scope: TemplateScope, sink: DiagnosticSink): BodyPlan {
  const bodyParams = parameters.filter((p) => p.in === 'body');
  if (rawBody === undefined || rawBody === null) return parameterBody(bodyParams);

  if (typeof rawBody === 'string') {
    return { kind: 'text', contentType: looksLikeJson(rawBody) ? 'application/json' : 'text/plain; charset=utf-8', data: compileTemplate(rawBody, scope), json: looksLikeJson(rawBody) };
  }
  if (typeof rawBody !== 'object' || Array.isArray(rawBody)) {
    sink.error(pointer, 'body must be a string or an object with type and data');
    return { kind: 'none' };
  }
  const body = rawBody as Record<string, unknown>;
  const type = String(body.type ?? 'json');
  const data = body.data;
  if (bodyParams.length > 0 && data !== undefined) {
    sink.warn(pointer, `body data is given, so the in: body parameters ${bodyParams.map((p) => `'${p.name}'`).join(', ')} are not sent`);
  }
  switch (type) {
    case 'json':
      if (data === undefined) {
        if (bodyParams.length === 0) parameters.push({ name: 'body', in: 'body', type: 'object', required: true, implicit: true, description: 'Request body (JSON).', source: sink.ref(pointer) });
        return parameterBody(parameters.filter((p) => p.in === 'body'));
      }
      if (typeof data === 'string') return { kind: 'text', contentType: 'application/json', data: compileTemplate(data, scope), json: true };
      return { kind: 'json', data: compileJsonTemplate(data, scope) };
    case 'text':
    case 'xml':
    case 'sparql':
      return { kind: 'text', contentType: TEXT_TYPES[type], data: compileTemplate(String(data ?? ''), scope), json: false };
    case 'formUrlEncoded':
    case 'form':
      if (typeof data === 'string') return { kind: 'form', fields: compileTemplate(data, scope) };
      return { kind: 'form', fields: Object.entries((data ?? {}) as Record<string, unknown>).map(([k, v]) => [k, compileTemplate(String(v), scope)]) };
    case 'multipartForm':
      return {
        kind: 'multipart',
        parts: (Array.isArray(data) ? data : []).map((part: Record<string, unknown>) => ({
          name: String(part.name),
          value: compileTemplate(String(part.value ?? ''), scope),
          ...(typeof part.filename === 'string' ? { filename: part.filename } : {}),
          ...(typeof part.contentType === 'string' ? { contentType: part.contentType } : {}),
        })),
      };
    default:
      sink.error(`${pointer}/type`, `body type '${type}' is not one of json, text, xml, sparql, formUrlEncoded, multipartForm`);
      return { kind: 'none' };
  }
}

function parameterBody(bodyParams: ParameterPlan[]): BodyPlan {
  if (bodyParams.length === 0) return { kind: 'none' };
  const names = bodyParams.map((p) => p.name);
  if (bodyParams.length === 1) {
    const only = bodyParams[0];
    const whole = only.type === 'object' || only.type === 'array' || (only.type === undefined && only.name === 'body');
    if (whole) return { kind: 'parameters', whole: only.name, names };
  }
  return { kind: 'parameters', whole: undefined, names };
}

function compileJsonTemplate(value: unknown, scope: TemplateScope): JsonTemplate {
  if (typeof value === 'string') {
    const template = compileTemplate(value, scope);
    return isLiteral(template) ? { kind: 'literal', value } : { kind: 'string', template };
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => compileJsonTemplate(v, scope));
    return items.every((i) => i.kind === 'literal') ? { kind: 'literal', value } : { kind: 'array', items };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]): [string, JsonTemplate] => [k, compileJsonTemplate(v, scope)]);
    return entries.every(([, e]) => e.kind === 'literal') ? { kind: 'literal', value } : { kind: 'object', entries };
  }
  return { kind: 'literal', value };
}

/** Caller inputs that the body's templates refer to. */
export function bodyInputs(plan: BodyPlan): string[] {
  return bodyTemplates(plan).flatMap(templateInputs);
}

/** Every template of a body, in the order they are rendered. */
export function bodyTemplates(plan: BodyPlan): Template[] {
  switch (plan.kind) {
    case 'text':
      return [plan.data];
    case 'json':
      return jsonTemplates(plan.data);
    case 'form':
      return Array.isArray(plan.fields) ? plan.fields.map(([, t]) => t) : [plan.fields];
    case 'multipart':
      return plan.parts.map((p) => p.value);
    default:
      return [];
  }
}

function jsonTemplates(node: JsonTemplate): Template[] {
  switch (node.kind) {
    case 'string':
      return [node.template];
    case 'array':
      return node.items.flatMap(jsonTemplates);
    case 'object':
      return node.entries.flatMap(([, v]) => jsonTemplates(v));
    default:
      return [];
  }
}

function looksLikeJson(text: string): boolean {
  const start = text.trimStart()[0];
  return start === '{' || start === '[';
}
