/**
 * A stand-in for an API described by an OpenAPI 3 document: a real HTTP server on 127.0.0.1 that
 * routes each request to the document's operation (method + templated path) and answers with the
 * first success response's example, the way upstream Ikanos mocks the Shipyard APIs with Microcks.
 *
 * Example choice follows Microcks' naming: an example named `?status=active` answers a request with
 * that query value, `/imo_number=IMO-1` one with that path value; otherwise the first example (or
 * `example`). `{{ request.body/field }}` in an example is filled from the JSON request body.
 * Unknown routes get 404, so a wrong path fails the test that sent it.
 */
import { parse } from 'yaml';
import { isObject } from '../../runtime/util/isObject.js';
import { startRecordingServer, type RecordedRequest, type RecordingServer, type Reply } from './recordingServer.js';

type Raw = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Starts a stand-in answering from the examples of `documentText` (YAML or JSON OpenAPI 3). */
export async function startOpenApiStandIn(documentText: string): Promise<RecordingServer> {
  const document = parse(documentText) as Raw;
  const routes = Object.entries((document.paths ?? {}) as Raw).flatMap(([path, item]) =>
    METHODS.filter((m) => isObject((item as Raw)[m])).map((method) => ({ method: method.toUpperCase(), path, match: pathMatcher(path), operation: (item as Raw)[method] as Raw })),
  );
  return startRecordingServer((request) => {
    const url = new URL(request.url, 'http://stand-in');
    for (const route of routes) {
      const params = route.method === request.method ? route.match(url.pathname) : undefined;
      if (params) return answer(route.operation, params, url.searchParams, request);
    }
    return { status: 404, body: { error: 'not_found', message: `no operation for ${request.method} ${url.pathname}` } };
  });
}

function answer(operation: Raw, pathParams: Record<string, string>, query: URLSearchParams, request: RecordedRequest): Reply {
  const responses = (operation.responses ?? {}) as Raw;
  const status = Object.keys(responses).filter((code) => /^2\d\d$/.test(code)).sort()[0];
  if (status === undefined) return { status: 500, body: 'no success response in the document' };
  const content = ((responses[status] as Raw).content ?? {}) as Raw;
  const [mediaType] = Object.keys(content);
  if (mediaType === undefined) return { status: Number(status), body: '' };
  const media = content[mediaType] as Raw;
  const examples = Object.entries((media.examples ?? {}) as Raw);
  const wanted = new Set([...Object.entries(pathParams).map(([k, v]) => `/${k}=${v}`), ...[...query].map(([k, v]) => `?${k}=${v}`)]);
  const chosen = examples.find(([name]) => wanted.has(name)) ?? examples.find(([name]) => !name.startsWith('?') && !name.startsWith('/')) ?? examples[0];
  const value = chosen ? (chosen[1] as Raw).value : media.example;
  const body = fillTemplates(value, request);
  return { status: Number(status), headers: { 'content-type': mediaType }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** `/ships/{imo}` → a function giving `{imo: 'X'}` for `/ships/X`, or undefined. */
function pathMatcher(template: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^{}]+)\\?\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const regex = new RegExp(`^${pattern}$`);
  return (path) => {
    const match = regex.exec(path);
    return match ? Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1])])) : undefined;
  };
}

function fillTemplates(value: unknown, request: RecordedRequest): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{\s*request\.body\/([^}\s]+)\s*\}\}/g, (_, field: string) => {
      const body = JSON.parse(request.body || '{}') as Raw;
      return String(body[field] ?? '');
    });
  }
  if (Array.isArray(value)) return value.map((v) => fillTemplates(v, request));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplates(v, request)]));
  return value;
}

