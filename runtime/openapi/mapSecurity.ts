/**
 * OpenAPI `securitySchemes` + `security` → the authentication of the consumed API. Every secret is an
 * environment variable (`--secret-env`, else one derived from the namespace), never a value.
 *
 * `security` lists alternatives; the first one the runtime can send is used, the others are noted.
 * Schemes required together become one `headers` authentication when they all travel in headers.
 * OAuth2 client credentials become the runtime's `oauth2` authentication (it fetches and renews
 * tokens); other OAuth2 flows and OpenID Connect need a user, so their access token is read from the
 * environment and sent as a bearer token.
 */
import type { AuthModel, OAuth2ClientCredentials } from './model.js';
import { deref, isObject, objectAt, type Raw } from './document.js';
import { envName } from './naming.js';
import type { Report } from './report.js';

/** What the importer knows when it maps schemes: how to name secrets, where the API is. */
export interface SecurityOptions {
  namespace: string;
  /** `--secret-env`: the variable of a one-secret authentication, the prefix of several. */
  secretEnv?: string;
  /** The base URI, against which a relative OAuth2 token URL resolves. */
  baseUri: string;
}

/** The chosen authentication and the requirement it came from (a key to compare operations with). */
export interface SecurityChoice {
  auth?: AuthModel;
  /** Sorted scheme names of the chosen requirement joined by `+`; '' for none. */
  key: string;
}

type HeaderScheme = { name: string; prefix: string; suffix: string };
type Mapped = { auth: AuthModel } | { reason: string };

/** Chooses the authentication of the whole API from the document's (or, without one, the most common operation) `security`. */
export function mapSecurity(document: Raw, options: SecurityOptions, report: Report): SecurityChoice {
  const requirements = documentSecurity(document);
  const schemes = objectAt(document.components, 'securitySchemes');
  let choice: SecurityChoice | undefined;
  for (const requirement of requirements) {
    const names = Object.keys(requirement).sort();
    if (names.length === 0) continue;
    const subject = `security requirement ${names.map((n) => `'${n}'`).join(' + ')}`;
    const mapped = mapRequirement(requirement, names, schemes, document, options, report, subject, choice === undefined);
    if ('reason' in mapped) report.notExpressible(subject, mapped.reason);
    else if (choice === undefined) choice = { auth: mapped.auth, key: names.join('+') };
    else report.note(subject, `an alternative the API also accepts; the capability authenticates with '${choice.key}'`);
  }
  return choice ?? { key: '' };
}

/** Scheme names of an operation's requirement alternatives, to compare with the namespace's choice. */
export function requirementKeys(security: unknown): string[] {
  return (Array.isArray(security) ? security : []).filter(isObject).map((r) => Object.keys(r).sort().join('+'));
}

function documentSecurity(document: Raw): Raw[] {
  if (Array.isArray(document.security)) return document.security.filter(isObject);
  // Without a document-wide requirement, the one most operations use stands for the API.
  const counts = new Map<string, { count: number; requirements: Raw[] }>();
  for (const item of Object.values(objectAt(document, 'paths'))) {
    for (const operation of Object.values(isObject(item) ? item : {})) {
      if (!isObject(operation) || !Array.isArray(operation.security)) continue;
      const key = JSON.stringify(operation.security);
      const entry = counts.get(key) ?? { count: 0, requirements: operation.security.filter(isObject) };
      entry.count++;
      counts.set(key, entry);
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count)[0]?.requirements ?? [];
}

/** `names`: the requirement's scheme names, sorted. */
function mapRequirement(requirement: Raw, names: string[], schemes: Raw, document: Raw, options: SecurityOptions, report: Report, subject: string, chosen: boolean): Mapped {
  const resolved: Array<[string, Raw]> = [];
  for (const name of names) {
    const scheme = deref(document, schemes[name]);
    if (!scheme) return { reason: `security scheme '${name}' is not declared in components.securitySchemes` };
    resolved.push([name, scheme]);
  }
  if (resolved.length === 1) {
    const [name, scheme] = resolved[0];
    return mapScheme(name, scheme, requirement[name], options, chosen ? report : undefined);
  }
  const headers: HeaderScheme[] = [];
  for (const [name, scheme] of resolved) {
    const header = headerOf(scheme);
    if (!header) return { reason: `scheme '${name}' (${describeScheme(scheme)}) cannot be sent together with others: only header schemes combine` };
    headers.push({ ...header, suffix: envName(name) });
  }
  const prefix = options.secretEnv ?? envName(options.namespace);
  if (chosen) report.note(subject, `sent as headers ${headers.map((h) => h.name).join(', ')}`);
  return { auth: { type: 'headers', headers: headers.map((h) => ({ name: h.name, prefix: h.prefix, variable: `${prefix}_${h.suffix}` })) } };
}

function mapScheme(name: string, scheme: Raw, scopes: unknown, options: SecurityOptions, report: Report | undefined): Mapped {
  const single = (suffix: string): string => options.secretEnv ?? `${envName(options.namespace)}_${suffix}`;
  const several = (suffix: string): string => `${options.secretEnv ?? envName(options.namespace)}_${suffix}`;
  const subject = `security scheme '${name}'`;
  const type = String(scheme.type ?? '');
  if (type === 'apiKey') {
    if (scheme.in === 'header' || scheme.in === 'query') {
      return { auth: { type: 'apikey', name: String(scheme.name), placement: scheme.in, variable: single('API_KEY') } };
    }
    return { reason: `an API key in a ${String(scheme.in)} is not expressible (the runtime sends keys in a header or the query)` };
  }
  if (type === 'http') {
    const httpScheme = String(scheme.scheme ?? '').toLowerCase();
    if (httpScheme === 'bearer') return { auth: { type: 'bearer', variable: single('TOKEN') } };
    if (httpScheme === 'basic' || httpScheme === 'digest') {
      return { auth: { type: httpScheme, usernameVariable: several('USERNAME'), passwordVariable: several('PASSWORD') } };
    }
    return { reason: `HTTP authentication scheme '${String(scheme.scheme)}' is not expressible (bearer, basic and digest are)` };
  }
  if (type === 'oauth2') {
    const flows = objectAt(scheme, 'flows');
    const clientCredentials = objectAt(flows, 'clientCredentials');
    if (typeof clientCredentials.tokenUrl === 'string') {
      const granted = Array.isArray(scopes) && scopes.length > 0 ? scopes.map(String) : Object.keys(objectAt(clientCredentials, 'scopes'));
      const auth: OAuth2ClientCredentials = {
        type: 'oauth2',
        flow: 'clientCredentials',
        tokenEndpoint: tokenEndpoint(clientCredentials.tokenUrl, options.baseUri),
        scopes: granted,
        clientIdVariable: several('CLIENT_ID'),
        clientSecretVariable: several('CLIENT_SECRET'),
        tokenVariable: single('TOKEN'),
      };
      // Neither has an OpenAPI field; `export openapi` writes them as extensions of the scheme.
      if (typeof scheme['x-naftiko-audience'] === 'string') auth.audience = scheme['x-naftiko-audience'];
      if (scheme['x-naftiko-client-authentication'] === 'body') auth.clientAuthentication = 'body';
      const others = Object.keys(flows).filter((f) => f !== 'clientCredentials');
      if (others.length > 0) report?.note(subject, `OAuth2 flow${others.length > 1 ? 's' : ''} ${others.join(', ')} need${others.length > 1 ? '' : 's'} a user; the capability uses clientCredentials`);
      return { auth };
    }
    const token = single('TOKEN');
    report?.notExpressible(subject, `OAuth2 flow ${Object.keys(flows).join(', ') || '(none)'} is not run by the runtime: the access token is read from ${token} and sent as a bearer token`);
    return { auth: { type: 'bearer', variable: token } };
  }
  if (type === 'openIdConnect') {
    const token = single('TOKEN');
    report?.notExpressible(subject, `OpenID Connect sign-in is not run by the runtime: the access token is read from ${token} and sent as a bearer token`);
    return { auth: { type: 'bearer', variable: token } };
  }
  return { reason: `security scheme type '${type}' is not expressible` };
}

/**
 * The token URL as the runtime reads it: absolute, or a path below the base URI. OpenAPI resolves a
 * relative one against the server URL; kept a path on the API's origin, it follows `--base-uri`.
 */
function tokenEndpoint(tokenUrl: string, baseUri: string): string {
  if (/^https?:\/\//i.test(tokenUrl) || tokenUrl.startsWith('/')) return tokenUrl;
  if (!/^https?:\/\//i.test(baseUri)) return `/${tokenUrl.replace(/^(\.\/)+/, '')}`;
  const resolved = new URL(tokenUrl, `${baseUri}/`);
  return resolved.origin === new URL(baseUri).origin ? `${resolved.pathname}${resolved.search}` : resolved.href;
}

/** The header a scheme travels in, when it travels in one. */
function headerOf(scheme: Raw): { name: string; prefix: string } | undefined {
  if (scheme.type === 'apiKey' && scheme.in === 'header') return { name: String(scheme.name), prefix: '' };
  const bearer = (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'bearer') || scheme.type === 'oauth2' || scheme.type === 'openIdConnect';
  return bearer ? { name: 'Authorization', prefix: 'Bearer ' } : undefined;
}

function describeScheme(scheme: Raw): string {
  return [scheme.type, scheme.scheme ?? scheme.in].filter((v) => v !== undefined).map(String).join(' ');
}
