/**
 * `format` in an input's JSON Schema is checked before anything is sent: JSON Schema's formats and
 * OpenAPI's own (int32, int64, byte…); an unknown format is an annotation and prints nothing.
 */
import { afterAll, beforeAll, beforeEach, expect, test, vi } from 'vitest';
import { createRuntime, loadCapability, type Runtime } from '../runtime/index.js';
import { failure } from './support/failure.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';

let upstream: RecordingServer;
let runtime: Runtime;
const warn = vi.spyOn(console, 'warn');
const log = vi.spyOn(console, 'log');

beforeAll(async () => {
  upstream = await startRecordingServer();
  runtime = createRuntime(await loadCapability(new URL('./fixtures/formats/formats.yaml', import.meta.url)), { baseUri: upstream.url });
});
afterAll(async () => {
  runtime.close();
  await upstream.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
});

test('an unknown format compiles without a word on the console', () => {
  expect(warn).not.toHaveBeenCalled();
  expect(log).not.toHaveBeenCalled();
});

test.each([
  [{ when: 'yesterday' }, '/when: must match format "date-time"'],
  [{ contact: 'not an address' }, '/contact: must match format "email"'],
  [{ count: 2 ** 31 }, '/count: must match format "int32"'],
])('%j is INPUT_INVALID and nothing is sent', async (body, message) => {
  const error = await failure(runtime.invoke('create-event', { body }));
  expect(error.code).toBe('INPUT_INVALID');
  expect(error.message).toContain(message);
  expect(upstream.requests).toHaveLength(0);
});

test('values in their formats are sent', async () => {
  await runtime.invoke('create-event', { body: { when: '2026-11-27T10:00:00Z', contact: 'a@example.com', count: 7, note: 'anything' } });
  expect(upstream.requests).toHaveLength(1);
});
