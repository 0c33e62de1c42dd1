/**
 * The API model → a `naftiko: 1.0.0-alpha2` capability (the array shape this runtime loads), as plain
 * data. Secrets are `{{VAR}}` references bound to the environment, never values.
 */
import type { ApiModel, AuthModel, OperationModel, ParameterModel, TemplateBody } from './model.js';
import type { Raw } from './document.js';

const NAFTIKO_VERSION = '1.0.0-alpha2';

/** Builds the capability document of `model`. */
export function writeNaftiko(model: ApiModel): Raw {
  const binds = envBinds(model.auth);
  const consumes: Raw = {
    type: 'http',
    namespace: model.namespace,
    baseUri: model.baseUri,
    description: apiDescription(model),
  };
  if (model.auth) consumes.authentication = writeAuthentication(model.auth);
  consumes.resources = model.resources.map((resource) => ({
    name: resource.name,
    path: resource.path,
    ...(resource.description ? { description: resource.description } : {}),
    operations: resource.operations.map(writeOperation),
  }));
  const info: Raw = { label: model.title };
  if (model.description) info.description = model.description;
  const document: Raw = { naftiko: NAFTIKO_VERSION, info };
  if (binds) document.binds = binds;
  document.capability = { consumes: [consumes] };
  return document;
}

/** `Petstore 1.0.0, imported from OpenAPI. Other servers: …` */
export function apiDescription(model: ApiModel): string {
  const others = model.otherServers.length > 0 ? ` Other servers: ${model.otherServers.join(', ')}.` : '';
  return `${model.title}${model.version ? ` ${model.version}` : ''}, imported from OpenAPI.${others}`;
}

/** The `binds` that give an authentication its environment variables, or undefined when it reads none. */
export function envBinds(auth: AuthModel | undefined, format: 'naftiko' | 'ikanos' = 'naftiko'): Raw[] | undefined {
  const variables = secretVariables(auth, format);
  return variables.length > 0 ? [{ namespace: 'env', keys: Object.fromEntries(variables.map((v) => [v, v])) }] : undefined;
}

/** The environment variables an authentication reads, as written (beta5 reads an OAuth2 access token). */
function secretVariables(auth: AuthModel | undefined, format: 'naftiko' | 'ikanos' = 'naftiko'): string[] {
  switch (auth?.type) {
    case undefined:
      return [];
    case 'apikey':
    case 'bearer':
      return [auth.variable];
    case 'basic':
    case 'digest':
      return [auth.usernameVariable, auth.passwordVariable];
    case 'headers':
      return auth.headers.map((h) => h.variable);
    case 'oauth2':
      return format === 'naftiko' ? [auth.clientIdVariable, auth.clientSecretVariable] : [auth.tokenVariable];
  }
}

/** The `authentication` block of `auth`, secrets as `{{VAR}}` references. */
export function writeAuthentication(auth: AuthModel): Raw {
  const ref = (variable: string) => `{{${variable}}}`;
  switch (auth.type) {
    case 'apikey':
      return { type: 'apikey', key: auth.name, placement: auth.placement, value: ref(auth.variable) };
    case 'bearer':
      return { type: 'bearer', token: ref(auth.variable) };
    case 'basic':
    case 'digest':
      return { type: auth.type, username: ref(auth.usernameVariable), password: ref(auth.passwordVariable) };
    case 'headers':
      return { type: 'composite', headers: Object.fromEntries(auth.headers.map((h) => [h.name, `${h.prefix}${ref(h.variable)}`])) };
    case 'oauth2':
      return {
        type: 'oauth2',
        flow: 'clientCredentials',
        tokenEndpoint: auth.tokenEndpoint,
        clientId: ref(auth.clientIdVariable),
        clientSecret: ref(auth.clientSecretVariable),
        ...(auth.scopes.length > 0 ? { scopes: auth.scopes } : {}),
        ...(auth.audience !== undefined ? { audience: auth.audience } : {}),
        ...(auth.clientAuthentication !== undefined ? { clientAuthentication: auth.clientAuthentication } : {}),
      };
  }
}

function writeOperation(operation: OperationModel): Raw {
  const written: Raw = { name: operation.name };
  if (operation.label) written.label = operation.label;
  written.method = operation.method;
  if (operation.description) written.description = operation.description;
  if (operation.parameters.length > 0) written.inputParameters = operation.parameters.map(writeParameter);
  if (operation.body) written.body = templateBody(operation.body);
  written.outputRawFormat = operation.output.format;
  if (operation.output.type) written.outputParameters = [{ name: 'result', type: operation.output.type, value: '$' }];
  if (operation.pagination) written.pagination = operation.pagination;
  if (operation.async) written.async = operation.async;
  return written;
}

function writeParameter(parameter: ParameterModel): Raw {
  if (parameter.value !== undefined) return { name: parameter.name, in: parameter.in, value: parameter.value };
  const written: Raw = { name: parameter.name, in: parameter.in };
  if (parameter.type) written.type = parameter.type;
  if (parameter.description) written.description = parameter.description;
  written.required = parameter.required;
  for (const key of ['default', 'enum', 'pattern', 'format', 'schema'] as const) if (parameter[key] !== undefined) written[key] = parameter[key];
  return written;
}

/** Form, multipart, text and XML bodies as templates of the inputs named like their fields. */
export function templateBody(body: TemplateBody): Raw {
  switch (body.kind) {
    case 'formUrlEncoded':
      return { type: 'formUrlEncoded', data: Object.fromEntries(body.fields.map((f) => [f.name, `{{${f.name}}}`])) };
    case 'multipartForm':
      return { type: 'multipartForm', data: body.fields.map((f) => ({ name: f.name, value: `{{${f.name}}}`, ...(f.filename ? { filename: f.filename } : {}), ...(f.contentType ? { contentType: f.contentType } : {}) })) };
    case 'text':
    case 'xml':
      return { type: body.kind, data: '{{body}}' };
  }
}
