/**
 * OpenAPI parameters → capability input parameters: type, required, enum, pattern, bounds (in a JSON
 * Schema), default, description, kept as the document says. Serialization styles the runtime does not
 * produce are reported: the runtime repeats the key for query arrays (`form`, `explode: true`), joins
 * header arrays with commas (`simple`) and sends path values as one percent-encoded segment.
 */
import type { JsonSchema } from '../types.js';
import type { ParameterModel } from './model.js';
import { deref, isObject, type Raw } from './document.js';
import type { Report } from './report.js';
import type { SchemaConverter } from './toJsonSchema.js';

const LOCATIONS = new Set(['path', 'query', 'header', 'cookie']);
/** Header parameters OpenAPI says are ignored: the body, the response format and the authentication set them. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);
/** Keys of a converted schema that the parameter itself carries. */
const PARAMETER_KEYS = new Set(['description', 'title', 'default', 'enum', 'pattern', 'format', 'examples', 'type']);

/** Everything the parameter mapping needs about its document. */
export interface ParameterContext {
  document: Raw;
  schemas: SchemaConverter;
  report: Report;
  /** `GET /pets/{id}`, for report entries. */
  subject: string;
}

/**
 * The parameters of one operation: path-item parameters overridden by operation ones with the same
 * name and location, each placeholder of `path` declared (as a required string when the document forgot it).
 */
export function mapParameters(path: string, pathItem: Raw, operation: Raw, ctx: ParameterContext): ParameterModel[] {
  const merged = new Map<string, Raw>();
  for (const raw of [...list(pathItem.parameters), ...list(operation.parameters)]) {
    const parameter = deref(ctx.document, raw);
    if (parameter && typeof parameter.name === 'string') merged.set(`${String(parameter.in)}:${parameter.name}`, parameter);
  }
  const placeholders = [...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]);
  const parameters: ParameterModel[] = [];
  for (const parameter of merged.values()) {
    const mapped = mapParameter(parameter, placeholders, ctx);
    if (!mapped) continue;
    const clash = parameters.find((p) => p.name === mapped.name);
    if (clash) {
      ctx.report.notExpressible(ctx.subject, `${mapped.in} parameter '${mapped.name}' has the name of a ${clash.in} parameter; inputs are named, so only the ${clash.in} one is kept`);
      continue;
    }
    parameters.push(mapped);
  }
  for (const name of placeholders) {
    if (parameters.some((p) => p.in === 'path' && p.name === name)) continue;
    ctx.report.note(ctx.subject, `path placeholder {${name}} has no parameter in the document; it is declared as a required string`);
    parameters.push({ name, in: 'path', type: 'string', required: true });
  }
  return parameters;
}

function mapParameter(parameter: Raw, placeholders: string[], ctx: ParameterContext): ParameterModel | undefined {
  const name = String(parameter.name);
  const location = String(parameter.in);
  const what = `${location} parameter '${name}'`;
  if (!LOCATIONS.has(location)) {
    ctx.report.notExpressible(ctx.subject, `${what}: location '${location}' is not one of path, query, header, cookie`);
    return undefined;
  }
  if (location === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) {
    ctx.report.note(ctx.subject, `${what} is left out: OpenAPI ignores it (the runtime sets it from the body, the output format and the authentication)`);
    return undefined;
  }
  if (location === 'path' && !placeholders.includes(name)) {
    ctx.report.notExpressible(ctx.subject, `${what} is not a placeholder of the path; it is left out`);
    return undefined;
  }
  let schemaSource: unknown = parameter.schema;
  if (schemaSource === undefined && isObject(parameter.content)) {
    const [mediaType, media] = Object.entries(parameter.content)[0] ?? [];
    ctx.report.notExpressible(ctx.subject, `${what} is serialized as ${String(mediaType)}: the runtime sends the value as given, so pass it already serialized`);
    schemaSource = isObject(media) ? { type: 'string', description: isObject(media.schema) ? media.schema.description : undefined } : undefined;
  }
  const schema = schemaSource === undefined ? {} : ctx.schemas.convert(schemaSource, 'request');
  const type = schemaSource === undefined ? undefined : ctx.schemas.typeOf(schemaSource);
  checkStyle(parameter, location, type, what, ctx);

  const mapped: ParameterModel = { name, in: location as ParameterModel['in'], required: location === 'path' || parameter.required === true };
  if (type !== undefined) mapped.type = type;
  const description = [parameter.deprecated === true ? 'Deprecated.' : '', stringOf(parameter.description) ?? stringOf(schema.description) ?? stringOf(schema.title) ?? '']
    .filter((s) => s !== '')
    .join(' ');
  if (description !== '') mapped.description = description;
  copyChecks(mapped, schema);
  return mapped;
}

/** Puts what `schema` checks on `parameter`: default, enum, pattern, format, and the rest as its `schema`. */
export function copyChecks(parameter: ParameterModel, schema: JsonSchema): void {
  if (schema.default !== undefined) parameter.default = schema.default;
  if (Array.isArray(schema.enum)) parameter.enum = schema.enum;
  if (typeof schema.pattern === 'string') parameter.pattern = schema.pattern;
  if (typeof schema.format === 'string') parameter.format = schema.format;
  const constraints = parameterSchema(schema);
  if (constraints) parameter.schema = constraints;
}

/** What the schema checks beyond type, enum and pattern (bounds, lengths, items…), or undefined. */
function parameterSchema(schema: JsonSchema): JsonSchema | undefined {
  const rest = Object.entries(schema).filter(([key]) => !PARAMETER_KEYS.has(key));
  if (rest.length === 0) return undefined;
  return Object.fromEntries([...(schema.type !== undefined ? [['type', schema.type] as const] : []), ...rest]);
}

function checkStyle(parameter: Raw, location: string, type: string | undefined, what: string, ctx: ParameterContext): void {
  const style = typeof parameter.style === 'string' ? parameter.style : location === 'query' || location === 'cookie' ? 'form' : 'simple';
  const explode = typeof parameter.explode === 'boolean' ? parameter.explode : style === 'form';
  const container = type === 'array' || type === 'object';
  const problem = (text: string) => ctx.report.notExpressible(ctx.subject, `${what}: ${text}`);
  if (parameter.allowReserved === true) problem('allowReserved is not honoured: reserved characters are percent-encoded');
  if (location === 'path' && (style === 'label' || style === 'matrix')) return problem(`style '${style}' is not supported: the value is sent as a plain segment`);
  if (parameter['x-collection-format'] === 'tsv') return problem('collectionFormat tsv is not supported: array items are sent as repeated keys');
  if (!container) return;
  if (location === 'query' && type === 'array' && (style !== 'form' || !explode)) {
    return problem(`style '${style}'${explode ? '' : ' without explode'} is not supported: array items are sent as repeated keys (?${parameter.name}=a&${parameter.name}=b)`);
  }
  if (location === 'query' && type === 'object') return problem(`an object in style '${style}' is not supported: it is sent as JSON text`);
  if (location === 'header' && type === 'object') return problem('an object header is sent as JSON text, not as key,value pairs');
  if (location === 'path' || location === 'cookie') return problem(`${type === 'array' ? 'an array' : 'an object'} is sent as JSON text`);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
