/**
 * OAuth2 client credentials (RFC 6749 §4.4) for consumed APIs: the token request an operation needs,
 * resolved with its secrets before anything is sent, and the token source a runtime shares between
 * its calls (one {@link TokenCache}). Client secrets and issued tokens are secrets of the runtime's
 * store: masked in everything that leaves, and a replaced token stops being searched for once nothing
 * can be using it.
 */
import { validateHeaderValue } from 'node:http';
import { AbortedError, AuthError, TimeoutError } from '../errors.js';
import type { OAuth2Plan, WireRequest } from '../compile/plan.js';
import type { HttpClient } from '../http/client.js';
import type { RuntimeEvent } from '../types.js';
import { headerText, parseLooseBody, summarizeBody } from '../response/looseBody.js';
import { isObject } from '../util/isObject.js';
import { USER_AGENT } from '../util/vocabulary.js';
import type { BaseUrl } from './buildRequest.js';
import { MASK } from './redactor.js';
import { renderTemplate, type InputLookup } from './renderTemplate.js';
import type { SecretStore } from './secretStore.js';
import { TokenCache, type IssuedToken } from './tokenCache.js';

/** Everything needed to ask for a token, secrets resolved. */
export interface TokenRequest {
  /** The cache key: endpoint, client, scopes and audience. */
  key: string;
  endpoint: string;
  /** The endpoint with its secrets masked: the only form errors and events show. */
  maskedEndpoint: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  audience?: string;
  clientAuthentication: 'basic' | 'body';
}

/** The error bodies of a token endpoint are short; this bounds what a hostile one can make us keep. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

/**
 * Resolves an operation's token request: SECRET_MISSING for an unset id or secret, before anything is
 * sent. A token endpoint written as a path is resolved against the namespace's base URL, so a sandbox
 * given with `--base-uri` serves the tokens too.
 */
export function resolveTokenRequest(auth: OAuth2Plan, secrets: SecretStore, operation: string, lookup: InputLookup, baseUrl: BaseUrl): TokenRequest {
  const render = (template: OAuth2Plan['clientId']) => renderTemplate(template, secrets, operation, lookup);
  const endpoint = render(auth.tokenEndpoint);
  const clientId = render(auth.clientId).value;
  const clientSecret = render(auth.clientSecret).value;
  // Every call of an operation resolves the same request: the last one is kept per plan, so that a call
  // pays for three lookups and four comparisons, not for URL parsing and the secret's encodings.
  let requests = lastRequests.get(secrets);
  if (requests === undefined) lastRequests.set(secrets, (requests = new WeakMap()));
  const last = requests.get(auth);
  if (last !== undefined && last.endpoint === endpoint.value && last.base === baseUrl.value && last.request.clientId === clientId && last.request.clientSecret === clientSecret) {
    return last.request;
  }
  const relative = endpoint.value.startsWith('/');
  const request: TokenRequest = {
    key: '',
    endpoint: relative ? new URL(endpoint.value, baseUrl.value).href : endpoint.value,
    maskedEndpoint: relative ? new URL(endpoint.masked, baseUrl.masked).href : endpoint.masked,
    clientId,
    clientSecret,
    scopes: auth.scopes,
    clientAuthentication: auth.clientAuthentication,
  };
  if (auth.audience !== undefined) request.audience = auth.audience;
  request.key = [request.endpoint, request.clientId, request.scopes.join(' '), request.audience ?? ''].join('\n');
  if (request.clientAuthentication === 'basic') {
    // The Authorization header carries base64(urlencode(id):urlencode(secret)); a server echoing it back shows that form.
    secrets.redactor.addCredentials(formEncode(request.clientId), formEncode(request.clientSecret));
  }
  requests.set(auth, { endpoint: endpoint.value, base: baseUrl.value, request });
  return request;
}

/**
 * The request each OAuth2 plan resolved last, per runtime (its secret store): a capability's plans are
 * shared by every runtime created over it, and each runtime's store must learn the secret's forms.
 */
const lastRequests = new WeakMap<SecretStore, WeakMap<OAuth2Plan, { endpoint: string; base: string; request: TokenRequest }>>();

/** What a call that needs a token tells the source. */
export interface TokenCall {
  operation: string;
  signal?: AbortSignal;
  /** `performance.now()` time by which the call (token request included) must be done. */
  deadline: number;
  /** The call's timeout in ms, for the message when it runs out. */
  timeout: number;
}

/** The tokens of one runtime. */
export interface TokenSource {
  /** A usable token for `request`: cached, shared with concurrent calls, or fetched. */
  token(request: TokenRequest, call: TokenCall): Promise<string>;
  /** The API refused `token` (401): the next call fetches a new one. */
  reject(request: TokenRequest, token: string): void;
}

/** Settings of a token source. */
export interface TokenSourceOptions {
  client: HttpClient;
  secrets: SecretStore;
  onEvent?: (event: RuntimeEvent) => void;
}

/** The token source of a runtime: one cache, tokens fetched over the runtime's HTTP client. */
export function createTokenSource({ client, secrets, onEvent }: TokenSourceOptions): TokenSource {
  const cache = new TokenCache({ retire: (value) => secrets.redactor.forget(value) });
  return {
    token(request, call) {
      const fresh = cache.fresh(request.key);
      if (fresh !== undefined) return Promise.resolve(fresh);
      const what = `${call.operation}: token request to ${request.maskedEndpoint}`;
      return cache.get(request.key, (signal) => fetchToken(client, request, { operation: call.operation, signal }, secrets, onEvent), {
        signal: call.signal,
        deadline: call.deadline,
        timedOut: () => new TimeoutError(`${what} did not complete within the call's timeout (${call.timeout} ms)`, { operation: call.operation, timeout: call.timeout, method: 'POST', url: request.maskedEndpoint }),
        aborted: () => new AbortedError(`${what} was aborted`, { operation: call.operation }),
      });
    },
    reject: (request, token) => cache.drop(request.key, token),
  };
}

/**
 * Asks the token endpoint for a token. A refusal (4xx) is AUTH_FAILED, not retryable; a 5xx or 429
 * is AUTH_FAILED, retryable; network failures and timeouts are the client's NETWORK and TIMEOUT.
 * Asking again for a token repeats nothing, so the client retries this POST like a GET.
 */
async function fetchToken(
  client: HttpClient,
  request: TokenRequest,
  call: { operation: string; signal: AbortSignal },
  secrets: SecretStore,
  onEvent?: (event: RuntimeEvent) => void,
): Promise<IssuedToken> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (request.scopes.length > 0) form.set('scope', request.scopes.join(' '));
  if (request.audience !== undefined) form.set('audience', request.audience);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': USER_AGENT };
  const maskedHeaders = { ...headers };
  if (request.clientAuthentication === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(request.clientId)}:${formEncode(request.clientSecret)}`).toString('base64')}`;
    maskedHeaders.authorization = `Basic ${MASK}`;
  } else {
    form.set('client_id', request.clientId);
    form.set('client_secret', request.clientSecret);
  }
  const wire: WireRequest = { method: 'POST', url: request.endpoint, headers, body: form.toString(), bodyHoldsSecret: request.clientAuthentication === 'body', idempotent: true };
  const { operation } = call;
  const started = onEvent ? performance.now() : 0;
  onEvent?.({ type: 'request', operation, method: 'POST', url: secrets.redactor.text(request.maskedEndpoint), headers: maskedHeaders });
  const response = await client.send(wire, { operation, redactedUrl: request.maskedEndpoint, signal: call.signal });
  onEvent?.({ type: 'response', operation, status: response.status, attempts: response.attempts, durationMs: performance.now() - started });

  const headersMasked = secrets.redactor.headers(response.headers);
  const what = `${operation}: the token endpoint ${request.maskedEndpoint}`;
  if (response.status < 200 || response.status >= 300) {
    const body = secrets.redactor.tree(parseLooseBody(response.body, headerText(headersMasked['content-type']), MAX_ERROR_BODY_BYTES));
    const code = isObject(body) && typeof body.error === 'string' ? body.error : undefined;
    const refused = response.status < 500 && response.status !== 429 ? 'refused the client' : 'failed';
    throw new AuthError(`${what} ${refused} (${response.status}${code !== undefined ? ` ${code}` : ''})${summarizeBody(isObject(body) ? (body.error_description ?? body) : body)}`, {
      operation,
      status: response.status,
      endpoint: request.maskedEndpoint,
      body,
      headers: headersMasked,
      ...(code !== undefined ? { error: code } : {}),
    });
  }
  const invalid = (why: string) => new AuthError(`${what} answered ${response.status} ${why}`, { operation, status: response.status, endpoint: request.maskedEndpoint, retryable: false });
  const token = parseLooseBody(response.body, 'application/json');
  if (!isObject(token) || typeof token.access_token !== 'string' || token.access_token === '') throw invalid('without an access_token');
  const value = token.access_token;
  secrets.redactor.add(value);
  if (token.token_type !== undefined && String(token.token_type).toLowerCase() !== 'bearer') throw invalid(`with token_type '${String(token.token_type)}'; only bearer tokens are supported`);
  try {
    validateHeaderValue('authorization', `Bearer ${value}`);
  } catch {
    throw invalid('with an access_token that cannot be sent in a header');
  }
  const seconds = typeof token.expires_in === 'string' ? Number(token.expires_in) : token.expires_in;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? { value, lifetimeMs: seconds * 1000 } : { value };
}

/** `application/x-www-form-urlencoded` encoding of one value, as RFC 6749 §2.3.1 asks for Basic credentials. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
