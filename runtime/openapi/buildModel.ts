/**
 * A read OpenAPI 3 document → the API model: one resource per path, one operation per path and
 * method, named by operationId (or a readable name from method and path), parameters, bodies,
 * outputs, authentication and servers. Everything that cannot be carried over goes to the report.
 */
import { InputError } from '../errors.js';
import { suggest } from '../util/suggest.js';
import type { ApiModel, OperationModel, ResourceModel } from './model.js';
import { deref, isObject, objectAt, stringAt, type Raw } from './document.js';
import { UniqueNames } from '../util/uniqueNames.js';
import { kebab, operationNameFromPath, resourceNameFromPath } from './naming.js';
import { mapAsync, type AsyncContext, type ImportedOperation } from './mapAsync.js';
import { mapPagination } from './mapPagination.js';
import { mapParameters, type ParameterContext } from './mapParameters.js';
import { mapRequestBody } from './mapRequestBody.js';
import { mapResponse } from './mapResponse.js';
import { mapSecurity, requirementKeys } from './mapSecurity.js';
import type { OpenApiDocument } from './readOpenApi.js';
import type { Report } from './report.js';
import { SchemaConverter } from './toJsonSchema.js';
import { unescapeToken } from '../util/jsonPointer.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Choices of the person importing. */
export interface ModelOptions {
  /** Namespace of the consumed API (default: from `info.title`). */
  namespace?: string;
  /** Environment variable of the secret (or prefix of several). */
  secretEnv?: string;
  /** Keep only operations with one of these tags (or named by `operations`). */
  tags?: string[];
  /** Keep only these operations (operationId or derived name), or those with one of `tags`. */
  operations?: string[];
}

interface Candidate {
  path: string;
  method: string;
  item: Raw;
  operation: Raw;
  /** The operation's tags, as strings. */
  tags: string[];
  name: string;
}

/** Builds the model of `source`; throws InputError when `--tag`/`--operation` name nothing in the document. */
export function buildModel(source: OpenApiDocument, options: ModelOptions, report: Report): ApiModel {
  const { document } = source;
  const info = objectAt(document, 'info');
  const title = stringAt(info, 'title') ?? 'API';
  const namespace = options.namespace ?? (kebab(title) || 'api');
  if (!/^[A-Za-z0-9_-]+$/.test(namespace)) throw new InputError(`--namespace '${namespace}': a namespace is letters, digits, '_' and '-'`);
  if (options.secretEnv !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(options.secretEnv)) {
    throw new InputError(`--secret-env '${options.secretEnv}': an environment variable name here is upper case letters, digits and '_', starting with a letter`);
  }
  const schemas = new SchemaConverter(document, source.version === '3.1' ? '3.1' : '3.0');
  const candidates = select(name(collect(document, report)), options);
  const [baseUri, ...otherServers] = serverUrls(document, source.location, namespace, report);
  const security = mapSecurity(document, { namespace, baseUri: baseUri ?? '', ...(options.secretEnv ? { secretEnv: options.secretEnv } : {}) }, report);

  const imported: Array<ImportedOperation & { candidate: Candidate; subject: string }> = [];
  const resources = new Map<string, ResourceModel>();
  const resourceNames = new UniqueNames();
  for (const candidate of candidates) {
    const { path, method, item, operation } = candidate;
    const subject = `${method.toUpperCase()} ${path} (${candidate.name})`;
    const ctx: ParameterContext = { document, schemas, report, subject };
    const parameters = mapParameters(path, item, operation, ctx);
    const body = mapRequestBody(operation, new Set(parameters.map((p) => p.name)), ctx);
    const model: OperationModel = {
      name: candidate.name,
      method: method.toUpperCase(),
      tags: candidate.tags,
      parameters: [...parameters, ...body.parameters],
      output: mapResponse(operation, ctx),
    };
    if (typeof operation.operationId === 'string') model.operationId = operation.operationId;
    if (body.body) model.body = body.body;
    const summary = stringAt(operation, 'summary')?.trim();
    const description = [operation.deprecated === true ? 'Deprecated.' : '', stringAt(operation, 'description')?.trim() || summary || ''].filter((s) => s !== '').join(' ');
    if (summary) model.label = summary;
    if (description !== '') model.description = description;
    const pagination = mapPagination(operation, model.parameters, ctx);
    if (pagination) model.pagination = pagination;
    checkOperation(operation, item, security.key, subject, report);
    imported.push({ model, operation, candidate, subject });

    let resource = resources.get(path);
    if (!resource) {
      resource = { name: resourceNames.take(resourceNameFromPath(path)), path, operations: [] };
      const about = stringAt(item, 'description') ?? stringAt(item, 'summary');
      if (about) resource.description = about;
      resources.set(path, resource);
    }
    resource.operations.push(model);
  }
  // A job is polled by another operation of the document: every operation is modelled first.
  const jobs: AsyncContext = {
    document,
    report,
    linked: (link) => linkTarget(link, imported),
    named: (name) => imported.find((i) => i.model.name === name),
  };
  for (const submit of imported) {
    const job = mapAsync(submit, submit.subject, jobs);
    if (job) submit.model.async = job;
  }
  if (isObject(document.webhooks) && Object.keys(document.webhooks).length > 0) {
    report.notExpressible('webhooks', `${Object.keys(document.webhooks).join(', ')}: webhooks are requests the API sends, not operations a capability calls`);
  }

  const model: ApiModel = { title, namespace, baseUri: baseUri ?? '', otherServers, resources: [...resources.values()] };
  const description = stringAt(info, 'description')?.trim();
  if (description) model.description = description;
  const version = stringAt(info, 'version');
  if (version) model.version = version;
  if (security.auth) model.auth = security.auth;
  return model;
}

function collect(document: Raw, report: Report): Array<Omit<Candidate, 'name'>> {
  const found: Array<Omit<Candidate, 'name'>> = [];
  for (const [path, rawItem] of Object.entries(objectAt(document, 'paths'))) {
    const item = deref(document, rawItem);
    if (!item) continue;
    // Document order: the order the author gave the methods of a path.
    for (const method of Object.keys(item).filter((key) => METHODS.includes(key))) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      if (method === 'trace') report.notExpressible(`TRACE ${path}`, 'the runtime does not send TRACE requests; the operation is left out');
      else found.push({ path, method, item, operation, tags: Array.isArray(operation.tags) ? operation.tags.map(String) : [] });
    }
  }
  return found;
}

/** operationIds first (kept as written, made unique), then readable names for the rest. */
function name(found: Array<Omit<Candidate, 'name'>>): Candidate[] {
  const names = new UniqueNames();
  const named = found.map((c) => ({ ...c, name: typeof c.operation.operationId === 'string' && c.operation.operationId !== '' ? names.take(c.operation.operationId) : '' }));
  for (const candidate of named) if (candidate.name === '') candidate.name = names.take(operationNameFromPath(candidate.method.toUpperCase(), candidate.path));
  return named;
}

function select(candidates: Candidate[], options: ModelOptions): Candidate[] {
  const tags = options.tags ?? [];
  const ids = options.operations ?? [];
  if (tags.length === 0 && ids.length === 0) return candidates;
  const allTags = [...new Set(candidates.flatMap((c) => c.tags))];
  for (const tag of tags) {
    if (!allTags.includes(tag)) throw new InputError(`--tag ${tag}: no operation has this tag${hint(tag, allTags)} (tags: ${allTags.join(', ') || 'none'})`);
  }
  const allNames = candidates.flatMap((c) => [c.name, ...(typeof c.operation.operationId === 'string' ? [c.operation.operationId] : [])]);
  for (const id of ids) if (!allNames.includes(id)) throw new InputError(`--operation ${id}: no such operation${hint(id, allNames)}`);
  return candidates.filter((c) => ids.includes(c.name) || ids.includes(String(c.operation.operationId)) || c.tags.some((t) => tags.includes(t)));
}

function hint(name: string, candidates: string[]): string {
  const close = suggest(name, candidates);
  return close.length > 0 ? `; did you mean '${close[0]}'?` : '';
}

/** Server URLs with variables filled from their defaults; relative ones resolved against a URL the document came from. */
function serverUrls(document: Raw, location: string, namespace: string, report: Report): string[] {
  const servers = (Array.isArray(document.servers) ? document.servers : []).filter(isObject);
  const urls = servers.map((server) => {
    const variables = objectAt(server, 'variables');
    return String(server.url ?? '').replace(/\{([^{}]+)\}/g, (whole, variable: string) => {
      const value = objectAt(variables, variable).default;
      return value === undefined ? whole : String(value);
    });
  });
  const resolved: string[] = [];
  for (const url of urls.length > 0 ? urls : ['/']) {
    if (/^https?:\/\//i.test(url)) resolved.push(url.replace(/\/+$/, ''));
    else if (/^https?:\/\//i.test(location)) resolved.push(new URL(url, location).href.replace(/\/+$/, ''));
    else if (resolved.length === 0) {
      report.notExpressible('servers', `server URL '${url}' is relative and the document was read from a file: give the API's address with --base-uri, baseUris or NAFTIKO_BASE_URI_${namespace.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`);
      resolved.push('');
    } else report.notExpressible('servers', `server URL '${url}' is relative and the document was read from a file; it is not listed`);
  }
  return resolved;
}

function linkTarget<T extends { candidate: Candidate }>(link: Raw, imported: T[]): T | undefined {
  if (typeof link.operationId === 'string') return imported.find((i) => i.candidate.operation.operationId === link.operationId);
  if (typeof link.operationRef !== 'string') return undefined;
  // `#/paths/~1groups~1{id}/get`: the path and method of an operation of this document.
  const match = /^#\/paths\/([^/]+)\/([a-z]+)$/.exec(link.operationRef);
  if (!match) return undefined;
  const path = unescapeToken(decodeURIComponent(match[1]));
  return imported.find((i) => i.candidate.path === path && i.candidate.method === match[2]);
}

/** Reports what an operation declares that the namespace-wide choices cannot honour. */
function checkOperation(operation: Raw, item: Raw, chosen: string, subject: string, report: Report): void {
  if (Array.isArray(operation.security)) {
    const keys = requirementKeys(operation.security);
    if (keys.length === 0 || keys.every((k) => k === '')) {
      if (chosen !== '') report.note(subject, 'needs no authentication; the credentials of the API are sent anyway');
    } else if (!keys.includes(chosen)) {
      report.notExpressible(subject, `requires ${keys.map((k) => `'${k}'`).join(' or ')}; the capability authenticates every operation with ${chosen === '' ? 'nothing' : `'${chosen}'`}`);
    }
  }
  if (Array.isArray(operation.servers) || Array.isArray(item.servers)) report.notExpressible(subject, 'servers of its own are not expressible: it is sent to the API base URI');
  if (isObject(operation.callbacks)) report.notExpressible(subject, `callbacks ${Object.keys(operation.callbacks).join(', ')} are requests the API sends; they are left out`);
}
