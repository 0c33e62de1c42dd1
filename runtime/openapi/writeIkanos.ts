/**
 * The API model → an `ikanos: 1.0.0-beta5` capability (the map shape: resources, operations and
 * parameters keyed by name). Beta5 input parameters carry only `in` and `value`, names are kebab-case
 * and some formats, methods and authentications do not exist there: each loss is reported.
 */
import type { ApiModel, AuthModel, OperationModel } from './model.js';
import type { Raw } from './document.js';
import { UniqueNames } from '../util/uniqueNames.js';
import { kebab } from './naming.js';
import type { Report } from './report.js';
import { apiDescription, envBinds, templateBody, writeAuthentication } from './writeNaftiko.js';

const IKANOS_VERSION = '1.0.0-beta5';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const FORMATS = new Set(['json', 'xml', 'avro', 'protobuf', 'csv', 'tsv', 'psv', 'yaml', 'html', 'markdown', 'binary']);
const PARAMETER_NAME = /^[a-zA-Z0-9-_*]+$/;
const BASE_URI = /^https?:\/\/[^/]+(\/[^{]*)?$/;

/** Builds the beta5 document of `model`; what beta5 cannot say goes to `report`. */
export function writeIkanos(model: ApiModel, report: Report): Raw {
  report.notExpressible('ikanos 1.0.0-beta5', 'input parameters carry only `in` and `value`: types, required, enums, patterns, defaults, descriptions and JSON Schemas are left out');
  const namespace = kebab(model.namespace) || 'api';
  if (!BASE_URI.test(model.baseUri)) report.notExpressible('ikanos 1.0.0-beta5', `baseUri '${model.baseUri}' does not match beta5's pattern ^https?://host(/path)`);
  const consumes: Raw = { namespace, type: 'http', description: apiDescription(model), baseUri: model.baseUri };
  const auth = model.auth ? authentication(model.auth, report) : undefined;
  if (auth) consumes.authentication = auth;
  const resourceNames = new UniqueNames();
  const resources: Raw = {};
  for (const resource of model.resources) {
    const operationNames = new UniqueNames();
    const operations: Raw = {};
    for (const operation of resource.operations) {
      const written = writeOperation(operation, report);
      if (written) operations[operationNames.take(kebab(operation.name) || 'operation')] = written;
    }
    if (Object.keys(operations).length === 0) continue;
    resources[resourceNames.take(resource.name)] = { ...(resource.description ? { description: resource.description } : {}), path: resource.path, operations };
  }
  consumes.resources = resources;
  const binds = envBinds(model.auth, 'ikanos');
  const capability: Raw = {};
  if (binds) capability.binds = binds;
  capability.consumes = [consumes];
  return { ikanos: IKANOS_VERSION, info: { display: model.title, description: model.description ?? model.title }, capability };
}

/** Beta5 writes apikey, bearer, basic and digest as alpha2 does; several headers and OAuth2 clients it cannot say. */
function authentication(auth: AuthModel, report: Report): Raw | undefined {
  switch (auth.type) {
    case 'headers':
      report.notExpressible('ikanos 1.0.0-beta5', `authentication with several headers (${auth.headers.map((h) => h.name).join(', ')}) does not exist in beta5; it is left out`);
      return undefined;
    case 'oauth2':
      // Beta5's oauth2 describes how an exposed server checks tokens, not how a client obtains them.
      report.notExpressible('ikanos 1.0.0-beta5', `OAuth2 client credentials (${auth.tokenEndpoint}) do not exist in beta5: an access token is read from ${auth.tokenVariable} and sent as a bearer token`);
      return { type: 'bearer', token: `{{${auth.tokenVariable}}}` };
    default:
      return writeAuthentication(auth);
  }
}

function writeOperation(operation: OperationModel, report: Report): Raw | undefined {
  const subject = `ikanos 1.0.0-beta5: ${operation.method} ${operation.name}`;
  if (!METHODS.has(operation.method)) {
    report.notExpressible(subject, `method ${operation.method} does not exist in beta5; the operation is left out`);
    return undefined;
  }
  const written: Raw = {};
  if (operation.label) written.display = operation.label;
  if (operation.description) written.description = operation.description;
  written.method = operation.method;
  const parameters: Raw = {};
  for (const parameter of operation.parameters) {
    if (!PARAMETER_NAME.test(parameter.name)) {
      report.notExpressible(subject, `parameter name '${parameter.name}' does not match beta5's pattern ^[a-zA-Z0-9-_*]+$; it is left out`);
      continue;
    }
    parameters[parameter.name] = parameter.value === undefined ? { in: parameter.in } : { in: parameter.in, value: parameter.value };
  }
  if (Object.keys(parameters).length > 0) written.inputParameters = parameters;
  if (operation.body) written.body = templateBody(operation.body);
  if (FORMATS.has(operation.output.format)) written.outputRawFormat = operation.output.format;
  else report.notExpressible(subject, `output format ${operation.output.format} does not exist in beta5; json is assumed`);
  const type = operation.output.type === 'integer' ? 'number' : operation.output.type;
  if (type) written.outputParameters = { result: { type, value: '$' } };
  const missing = [operation.pagination ? 'pagination' : '', operation.async ? 'async' : ''].filter((k) => k !== '');
  if (missing.length > 0) report.notExpressible(subject, `${missing.join(' and ')} do${missing.length > 1 ? '' : 'es'} not exist in beta5; left out (the naftiko format keeps ${missing.length > 1 ? 'them' : 'it'})`);
  return written;
}
