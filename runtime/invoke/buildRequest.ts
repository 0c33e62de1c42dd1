import { randomBytes } from 'node:crypto';
import { validateHeaderValue } from 'node:http';
import { InputError } from '../errors.js';
import type { JsonTemplate, OperationPlan, ParameterPlan, PathPart, Template, WireRequest } from '../compile/plan.js';
import type { ResolvedInputs } from './resolveInputs.js';
import { signAwsV4 } from './awsSigV4.js';
import { resolveTokenRequest, type TokenRequest } from './oauth2.js';
import { MASK } from './redactor.js';
import { renderTemplate, stringify, type InputLookup } from './renderTemplate.js';
import type { SecretStore } from './secretStore.js';
import { USER_AGENT } from '../util/vocabulary.js';

/** A request ready to send, with its twin in which every secret is masked. */
export interface BuiltRequest {
  wire: WireRequest;
  /** The URL with secrets masked: the only URL allowed in errors and logs. */
  maskedUrl: string;
  /** Headers with secrets masked (only built when asked for). */
  maskedHeaders?: Record<string, string>;
  /** Body with secrets masked (only built when asked for). */
  maskedBody?: string;
  /** OAuth2: the token to ask for; the runtime sets `Authorization` once it has one. */
  tokenRequest?: TokenRequest;
}

/** A base URL and its twin with secrets masked. */
export interface BaseUrl {
  value: string;
  masked: string;
}


/**
 * Fills an operation plan with resolved inputs and secrets. Everything that can fail (a missing
 * secret, a bad path value, a header value that cannot be sent) fails here, before any byte is sent.
 * A caller's `idempotencyKey` goes in the operation's idempotency header and marks the request as
 * safe to send again.
 */
export function buildRequest(
  plan: OperationPlan,
  values: ResolvedInputs,
  inputs: Record<string, unknown>,
  secrets: SecretStore,
  baseUrl: BaseUrl,
  mask: boolean,
  idempotencyKey?: string,
): BuiltRequest {
  const op = plan.id;
  const lookup: InputLookup = (name) => {
    const value = values[name] ?? inputs[name];
    if (value === undefined || value === null) throw new InputError(`${op}: missing input '${name}', used by a {{${name}}} template`, { operation: op, parameter: name });
    return value;
  };
  const paramValue = (param: ParameterPlan): { value: unknown; masked: unknown } | undefined => {
    const value = values[param.name];
    if (value !== undefined) return { value, masked: value };
    if (param.valueTemplate) return renderTemplate(param.valueTemplate, secrets, op, lookup);
    if (param.value !== undefined) return { value: param.value, masked: param.value };
    return undefined;
  };

  // Path: every value is one percent-encoded segment, so no value can change the path's shape.
  const renderParts = (parts: PathPart[], encode: (value: string, name: string) => string): [string, string] => {
    let value = '';
    let masked = '';
    for (const part of parts) {
      if (part.kind === 'text') {
        value += part.text;
        masked += part.text;
      } else if (part.kind === 'secret') {
        value += encode(secrets.resolve(part, op), part.ref);
        masked += MASK;
      } else {
        const { param } = part;
        const filled = paramValue(param);
        if (filled === undefined) throw new InputError(`${op}: missing required parameter '${param.name}' (path)`, { operation: op, parameter: param.name });
        const text = encode(stringify(filled.value), param.name);
        value += text;
        masked += filled.masked !== filled.value ? MASK : text;
      }
    }
    return [value, masked];
  };
  let [path, maskedPath] = renderParts(plan.pathParts, (value, name) => encodePathSegment(value, op, name));
  if (path !== '' && !path.startsWith('/')) {
    path = `/${path}`;
    maskedPath = `/${maskedPath}`;
  }

  const query: string[] = [];
  const maskedQuery: string[] = [];
  if (plan.queryParts.length > 0) {
    const [fixed, maskedFixed] = renderParts(plan.queryParts, (value) => encodeURIComponent(value));
    query.push(fixed);
    maskedQuery.push(maskedFixed);
  }
  const headers: Record<string, string> = {};
  const maskedHeaders: Record<string, string> = {};
  const cookies: string[] = [];
  const maskedCookies: string[] = [];
  for (const param of plan.parameters) {
    if (param.in === 'path' || param.in === 'body') continue;
    const filled = paramValue(param);
    if (filled === undefined) continue;
    const secret = filled.masked !== filled.value;
    if (param.in === 'query') {
      const pairs: string[] = [];
      for (const item of Array.isArray(filled.value) ? filled.value : [filled.value]) {
        if (item !== undefined && item !== null) pairs.push(`${encodeURIComponent(param.name)}=${encodeURIComponent(stringify(item))}`);
      }
      query.push(...pairs);
      maskedQuery.push(...(secret ? [`${encodeURIComponent(param.name)}=${MASK}`] : pairs));
    } else if (param.in === 'header') {
      const text = Array.isArray(filled.value) ? filled.value.map(stringify).join(', ') : stringify(filled.value);
      headers[param.name] = checkHeader(text, op, param.name, secret);
      maskedHeaders[param.name] = secret ? MASK : text;
    } else {
      const pair = `${param.name}=${encodeURIComponent(stringify(filled.value))}`;
      cookies.push(pair);
      maskedCookies.push(secret ? `${param.name}=${MASK}` : pair);
    }
  }
  if (cookies.length > 0) {
    headers.cookie = cookies.join('; ');
    maskedHeaders.cookie = maskedCookies.join('; ');
  }

  const wire: WireRequest = { method: plan.method, url: '', headers };
  if (plan.maxResponseBytes !== undefined) wire.maxResponseBytes = plan.maxResponseBytes;
  if (idempotencyKey !== undefined) {
    // An empty key identifies nothing: the server could not deduplicate on it.
    if (typeof idempotencyKey !== 'string' || idempotencyKey.trim() === '') throw new InputError(`${op}: idempotencyKey must be a non-empty string`, { operation: op, parameter: plan.idempotencyHeader });
    const lower = plan.idempotencyHeader.toLowerCase();
    for (const map of [headers, maskedHeaders]) for (const name of Object.keys(map)) if (name.toLowerCase() === lower) delete map[name];
    headers[plan.idempotencyHeader] = maskedHeaders[plan.idempotencyHeader] = checkHeader(idempotencyKey, op, plan.idempotencyHeader, false);
    wire.idempotent = true;
  }
  applyAuth(plan, secrets, lookup, wire, query, maskedQuery, maskedHeaders);

  const base = baseUrl.value.endsWith('/') ? baseUrl.value.slice(0, -1) : baseUrl.value;
  const maskedBase = baseUrl.masked.endsWith('/') ? baseUrl.masked.slice(0, -1) : baseUrl.masked;
  wire.url = base + path + (query.length > 0 ? `?${query.join('&')}` : '');
  const maskedUrl = maskedBase + maskedPath + (maskedQuery.length > 0 ? `?${maskedQuery.join('&')}` : '');

  const body = buildBody(plan, values, secrets, lookup);
  if (body) {
    wire.body = body.value;
    // A secret passed in as a plain input (an exposed `with:` injecting a bound value) is known to the
    // store, so the body is checked for it too before a redirect may carry it elsewhere.
    if (body.secret || secrets.redactor.holds(body.value)) wire.bodyHoldsSecret = true;
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = maskedHeaders['content-type'] = body.contentType;
  }
  const built: BuiltRequest = { wire, maskedUrl };
  if (!hasHeader(headers, 'user-agent')) headers['user-agent'] = maskedHeaders['user-agent'] = USER_AGENT;
  if (!hasHeader(headers, 'accept') && plan.outputFormat === 'json') headers.accept = maskedHeaders.accept = 'application/json';

  if (plan.auth.type === 'oauth2') {
    built.tokenRequest = resolveTokenRequest(plan.auth, secrets, op, lookup, baseUrl);
    maskedHeaders.authorization = `Bearer ${MASK}`;
  }
  if (plan.auth.type === 'aws-sig-v4') {
    const auth = plan.auth;
    const render = (t: Template) => renderTemplate(t, secrets, op, lookup).value;
    signAwsV4(wire, {
      accessKeyId: render(auth.accessKeyId),
      secretAccessKey: render(auth.secretAccessKey),
      region: render(auth.region),
      service: render(auth.service),
      ...(auth.sessionToken ? { sessionToken: render(auth.sessionToken) } : {}),
    });
    maskedHeaders['x-amz-date'] = wire.headers['x-amz-date'];
    maskedHeaders.authorization = `AWS4-HMAC-SHA256 ${MASK}`;
    if (wire.headers['x-amz-security-token']) maskedHeaders['x-amz-security-token'] = MASK;
  }

  if (mask) {
    built.maskedHeaders = maskedHeaders;
    if (body) built.maskedBody = body.masked;
  }
  return built;
}

function applyAuth(
  plan: OperationPlan,
  secrets: SecretStore,
  lookup: InputLookup,
  wire: WireRequest,
  query: string[],
  maskedQuery: string[],
  maskedHeaders: Record<string, string>,
): void {
  const op = plan.id;
  const render = (t: Template) => renderTemplate(t, secrets, op, lookup).value;
  const auth = plan.auth;
  switch (auth.type) {
    case 'header':
      wire.headers[auth.name] = checkHeader(render(auth.value), op, auth.name, true);
      maskedHeaders[auth.name] = MASK;
      break;
    case 'query':
      query.push(`${encodeURIComponent(auth.name)}=${encodeURIComponent(render(auth.value))}`);
      maskedQuery.push(`${encodeURIComponent(auth.name)}=${MASK}`);
      break;
    case 'bearer':
      wire.headers.authorization = checkHeader(`Bearer ${render(auth.token)}`, op, 'Authorization', true);
      maskedHeaders.authorization = `Bearer ${MASK}`;
      break;
    case 'basic': {
      const username = render(auth.username);
      const password = render(auth.password);
      // A server echoing the header back shows the pair in base64: it is a secret in that form too.
      secrets.redactor.addCredentials(username, password);
      wire.headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      maskedHeaders.authorization = `Basic ${MASK}`;
      break;
    }
    case 'digest': {
      const username = render(auth.username);
      const password = render(auth.password);
      secrets.redactor.addCredentials(username, password);
      wire.digest = { username, password };
      break;
    }
    case 'headers':
      for (const header of auth.headers) {
        wire.headers[header.name] = checkHeader(render(header.value), op, header.name, true);
        maskedHeaders[header.name] = MASK;
      }
      break;
  }
}

interface BuiltBody {
  value: string | Buffer;
  masked: string;
  contentType: string;
  /** Rendered from a secret. */
  secret: boolean;
}

function buildBody(plan: OperationPlan, values: ResolvedInputs, secrets: SecretStore, lookup: InputLookup): BuiltBody | undefined {
  const body = plan.body;
  const op = plan.id;
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'parameters': {
      let data: unknown;
      if (body.whole !== undefined) data = values[body.whole];
      else {
        const present = body.names.filter((n) => values[n] !== undefined);
        if (present.length > 0) data = Object.fromEntries(present.map((n) => [n, values[n]]));
      }
      if (data === undefined) return undefined;
      const text = JSON.stringify(data);
      return { value: text, masked: text, contentType: 'application/json', secret: false };
    }
    case 'json': {
      const data = renderJson(body.data, secrets, op, lookup);
      const masked = JSON.stringify(data.masked);
      const value = JSON.stringify(data.value);
      return { value, masked, contentType: 'application/json', secret: masked !== value };
    }
    case 'text': {
      const r = renderTemplate(body.data, secrets, op, lookup, body.json ? jsonFragment : stringify);
      return { value: r.value, masked: r.masked, contentType: body.contentType, secret: r.secret };
    }
    case 'form': {
      if (!Array.isArray(body.fields)) {
        const r = renderTemplate(body.fields, secrets, op, lookup, (v) => encodeURIComponent(stringify(v)));
        return { value: r.value, masked: r.masked, contentType: 'application/x-www-form-urlencoded', secret: r.secret };
      }
      const real = new URLSearchParams();
      const masked = new URLSearchParams();
      let secret = false;
      for (const [key, template] of body.fields) {
        const r = renderTemplate(template, secrets, op, lookup);
        real.append(key, r.value);
        masked.append(key, r.masked);
        secret ||= r.secret;
      }
      return { value: real.toString(), masked: masked.toString(), contentType: 'application/x-www-form-urlencoded', secret };
    }
    case 'multipart': {
      const boundary = `naftiko-${randomBytes(12).toString('hex')}`;
      let real = '';
      let masked = '';
      let secret = false;
      for (const part of body.parts) {
        const r = renderTemplate(part.value, secrets, op, lookup);
        let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.name)}"`;
        if (part.filename !== undefined) head += `; filename="${quote(part.filename)}"`;
        if (part.contentType !== undefined) head += `\r\nContent-Type: ${part.contentType}`;
        head += '\r\n\r\n';
        real += `${head}${r.value}\r\n`;
        masked += `${head}${r.masked}\r\n`;
        secret ||= r.secret;
      }
      real += `--${boundary}--\r\n`;
      masked += `--${boundary}--\r\n`;
      return { value: real, masked, contentType: `multipart/form-data; boundary=${boundary}`, secret };
    }
  }
}

/** Renders a JSON body template; a string that is exactly one `{{input}}` keeps the input's JSON type. */
function renderJson(node: JsonTemplate, secrets: SecretStore, op: string, lookup: InputLookup): { value: unknown; masked: unknown } {
  switch (node.kind) {
    case 'literal':
      return { value: node.value, masked: node.value };
    case 'string': {
      const parts = node.template.parts;
      if (parts.length === 1 && parts[0].kind === 'input') {
        const value = lookup(parts[0].name);
        return { value, masked: value };
      }
      return renderTemplate(node.template, secrets, op, lookup);
    }
    case 'array': {
      const items = node.items.map((item) => renderJson(item, secrets, op, lookup));
      return { value: items.map((i) => i.value), masked: items.map((i) => i.masked) };
    }
    case 'object': {
      const entries = node.entries.map(([k, v]) => [k, renderJson(v, secrets, op, lookup)] as const);
      return { value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])), masked: Object.fromEntries(entries.map(([k, v]) => [k, v.masked])) };
    }
  }
}

/**
 * Substitution inside a raw JSON template: strings are escaped (they normally sit between quotes
 * written in the template), anything else is written as JSON (`"crewIds": {{crewIds}}`).
 */
function jsonFragment(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value).slice(1, -1) : (JSON.stringify(value) ?? 'null');
}

/**
 * One path segment, percent-encoded, so that no value (`/`, `?`, `#`, `..`, a host) can change the
 * shape of the URL. Also used for values substituted into a base URI template.
 */
export function encodePathSegment(value: string, op: string, name: string): string {
  // Dot segments are removed by URL normalisation even when percent-encoded, so they cannot be sent.
  if (value === '' || value === '.' || value === '..') {
    throw new InputError(`${op}: path parameter '${name}' cannot be ${value === '' ? 'empty' : `'${value}'`}: it would change the request path`, { operation: op, parameter: name });
  }
  return encodeURIComponent(value);
}

/**
 * A header value Node can send: no line breaks, control characters or characters beyond Latin-1.
 * Refused here (INPUT_INVALID, nothing sent) rather than by the HTTP stack mid-call; a value from a
 * secret is not quoted.
 */
function checkHeader(value: string, op: string, name: string, secret: boolean): string {
  try {
    validateHeaderValue(name, value);
  } catch {
    const what = /[\r\n\0]/.test(value) ? 'a line break or NUL character, which could inject headers' : 'a control character or a character beyond Latin-1, which HTTP headers cannot carry';
    throw new InputError(`${op}: header '${name}'${secret ? ' (from a secret)' : ''} contains ${what}; nothing was sent`, { operation: op, parameter: name });
  }
  return value;
}

function hasHeader(headers: Record<string, string>, lower: string): boolean {
  // Called three times per request: the length test spares lower-casing (a new string) most names.
  for (const key in headers) if (key.length === lower.length && key.toLowerCase() === lower) return true;
  return false;
}

function quote(text: string): string {
  return text.replace(/["\r\n]/g, (c) => encodeURIComponent(c));
}
