/**
 * REST `forward` (spec 3.17): a resource path whose requests pass through to a consumed namespace,
 * with only the trusted headers of the caller.
 */
import { HttpError, InputError, type Runtime } from '../index.js';
import { headerText, parseLooseBody } from '../internal.js';
import { checkInputs, inputSchema, type ExposedInput } from './inputs.js';
import type { ExposedOperation } from './types.js';

/**
 * The operation behind a forward route. `pathParam` names the placeholder that carries the rest of
 * the path (`/notion/{path}` → `path`); without one, requests go to the namespace's base URI. The
 * method, query string and body are the caller's (`RunOptions.request`); the result is the upstream
 * body (JSON when it is JSON, otherwise text), and an upstream error status is an HTTP_ERROR with it.
 */
export function compileForward(name: string, targetNamespace: string, trustedHeaders: string[], pathParam: string | undefined, runtime: Runtime): ExposedOperation {
  const inputs: ExposedInput[] = pathParam ? [{ name: pathParam, type: 'string', required: false, in: 'path' }] : [];
  const trusted = trustedHeaders.map((h) => h.toLowerCase());
  return {
    name,
    description: `Forwards requests to namespace '${targetNamespace}'`,
    inputSchema: inputSchema(inputs),
    async run(args, options = {}) {
      const values = checkInputs(name, inputs, args);
      const path = pathParam === undefined ? '' : String(values[pathParam] ?? '');
      // The rest of the path is sent as received; dot segments would climb out of the base URI.
      if (decodePath(path).split('/').some((segment) => segment === '.' || segment === '..')) {
        throw new InputError(`${name}: the forwarded path cannot contain '.' or '..' segments`, { operation: name, parameter: pathParam });
      }
      const request = options.request ?? { method: 'GET', query: '' };
      const headers: Record<string, string> = {};
      for (const header of trusted) {
        const value = options.headers?.[header];
        if (value !== undefined) headers[header] = Array.isArray(value) ? value.join(', ') : value;
      }
      if (request.body && request.body.length > 0 && request.contentType) headers['content-type'] = request.contentType;
      const response = await runtime.forward(targetNamespace, { method: request.method, path, query: request.query, headers, body: request.body }, { signal: options.signal });
      const body = parseLooseBody(response.body, headerText(response.headers['content-type']));
      if (response.status < 200 || response.status >= 300) {
        throw new HttpError(`${name}: ${request.method} forwarded to '${targetNamespace}' answered ${response.status}`, {
          operation: name,
          status: response.status,
          body,
          method: request.method,
          url: `/${path}`,
        });
      }
      options.onUpstreamStatus?.(response.status);
      return body;
    },
  };
}

/** Decoded, so that `%2F..%2F` is seen for what an upstream may make of it. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
