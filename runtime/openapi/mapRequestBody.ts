/**
 * OpenAPI request bodies → the inputs that build them. A JSON body is one `body` parameter carrying
 * the JSON Schema (checked before anything is sent); form, multipart, text and XML bodies are
 * templates of inputs. Among several media types JSON is preferred, then forms, then text.
 */
import type { ParameterModel, TemplateBody } from './model.js';
import { deref, isObject, objectAt, type Raw } from './document.js';
import { copyChecks, type ParameterContext } from './mapParameters.js';

/**
 * Set by `naftiko export openapi` on a body the capability builds from several `in: body` parameters,
 * so that a round trip gives the same inputs back.
 */
export const BODY_PARAMETERS_EXTENSION = 'x-naftiko-body-parameters';

/** The inputs of a request body: body parameters, or a template body and its fields. */
export interface MappedBody {
  parameters: ParameterModel[];
  body?: TemplateBody;
}

/** Maps `operation.requestBody`; `taken` are the names of the operation's other parameters. */
export function mapRequestBody(operation: Raw, taken: Set<string>, ctx: ParameterContext): MappedBody {
  const requestBody = deref(ctx.document, operation.requestBody);
  if (!requestBody) return { parameters: [] };
  const content = objectAt(requestBody, 'content');
  const types = Object.keys(content);
  const pick = (test: (type: string) => boolean) => types.find((t) => test(t.toLowerCase()));
  const json = pick((t) => /^application\/(.+\+)?json\b/.test(t) || t === '*/*');
  const form = pick((t) => t.startsWith('application/x-www-form-urlencoded'));
  const multipart = pick((t) => t.startsWith('multipart/form-data'));
  const text = pick((t) => t.startsWith('text/plain'));
  const xml = pick((t) => /^(application|text)\/(.+\+)?xml\b/.test(t));
  const required = requestBody.required === true;
  const describe = typeof requestBody.description === 'string' ? requestBody.description : undefined;

  if (json) return { parameters: jsonParameters(json, objectAt(content, json), required, describe, taken, ctx, requestBody[BODY_PARAMETERS_EXTENSION] === true) };
  if (form || multipart) {
    const type = (form ?? multipart) as string;
    return { parameters: [], body: formBody(form ? 'formUrlEncoded' : 'multipartForm', objectAt(content, type).schema, ctx) };
  }
  if (text || xml) {
    if (taken.has('body')) ctx.report.notExpressible(ctx.subject, "the text body is filled from the input 'body', which a parameter of the same name already takes");
    return { parameters: [], body: { kind: text ? 'text' : 'xml', fields: [] } };
  }
  ctx.report.notExpressible(ctx.subject, `request body ${types.join(', ') || '(no media type)'} is not expressible (JSON, forms, multipart, text and XML are): the operation is sent without a body`);
  return { parameters: [] };
}

function jsonParameters(mediaType: string, media: Raw, required: boolean, description: string | undefined, taken: Set<string>, ctx: ParameterContext, flatten: boolean): ParameterModel[] {
  const source = media.schema;
  const schema = source === undefined ? {} : ctx.schemas.convert(source, 'request');
  const parameters: ParameterModel[] = [];
  if (!/^application\/json\b/i.test(mediaType) && mediaType !== '*/*') {
    // The runtime sends JSON bodies as application/json unless the request already names its type.
    parameters.push({ name: 'Content-Type', in: 'header', required: false, value: mediaType });
  }
  if (flatten && isObject(schema.properties)) {
    const requiredNames = Array.isArray(schema.required) ? schema.required : [];
    const sourceProperties = isObject(source) ? objectAt(deref(ctx.document, source), 'properties') : {};
    for (const [name, property] of Object.entries(schema.properties)) {
      const p = isObject(property) ? property : {};
      const parameter: ParameterModel = { name, in: 'body', required: requiredNames.includes(name) };
      const type = ctx.schemas.typeOf(sourceProperties[name]);
      if (type !== undefined) parameter.type = type;
      if (typeof p.description === 'string') parameter.description = p.description;
      copyChecks(parameter, p);
      parameters.push(parameter);
    }
    return parameters;
  }
  const name = taken.has('body') ? 'request_body' : 'body';
  const parameter: ParameterModel = { name, in: 'body', required };
  const type = source === undefined ? 'object' : ctx.schemas.typeOf(source);
  // Only an object or array parameter (or an untyped one named `body`) is sent as the whole body.
  if (type === 'object' || type === 'array') parameter.type = type;
  else if (name !== 'body') parameter.type = 'object';
  const text = description ?? (typeof schema.description === 'string' ? schema.description : undefined);
  parameter.description = text ?? 'Request body (JSON).';
  if (Object.keys(schema).length > 0) parameter.schema = schema;
  parameters.push(parameter);
  return parameters;
}

function formBody(kind: 'formUrlEncoded' | 'multipartForm', source: unknown, ctx: ParameterContext): TemplateBody {
  const schema = ctx.schemas.convert(source, 'request');
  const properties = isObject(schema.properties) ? schema.properties : {};
  const requiredNames = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const fields = Object.keys(properties).map((name) => {
    const property = isObject(properties[name]) ? (properties[name] as Raw) : {};
    const binary = property.format === 'binary' || property.contentMediaType !== undefined;
    return binary ? { name, filename: name, contentType: typeof property.contentMediaType === 'string' ? property.contentMediaType : 'application/octet-stream' } : { name };
  });
  const optional = fields.filter((f) => !requiredNames.has(f.name)).map((f) => f.name);
  if (optional.length > 0) {
    ctx.report.notExpressible(ctx.subject, `optional ${kind === 'formUrlEncoded' ? 'form' : 'multipart'} fields ${optional.map((n) => `'${n}'`).join(', ')} become required inputs: a body template sends every field it names`);
  }
  const binary = fields.filter((f) => f.filename !== undefined).map((f) => `'${f.name}'`);
  if (binary.length > 0) ctx.report.notExpressible(ctx.subject, `file parts ${binary.join(', ')} are sent from the input's text, not read from a file`);
  if (fields.length === 0) ctx.report.notExpressible(ctx.subject, 'the form body declares no properties: it is sent empty');
  return { kind, fields };
}
