import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, type Runtime } from '../runtime/index.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { expectUsersWire, type UsersWireCase } from './support/wire.js';

const table = JSON.parse(readFileSync(new URL('fixtures/conformance/vital-users-wire.json', import.meta.url), 'utf8')) as { cases: UsersWireCase[] };
const API_KEY = 'conformance-key-7f3a';

let server: RecordingServer;
let runtime: Runtime;

beforeAll(async () => {
  server = await startRecordingServer(() => ({ body: { echoed: true } }));
  const users = await loadCapability(new URL('../capabilities/vital-users.yaml', import.meta.url));
  runtime = createRuntime(users, { env: { VITAL_API_KEY: API_KEY }, baseUri: server.url, retry: { limit: 0 } });
});

afterAll(async () => {
  runtime.close();
  await server.close();
});

describe('the 19 Users operations send exactly the conformance requests', () => {
  test('the table covers all 19 operations of the capability', () => {
    expect(table.cases).toHaveLength(19);
    expect(new Set(table.cases.map((c) => c.operation))).toEqual(new Set(runtime.operations.map((o) => o.name)));
  });

  test.each(table.cases.map((c) => [c.operation, c] as const))('%s', async (_name, wire) => {
    server.requests.length = 0;
    const outputs = await runtime.invoke(wire.operation, wire.inputs);
    expect(outputs).toEqual({ result: { echoed: true } });
    expect(server.requests).toHaveLength(1);
    expectUsersWire(server.requests[0], wire, API_KEY);
  });
});
