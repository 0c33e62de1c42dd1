/**
 * Swagger 2.0 → OpenAPI 3.0, so the importer reads one shape: `host`/`basePath`/`schemes` become
 * `servers`, `body` and `formData` parameters a `requestBody`, `produces` response `content`,
 * `collectionFormat` a `style`/`explode`, `securityDefinitions` `components.securitySchemes`, and every
 * `$ref` moves from `#/definitions/…` to `#/components/schemas/…`.
 */
import { deref, isObject, objectAt, type Raw } from './document.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];
/** Fields of a Swagger 2.0 non-body parameter that belong to its schema in OpenAPI 3. */
const SCHEMA_FIELDS = [
  'type', 'format', 'items', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength',
  'pattern', 'maxItems', 'minItems', 'uniqueItems', 'enum', 'multipleOf', 'nullable',
];
/** Global parameters are not moved: they are resolved into each operation, where `body` and `formData` ones become its request body. */
const REF_PREFIXES: Array<[string, string]> = [
  ['#/definitions/', '#/components/schemas/'],
  ['#/responses/', '#/components/responses/'],
];
const OAUTH_FLOWS: Record<string, string> = { application: 'clientCredentials', password: 'password', accessCode: 'authorizationCode', implicit: 'implicit' };

/** Converts a bundled Swagger 2.0 document to the OpenAPI 3.0 shape. */
export function upgradeSwagger2(swagger: Raw): Raw {
  const source = rewriteRefs(swagger) as Raw;
  const globalConsumes = stringList(source.consumes);
  const globalProduces = stringList(source.produces);
  const paths: Raw = {};
  for (const [path, rawItem] of Object.entries(objectAt(source, 'paths'))) {
    const item = deref(source, rawItem);
    if (!item) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    const upgraded: Raw = {};
    for (const [key, value] of Object.entries(item)) {
      if (!METHODS.includes(key) || !isObject(value)) {
        if (key !== 'parameters') upgraded[key] = value;
        continue;
      }
      upgraded[key] = upgradeOperation(source, value, shared, stringList(value.consumes) ?? globalConsumes, stringList(value.produces) ?? globalProduces);
    }
    paths[path] = upgraded;
  }
  const document: Raw = {
    openapi: '3.0.3',
    info: source.info ?? { title: 'API', version: '' },
    servers: servers(source),
    paths,
    components: {
      schemas: objectAt(source, 'definitions'),
      securitySchemes: Object.fromEntries(Object.entries(objectAt(source, 'securityDefinitions')).map(([name, scheme]) => [name, securityScheme(scheme)])),
      responses: Object.fromEntries(Object.entries(objectAt(source, 'responses')).map(([name, r]) => [name, response(r, globalProduces)])),
    },
  };
  if (Array.isArray(source.security)) document.security = source.security;
  if (Array.isArray(source.tags)) document.tags = source.tags;
  for (const [key, value] of Object.entries(source)) if (key.startsWith('x-')) document[key] = value;
  return document;
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!isObject(node)) return node;
  const out: Raw = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const prefix = REF_PREFIXES.find(([from]) => value.startsWith(from));
      out.$ref = prefix ? prefix[1] + value.slice(prefix[0].length) : value;
    } else if (key === 'type' && value === 'file') out.type = 'string', (out.format = 'binary');
    else if (key === 'x-nullable') out.nullable = value;
    else out[key] = rewriteRefs(value);
  }
  return out;
}

function servers(source: Raw): Raw[] {
  const schemes = stringList(source.schemes) ?? ['https'];
  const scheme = schemes.includes('https') ? 'https' : schemes[0];
  const basePath = typeof source.basePath === 'string' ? source.basePath.replace(/\/$/, '') : '';
  if (typeof source.host !== 'string') return basePath === '' ? [] : [{ url: basePath }];
  return [{ url: `${scheme}://${source.host}${basePath}` }, ...schemes.filter((s) => s !== scheme).map((s) => ({ url: `${s}://${source.host}${basePath}` }))];
}

function upgradeOperation(source: Raw, operation: Raw, shared: unknown[], consumes: string[] | undefined, produces: string[] | undefined): Raw {
  const upgraded: Raw = {};
  for (const [key, value] of Object.entries(operation)) {
    if (!['parameters', 'responses', 'consumes', 'produces', 'schemes'].includes(key)) upgraded[key] = value;
  }
  // Operation parameters replace path-level ones with the same name and location.
  const byKey = new Map<string, Raw>();
  for (const raw of [...shared, ...(Array.isArray(operation.parameters) ? operation.parameters : [])]) {
    const parameter = deref(source, raw);
    if (parameter) byKey.set(`${String(parameter.in)}:${String(parameter.name)}`, parameter);
  }
  const parameters: Raw[] = [];
  const form: Raw[] = [];
  for (const parameter of byKey.values()) {
    if (parameter.in === 'body') {
      upgraded.requestBody = {
        ...(typeof parameter.description === 'string' ? { description: parameter.description } : {}),
        required: parameter.required === true,
        content: Object.fromEntries((consumes ?? ['application/json']).map((type) => [type, { schema: parameter.schema ?? {} }])),
      };
    } else if (parameter.in === 'formData') form.push(parameter);
    else parameters.push(plainParameter(parameter));
  }
  if (form.length > 0) upgraded.requestBody = formBody(form, consumes);
  if (parameters.length > 0) upgraded.parameters = parameters;
  upgraded.responses = Object.fromEntries(Object.entries(objectAt(operation, 'responses')).map(([status, r]) => [status, isObject(r) && typeof r.$ref === 'string' ? r : response(r, produces)]));
  return upgraded;
}

function plainParameter(parameter: Raw): Raw {
  const schema: Raw = {};
  const upgraded: Raw = {};
  for (const [key, value] of Object.entries(parameter)) {
    if (SCHEMA_FIELDS.includes(key)) schema[key] = value;
    else if (key !== 'collectionFormat' && key !== 'allowEmptyValue') upgraded[key] = value;
  }
  upgraded.schema = schema;
  if (schema.type === 'array') Object.assign(upgraded, collectionStyle(String(parameter.collectionFormat ?? 'csv'), String(parameter.in)));
  return upgraded;
}

/** Swagger 2.0's `collectionFormat` as OpenAPI 3 `style`/`explode` (`tsv` has no equivalent and stays as an extension). */
function collectionStyle(format: string, location: string): Raw {
  switch (format) {
    case 'multi':
      return { style: 'form', explode: true };
    case 'ssv':
      return { style: 'spaceDelimited', explode: false };
    case 'pipes':
      return { style: 'pipeDelimited', explode: false };
    case 'tsv':
      return { 'x-collection-format': 'tsv' };
    default:
      return { style: location === 'query' || location === 'cookie' ? 'form' : 'simple', explode: false };
  }
}

function formBody(fields: Raw[], consumes: string[] | undefined): Raw {
  const multipart = fields.some((f) => f.type === 'file' || f.format === 'binary') || (consumes ?? []).includes('multipart/form-data');
  const properties: Raw = {};
  const required: string[] = [];
  for (const field of fields) {
    const schema = plainParameter(field).schema as Raw;
    if (typeof field.description === 'string') schema.description = field.description;
    properties[String(field.name)] = schema;
    if (field.required === true) required.push(String(field.name));
  }
  const type = multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded';
  return { required: required.length > 0, content: { [type]: { schema: { type: 'object', properties, ...(required.length > 0 ? { required } : {}) } } } };
}

function response(raw: unknown, produces: string[] | undefined): Raw {
  if (!isObject(raw)) return { description: '' };
  const upgraded: Raw = { description: typeof raw.description === 'string' ? raw.description : '' };
  if (raw.schema !== undefined) upgraded.content = Object.fromEntries((produces ?? ['application/json']).map((type) => [type, { schema: raw.schema }]));
  if (isObject(raw.headers)) upgraded.headers = Object.fromEntries(Object.entries(raw.headers).map(([name, h]) => [name, { schema: h }]));
  for (const [key, value] of Object.entries(raw)) if (key.startsWith('x-')) upgraded[key] = value;
  return upgraded;
}

function securityScheme(raw: unknown): Raw {
  if (!isObject(raw)) return {};
  const description = typeof raw.description === 'string' ? { description: raw.description } : {};
  if (raw.type === 'basic') return { type: 'http', scheme: 'basic', ...description };
  if (raw.type !== 'oauth2') return raw;
  const flow = OAUTH_FLOWS[String(raw.flow)] ?? String(raw.flow);
  const settings: Raw = { scopes: raw.scopes ?? {} };
  if (raw.tokenUrl !== undefined) settings.tokenUrl = raw.tokenUrl;
  if (raw.authorizationUrl !== undefined) settings.authorizationUrl = raw.authorizationUrl;
  return { type: 'oauth2', flows: { [flow]: settings }, ...description };
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value.map(String) : undefined;
}
