/**
 * `naftiko export openapi`: a loaded capability → an OpenAPI 3.1 document of its consumed operations
 * (and, on request, of the REST APIs it exposes). It reads the compiled plans, so every dialect the
 * loader accepts (Junction `auth`, appended path parameters, body parameters…) is exported the way the
 * runtime actually sends it. What OpenAPI cannot say is reported, as on import.
 */
import { createRuntime, type Capability, type JsonSchema, type RawFormat } from '../index.js';
import { capabilityInternals, isLiteral, type AuthPlan, type OperationPlan, type ParameterPlan, type Template } from '../internal.js';
import { compileExposes } from '../orchestration/compileExposes.js';
import type { RestExposeSpec } from '../orchestration/types.js';
import { isObject, type Raw } from './document.js';
import { asyncExtension, asyncLinks } from './exportAsync.js';
import { paginationExtensions } from './exportPagination.js';
import { BODY_PARAMETERS_EXTENSION } from './mapRequestBody.js';
import { UniqueNames } from '../util/uniqueNames.js';
import { Report, type ReportEntry } from './report.js';

/** Options of `exportOpenApi`. */
export interface ExportOptions {
  /** Also describe the capability's `rest` exposes. */
  exposes?: boolean;
}

/** What an export produced. */
export interface ExportResult {
  /** The OpenAPI 3.1 document as plain data. */
  document: Raw;
  report: ReportEntry[];
}

const MEDIA_TYPES: Partial<Record<RawFormat, string>> = {
  json: 'application/json',
  xml: 'application/xml',
  yaml: 'application/yaml',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  text: 'text/plain',
  html: 'text/html',
  markdown: 'text/markdown',
  binary: 'application/octet-stream',
};

/** Describes `capability` as an OpenAPI 3.1 document. */
export function exportOpenApi(capability: Capability, options: ExportOptions = {}): ExportResult {
  const report = new Report();
  const { plans, document: source } = capabilityInternals(capability);
  const namespaces = [...new Set(plans.map((p) => p.namespace))];
  const several = namespaces.length > 1;
  const schemes: Raw = {};
  const security = new Map(namespaces.map((ns) => [ns, securityOf(plans.find((p) => p.namespace === ns)!, ns, schemes, report)]));
  const unique = new UniqueNames('_');
  const operationIds = new Map(plans.map((p) => [p.id, unique.take(p.name)]));
  const paths: Raw = {};

  for (const plan of plans) {
    const subject = `operation '${plan.id}'`;
    const path = pathOf(plan, subject, report);
    const operation: Raw = { operationId: operationIds.get(plan.id)! };
    if (plan.label) operation.summary = plan.label;
    if (plan.description) operation.description = plan.description;
    if (several) operation.tags = [plan.namespace];
    const { parameters, mediaType } = parametersOf(plan, subject, report);
    if (parameters.length > 0) operation.parameters = parameters;
    const requestBody = requestBodyOf(plan, mediaType, subject, report);
    if (requestBody) operation.requestBody = requestBody;
    // The loader resolved every job's poll operation among the plans, so it has an operationId here.
    const job = plan.async;
    const pollId = job && operationIds.get(job.pollOperation)!;
    operation.responses = responsesOf(plan, job && pollId ? asyncLinks(plan, job, pollId, subject, report) : undefined);
    if (plan.pagination) Object.assign(operation, paginationExtensions(plan.pagination));
    if (job && pollId) operation['x-naftiko-async'] = asyncExtension(job, pollId);
    const requirement = security.get(plan.namespace);
    if (several) {
      operation.servers = [{ url: serverUrl(plan.baseUri) }];
      if (requirement) operation.security = [requirement];
    }
    addOperation(paths, path, plan.method.toLowerCase(), operation, subject, report);
  }

  const info = isObject(source.info) ? source.info : {};
  const document: Raw = {
    openapi: '3.1.0',
    info: {
      title: capability.label ?? (namespaces.join(', ') || 'capability'),
      version: typeof info.modified === 'string' ? info.modified : '1.0.0',
      ...(capability.description ? { description: capability.description } : {}),
    },
  };
  if (!several && plans.length > 0) {
    document.servers = [{ url: serverUrl(plans[0].baseUri) }];
    const requirement = security.get(namespaces[0]);
    if (requirement) document.security = [requirement];
  }
  if (options.exposes) addExposes(capability, paths, schemes, report);
  document.paths = paths;
  if (Object.keys(schemes).length > 0) document.components = { securitySchemes: schemes };
  return { document, report: report.entries };
}

/** The path as the runtime sends it: placeholders for parameters, including the trailing segments it appends. */
function pathOf(plan: OperationPlan, subject: string, report: Report): string {
  let path = '';
  for (const part of plan.pathParts) {
    if (part.kind === 'text') path += part.text;
    else if (part.kind === 'param') path += `{${part.param.name}}`;
    else {
      report.notExpressible(subject, `the path holds the secret ${part.ref}; it is written as the placeholder {${part.key}}`);
      path += `{${part.key}}`;
    }
  }
  if (plan.queryParts.length > 0) report.notExpressible(subject, `the fixed query '${plan.queryParts.map((p) => (p.kind === 'text' ? p.text : '…')).join('')}' in the path is left out`);
  return path.startsWith('/') ? path : `/${path}`;
}

function parametersOf(plan: OperationPlan, subject: string, report: Report): { parameters: Raw[]; mediaType?: string } {
  const parameters: Raw[] = [];
  let mediaType: string | undefined;
  for (const p of plan.parameters) {
    if (p.in === 'body') continue;
    if (p.value !== undefined) {
      if (p.valueTemplate && !isLiteral(p.valueTemplate)) {
        report.notExpressible(subject, `${p.in} parameter '${p.name}' is filled from ${p.valueTemplate.raw}; it is left out`);
        continue;
      }
      const fixed = String(p.value);
      if (p.in === 'header' && p.name.toLowerCase() === 'content-type') mediaType = fixed;
      // A fixed value becomes an optional parameter whose default is that value: an import sends it again.
      else parameters.push({ name: p.name, in: p.in, required: false, schema: { type: 'string', enum: [fixed], default: fixed } });
      continue;
    }
    const parameter: Raw = { name: p.name, in: p.in };
    if (p.description) parameter.description = p.description;
    parameter.required = p.in === 'path' || (p.required && p.default === undefined);
    parameter.schema = schemaOf(p);
    parameters.push(parameter);
  }
  return { parameters, ...(mediaType ? { mediaType } : {}) };
}

/** A parameter's checks as one JSON Schema (OpenAPI 3.1 schemas are JSON Schema 2020-12). */
function schemaOf(p: ParameterPlan): JsonSchema {
  const schema: JsonSchema = { ...(p.schema ?? {}) };
  if (p.type) schema.type = p.type;
  if (p.enum) schema.enum = p.enum;
  if (p.pattern) schema.pattern = p.pattern;
  if (p.default !== undefined) schema.default = p.default;
  return schema;
}


function requestBodyOf(plan: OperationPlan, mediaType: string | undefined, subject: string, report: Report): Raw | undefined {
  const body = plan.body;
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'parameters': {
      const params = plan.parameters.filter((p) => p.in === 'body');
      const type = mediaType ?? 'application/json';
      if (body.whole !== undefined) {
        const whole = params.find((p) => p.name === body.whole)!;
        const description = whole.description ? { description: whole.description } : {};
        const schema = schemaOf(whole);
        delete schema.description;
        return { ...description, required: whole.required, content: { [type]: { schema } } };
      }
      const required = params.filter((p) => p.required && p.default === undefined).map((p) => p.name);
      const schema: JsonSchema = { type: 'object', properties: Object.fromEntries(params.map((p) => [p.name, withDescription(schemaOf(p), p)])) };
      if (required.length > 0) schema.required = required;
      return { required: required.length > 0, content: { [type]: { schema } }, [BODY_PARAMETERS_EXTENSION]: true };
    }
    case 'json':
    case 'text': {
      const json = body.kind === 'json' || body.json;
      const inputs = plan.templateInputs;
      report.notExpressible(subject, `the body template is exported as ${json ? 'a JSON object' : 'text'} with the template's inputs${inputs.length > 0 ? ` (${inputs.join(', ')})` : ''} as properties; its shape is not`);
      const type = mediaType ?? (json ? 'application/json' : body.kind === 'text' ? body.contentType.split(';')[0] : 'application/json');
      return { required: true, content: { [type]: { schema: json ? templateSchema(inputs) : { type: 'string' } } } };
    }
    case 'form':
    case 'multipart': {
      const fields = body.kind === 'form' ? (Array.isArray(body.fields) ? body.fields.map(([name, t]) => [name, t] as const) : []) : body.parts.map((p) => [p.name, p.value] as const);
      const properties: Raw = {};
      for (const [name, template] of fields) properties[name] = fieldSchema(template);
      if (body.kind === 'form' && !Array.isArray(body.fields)) report.notExpressible(subject, 'the form body is one template string; its fields are not described');
      const type = body.kind === 'form' ? 'application/x-www-form-urlencoded' : 'multipart/form-data';
      return { required: true, content: { [type]: { schema: { type: 'object', properties, required: Object.keys(properties) } } } };
    }
  }
}

function withDescription(schema: JsonSchema, p: ParameterPlan): JsonSchema {
  return p.description ? { ...schema, description: p.description } : schema;
}

function templateSchema(inputs: string[]): JsonSchema {
  return { type: 'object', properties: Object.fromEntries(inputs.map((name) => [name, {}])) };
}

/** A form field filled from exactly one input is a string; a fixed one is a constant. */
function fieldSchema(template: Template): JsonSchema {
  if (isLiteral(template)) return { type: 'string', const: template.raw };
  return { type: 'string' };
}

/** 200 with the output's media type; for a job, 202 with the link to its poll operation (when there is one). */
function responsesOf(plan: OperationPlan, links: Raw | undefined): Raw {
  const mediaType = MEDIA_TYPES[plan.outputFormat] ?? 'application/octet-stream';
  const whole = plan.outputs.length === 1 && ['$', '$.'].includes(plan.outputs[0].path.expression) ? plan.outputs[0] : undefined;
  const schema: JsonSchema = whole?.type ? { type: whole.type } : {};
  const content = { [mediaType]: { schema } };
  if (!plan.async) return { '200': { description: 'Success', content } };
  return { '202': { description: 'Accepted: the job runs in the background', content, ...(links ? { links } : {}) } };
}

function serverUrl(baseUri: Template): string {
  // `{{VAR}}` in a base URI is a server variable in OpenAPI terms.
  return baseUri.raw.replace(/\{\{\s*(?:[A-Za-z0-9_-]+\.)?([^{}\s]+)\s*\}\}/g, '{$1}') || '/';
}

/** The security requirement of one namespace, its schemes added to `schemes`. */
function securityOf(plan: OperationPlan, namespace: string, schemes: Raw, report: Report): Raw | undefined {
  const add = (name: string, scheme: Raw): string => {
    let unique = name;
    for (let n = 2; unique in schemes && JSON.stringify(schemes[unique]) !== JSON.stringify(scheme); n++) unique = `${name}${n}`;
    schemes[unique] = scheme;
    return unique;
  };
  const auth: AuthPlan = plan.auth;
  switch (auth.type) {
    case 'none':
      return undefined;
    case 'header':
    case 'query':
      return { [add(`${namespace}-apiKey`, { type: 'apiKey', in: auth.type, name: auth.name })]: [] };
    case 'bearer':
      return { [add(`${namespace}-bearer`, { type: 'http', scheme: 'bearer' })]: [] };
    case 'basic':
    case 'digest':
      return { [add(`${namespace}-${auth.type}`, { type: 'http', scheme: auth.type })]: [] };
    case 'oauth2': {
      if (!isLiteral(auth.tokenEndpoint)) {
        report.notExpressible(`namespace '${namespace}'`, `the OAuth2 token endpoint ${auth.tokenEndpoint.raw} is a template; a token URL is a URL: the scheme is left out`);
        return undefined;
      }
      const scheme: Raw = { type: 'oauth2', flows: { clientCredentials: { tokenUrl: auth.tokenEndpoint.raw, scopes: Object.fromEntries(auth.scopes.map((s) => [s, ''])) } } };
      // OpenAPI has no field for either; the import reads them back.
      if (auth.audience !== undefined) scheme['x-naftiko-audience'] = auth.audience;
      if (auth.clientAuthentication === 'body') scheme['x-naftiko-client-authentication'] = 'body';
      return { [add(`${namespace}-oauth2`, scheme)]: auth.scopes };
    }
    case 'headers': {
      const requirement: Raw = {};
      for (const header of auth.headers) {
        const bearer = header.name.toLowerCase() === 'authorization' && /^bearer\s/i.test(header.value.raw);
        const scheme = bearer ? { type: 'http', scheme: 'bearer' } : { type: 'apiKey', in: 'header', name: header.name };
        requirement[add(`${namespace}-${bearer ? 'bearer' : header.name}`, scheme)] = [];
      }
      return requirement;
    }
    default:
      report.notExpressible(`namespace '${namespace}'`, `authentication ${auth.type === 'unsupported' ? `'${auth.kind}'` : auth.type} has no OpenAPI security scheme; it is left out`);
      return undefined;
  }
}

function addOperation(paths: Raw, path: string, method: string, operation: Raw, subject: string, report: Report): void {
  const item = (paths[path] ??= {}) as Raw;
  if (item[method] !== undefined) {
    report.notExpressible(subject, `${method.toUpperCase()} ${path} is already described by another operation; this one is left out`);
    return;
  }
  item[method] = operation;
}

/** The `rest` exposes: their routes, inputs and authentication, served at their own address. */
function addExposes(capability: Capability, paths: Raw, schemes: Raw, report: Report): void {
  // Describing an expose reads no secret, but compiling it resolves them: any value will do (base URI
  // overrides excepted: the file's own are described).
  const anything = new Proxy({}, { get: (_target, name) => (String(name).startsWith('NAFTIKO_') ? undefined : 'unused-by-export') });
  const runtime = createRuntime(capability, { env: anything });
  try {
    const specs = compileExposes(capability, runtime).filter((s): s is RestExposeSpec => s.type === 'rest');
    const { document } = capabilityInternals(capability);
    const raw = isObject(document.capability) && Array.isArray(document.capability.exposes) ? document.capability.exposes : [];
    for (const spec of specs) {
      const entry = raw.find((e) => isObject(e) && e.type === 'rest' && e.namespace === spec.namespace) as Raw | undefined;
      const requirement = exposeSecurity(spec, entry, schemes);
      const server = { url: `http://${spec.address}:${spec.port}` };
      for (const route of spec.operations) {
        const subject = `rest expose '${spec.namespace}' ${route.method} ${route.path}`;
        if (route.method === '*') {
          report.notExpressible(subject, `a forward route to '${route.forward?.targetNamespace}' takes any method and path below it; it is left out`);
          continue;
        }
        const properties = isObject(route.operation.inputSchema.properties) ? (route.operation.inputSchema.properties as Raw) : {};
        const required = Array.isArray(route.operation.inputSchema.required) ? route.operation.inputSchema.required.map(String) : [];
        const parameters = route.parameters
          .filter((p) => p.in !== 'body')
          .map((p) => ({ name: p.name, in: p.in, required: p.in === 'path' || required.includes(p.name), schema: properties[p.name] ?? {} }));
        const body = route.parameters.filter((p) => p.in === 'body');
        const operation: Raw = { operationId: `${spec.namespace}.${route.operation.name}`, tags: [spec.namespace], servers: [server] };
        if (route.operation.title) operation.summary = route.operation.title;
        if (route.operation.description) operation.description = route.operation.description;
        if (parameters.length > 0) operation.parameters = parameters;
        if (body.length > 0) {
          const bodyRequired = body.map((p) => p.name).filter((n) => required.includes(n));
          const schema: JsonSchema = { type: 'object', properties: Object.fromEntries(body.map((p) => [p.name, properties[p.name] ?? {}])) };
          if (bodyRequired.length > 0) schema.required = bodyRequired;
          operation.requestBody = { required: bodyRequired.length > 0, content: { 'application/json': { schema } } };
        }
        operation.responses = { '200': { description: 'Success', content: { 'application/json': { schema: {} } } } };
        operation.security = requirement ? [requirement] : [];
        addOperation(paths, route.path, route.method.toLowerCase(), operation, subject, report);
      }
    }
  } finally {
    runtime.close();
  }
}

function exposeSecurity(spec: RestExposeSpec, entry: Raw | undefined, schemes: Raw): Raw | undefined {
  if (!spec.auth) return undefined;
  const auth = isObject(entry?.authentication) ? entry.authentication : {};
  const name = `${spec.namespace}-${spec.auth.type}`;
  if (spec.auth.type === 'apikey') {
    schemes[name] = { type: 'apiKey', in: auth.placement === 'query' ? 'query' : 'header', name: String(auth.key ?? auth.name ?? 'X-API-Key') };
  } else schemes[name] = { type: 'http', scheme: spec.auth.type };
  return { [name]: [] };
}
