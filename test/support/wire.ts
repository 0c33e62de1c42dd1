import type { RecordedRequest } from './recordingServer.js';

/**
 * What must be equal between two requests sent for the same call by two capabilities: method, target,
 * headers and body (JSON compared as data), not the connection details.
 */
export function wire(request: RecordedRequest) {
  const { host: _host, connection: _connection, 'content-length': _length, ...headers } = request.headers;
  const json = String(headers['content-type'] ?? '').startsWith('application/json');
  return { method: request.method, url: request.url, headers, body: json ? JSON.parse(request.body) : request.body };
}
