import { isObject } from '../util/isObject.js';
import type { AuthPlan, OAuth2Plan, Template } from './plan.js';
import { compileTemplate, hasSecret, isLiteral, type TemplateScope } from './template.js';
import type { DiagnosticSink } from './diagnostics.js';

type Raw = Record<string, unknown>;

/**
 * Compiles the authentication of a consumed API. Accepts the official `authentication` object
 * (basic, apikey, bearer, digest), the shapes real files use (`in` for `placement`, an apikey or
 * `composite` with a `headers` map, `none`) and the Junction `auth: {type: apiKey, in, name,
 * valueFrom: {env}}`. Values are templates: `'Bearer {{env.X}}'` works as written.
 */
export function compileAuth(consumes: Raw, pointer: string, scope: TemplateScope, sink: DiagnosticSink): AuthPlan {
  const secretScope: TemplateScope = { ...scope, undeclaredIsSecret: true };
  const t = (value: unknown): Template => compileTemplate(typeof value === 'string' ? value : value === undefined ? '' : String(value), secretScope);

  if (isObject(consumes.auth)) return compileVitalAuth(consumes.auth, `${pointer}/auth`, t, sink);
  const auth = consumes.authentication;
  const at = `${pointer}/authentication`;
  if (!isObject(auth)) return { type: 'none' };

  const type = String(auth.type ?? '').toLowerCase();
  let plan: AuthPlan;
  switch (type) {
    case 'none':
    case 'inherit':
      return { type: 'none' };
    case 'bearer': {
      // Many generated files write the token as `value` (with `placement`), like an apikey.
      const token = auth.token ?? auth.value;
      if (token === undefined || token === '') {
        sink.warn(at, 'bearer authentication names no token: requests are sent without an Authorization header');
        return { type: 'none' };
      }
      plan = { type: 'bearer', token: t(stripScheme(String(token))) };
      break;
    }
    case 'basic':
    case 'digest':
      plan = { type, username: t(auth.username), password: t(auth.password) };
      break;
    case 'apikey':
    case 'composite':
      if (isObject(auth.headers)) {
        plan = { type: 'headers', headers: Object.entries(auth.headers).map(([name, value]) => ({ name, value: t(value) })) };
        break;
      }
      // Real files also write the Junction-style `name`/`in` instead of `key`/`placement`.
      const key = auth.key ?? auth.name;
      if (typeof key !== 'string' || key === '') {
        sink.error(at, `${type} authentication needs 'key' (the header or query parameter name)`);
        return { type: 'none' };
      }
      plan = (auth.placement ?? auth.in) === 'query' ? { type: 'query', name: key, value: t(auth.value) } : { type: 'header', name: key, value: t(auth.value) };
      break;
    case 'aws-sig-v4':
    case 'aws-sigv4':
      plan = {
        type: 'aws-sig-v4',
        accessKeyId: t(auth.accessKeyId),
        secretAccessKey: t(auth.secretAccessKey ?? auth.secretKey),
        region: t(auth.region),
        service: t(auth.service),
      };
      if (auth.sessionToken !== undefined) plan.sessionToken = t(auth.sessionToken);
      break;
    case 'oauth2':
      if (auth.flow === 'clientCredentials') {
        const oauth2 = compileClientCredentials(auth, at, t, sink);
        if (oauth2 === undefined) return { type: 'none' };
        plan = oauth2;
        break;
      }
      sink.warn(
        auth.flow === undefined ? at : `${at}/flow`,
        `oauth2 authentication ${auth.flow === undefined ? "without 'flow'" : `flow '${String(auth.flow)}'`} is not supported on a consumed API (only flow: clientCredentials): its operations fail with NOT_SUPPORTED before anything is sent`,
      );
      return { type: 'unsupported', kind: auth.flow === undefined ? 'oauth2' : `oauth2 ${String(auth.flow)}` };
    default:
      sink.warn(at, `authentication type '${String(auth.type)}' is not supported by this runtime: its operations fail with NOT_SUPPORTED before anything is sent`);
      return { type: 'unsupported', kind: String(auth.type) };
  }
  if (!authTemplates(plan).some(hasSecret)) {
    sink.warn(at, `${type} authentication names no secret: its value is written in the file (use {{VAR}} bound in binds)`);
  }
  return plan;
}

/** `type: oauth2, flow: clientCredentials`: endpoint, id and secret are required; the endpoint must be a URL or a path. */
function compileClientCredentials(auth: Raw, pointer: string, t: (v: unknown) => Template, sink: DiagnosticSink): OAuth2Plan | undefined {
  const missing = ['tokenEndpoint', 'clientId', 'clientSecret'].filter((key) => typeof auth[key] !== 'string' || auth[key] === '');
  if (missing.length > 0) {
    sink.error(pointer, `oauth2 clientCredentials authentication needs ${missing.map((k) => `'${k}'`).join(', ')}`);
    return undefined;
  }
  const tokenEndpoint = t(auth.tokenEndpoint);
  if (isLiteral(tokenEndpoint) && !/^https?:\/\/[^/]/i.test(tokenEndpoint.raw) && !tokenEndpoint.raw.startsWith('/')) {
    sink.error(`${pointer}/tokenEndpoint`, `oauth2 tokenEndpoint '${tokenEndpoint.raw}' is neither an http(s) URL nor a path below the base URI (starting with '/')`);
    return undefined;
  }
  const plan: OAuth2Plan = {
    type: 'oauth2',
    tokenEndpoint,
    clientId: t(auth.clientId),
    clientSecret: t(auth.clientSecret),
    scopes: Array.isArray(auth.scopes) ? auth.scopes.map(String) : [],
    clientAuthentication: auth.clientAuthentication === 'body' ? 'body' : 'basic',
  };
  if (typeof auth.audience === 'string' && auth.audience !== '') plan.audience = auth.audience;
  return plan;
}

function compileVitalAuth(auth: Raw, pointer: string, t: (v: unknown) => Template, sink: DiagnosticSink): AuthPlan {
  const name = typeof auth.name === 'string' ? auth.name : undefined;
  if (!name) {
    sink.error(pointer, "auth needs 'name' (the header or query parameter that carries the key)");
    return { type: 'none' };
  }
  let value: Template;
  if (isObject(auth.valueFrom) && typeof auth.valueFrom.env === 'string') value = t(`{{env.${auth.valueFrom.env}}}`);
  else if (auth.value !== undefined) value = t(auth.value);
  else {
    sink.error(pointer, "auth names no secret: add 'valueFrom: {env: VAR}'");
    return { type: 'none' };
  }
  return auth.in === 'query' ? { type: 'query', name, value } : { type: 'header', name, value };
}

/** Every template of an auth plan. */
export function authTemplates(plan: AuthPlan): Template[] {
  switch (plan.type) {
    case 'header':
    case 'query':
      return [plan.value];
    case 'bearer':
      return [plan.token];
    case 'basic':
    case 'digest':
      return [plan.username, plan.password];
    case 'headers':
      return plan.headers.map((h) => h.value);
    case 'aws-sig-v4':
      return [plan.accessKeyId, plan.secretAccessKey, plan.region, plan.service, ...(plan.sessionToken ? [plan.sessionToken] : [])];
    case 'oauth2':
      return [plan.tokenEndpoint, plan.clientId, plan.clientSecret];
    default:
      return [];
  }
}

/** A bearer token written as `Bearer {{X}}` must not become `Bearer Bearer …` on the wire. */
function stripScheme(token: string): string {
  return token.replace(/^bearer\s+/i, '');
}

