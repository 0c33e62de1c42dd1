import { expect } from 'vitest';
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

/** One row of the Users conformance table as the server must receive it. */
export interface ExpectedWire {
  method: string;
  path: string;
  body: unknown;
}

/** A row of `fixtures/conformance/vital-users-wire.json`: a call and the request it must send. */
export interface UsersWireCase extends ExpectedWire {
  operation: string;
  inputs: Record<string, unknown>;
}

/**
 * Asserts that `request` is exactly the table's row: method, target, the API key header, and either no
 * body and no content type, or a JSON body equal to the row's.
 */
export function expectUsersWire(request: RecordedRequest, expected: ExpectedWire, apiKey: string): void {
  expect(request.method).toBe(expected.method);
  expect(request.url).toBe(expected.path);
  expect(request.headers['x-vital-api-key']).toBe(apiKey);
  if (expected.body === null) {
    expect(request.body).toBe('');
    expect(request.headers['content-type']).toBeUndefined();
  } else {
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual(expected.body);
  }
}
