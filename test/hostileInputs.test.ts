/**
 * Hostile answers and inputs get the documented errors: nothing crashes, hangs, blocks, reads forever,
 * or silently changes a value; nothing is sent when the input is at fault.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, inspectCapability, loadCapability, type Capability, type Runtime } from '../runtime/index.js';
import { compileExposes } from '../runtime/orchestration/compileExposes.js';
import type { RestExposeSpec } from '../runtime/orchestration/types.js';
import { startRestServer } from '../runtime/rest/restServer.js';
import { MAX_SOURCE_BYTES } from '../runtime/load/readSourceFile.js';
import { MAX_DEPTH } from '../runtime/util/depth.js';
import { naftiko } from './support/cli.js';
import { failure } from './support/failure.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';

const FILE = new URL('./fixtures/hostile/hostile.yaml', import.meta.url).pathname;
const TOKEN = 'hostile-token-9d8c';
const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;

let upstream: RecordingServer;
let capability: Capability;
let tmp: string;
const runtimes: Runtime[] = [];

function runtime(): Runtime {
  const created = createRuntime(capability, { baseUri: upstream.url, env: { HOSTILE_TOKEN: TOKEN }, retry: { limit: 2, baseDelay: 1 } });
  runtimes.push(created);
  return created;
}

beforeAll(async () => {
  upstream = await startRecordingServer();
  capability = await loadCapability(FILE);
  tmp = mkdtempSync(join(tmpdir(), 'naftiko-hostile-'));
});
afterAll(async () => {
  await upstream.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  upstream.requests.length = 0;
  upstream.handler = () => ({});
});
afterEach(() => {
  for (const r of runtimes.splice(0)) r.close();
});

describe('a deeply nested answer', () => {
  beforeEach(() => {
    upstream.handler = () => ({ headers: { 'content-type': 'application/json' }, body: DEEP });
  });

  test('is RESPONSE_INVALID past the documented depth, in the library', async () => {
    const error = await failure(runtime().invoke('get-thing'));
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(error.message).toBe(`hostile.get-thing: the response nests deeper than ${MAX_DEPTH} levels; it was refused`);
  });

  test('is exit 3 on the command line, not an internal error', async () => {
    const r = await naftiko(['run', FILE, 'get-thing', '--base-uri', upstream.url]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^naftiko: RESPONSE_INVALID: /);
  });

  test('is a 502 from a REST expose, which keeps serving', async () => {
    const r = runtime();
    const rest = compileExposes(capability, r).find((s): s is RestExposeSpec => s.type === 'rest')!;
    const server = await startRestServer(rest, { port: 0 });
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const deep = await fetch(`${server.url}/things`, { headers: auth });
      expect(deep.status).toBe(502);
      expect(((await deep.json()) as { error: { code: string } }).error.code).toBe('RESPONSE_INVALID');
      upstream.handler = () => ({ body: { fine: true } });
      expect(await (await fetch(`${server.url}/things`, { headers: auth })).json()).toEqual({ fine: true });
    } finally {
      await server.close();
    }
  });

  test('a nesting within the depth is read', async () => {
    upstream.handler = () => ({ headers: { 'content-type': 'application/json' }, body: `${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}` });
    expect(await runtime().invoke('get-thing')).toHaveProperty('result');
  });
});

describe('inputs that cannot be sent or represented', () => {
  test.each([
    ['a character beyond Latin-1', 'naïve ✓'],
    ['a control character', 'bell\u0007'],
    ['a line break', 'a\r\nX-Injected: 1'],
  ])('a header value with %s is INPUT_INVALID, exit 1, nothing sent', async (_what, value) => {
    const error = await failure(runtime().invoke('get-thing', { 'X-Note': value }));
    expect(error).toMatchObject({ code: 'INPUT_INVALID', operation: 'hostile.get-thing' });
    expect(error.message).toContain("header 'X-Note'");
    const cli = await naftiko(['run', FILE, 'get-thing', `X-Note=${value}`, '--base-uri', upstream.url]);
    expect(cli.code).toBe(1);
    expect(upstream.requests).toHaveLength(0);
  });

  test('a Latin-1 header value is sent', async () => {
    await runtime().invoke('get-thing', { 'X-Note': 'café' });
    expect(Buffer.from(upstream.requests[0].headers['x-note'] as string, 'latin1').toString('latin1')).toBe('café');
  });

  test.each([
    [{ count: '9007199254740993' }, 'count', 'represented exactly'],
    [{ count: 9007199254740993 }, 'count', 'represented exactly'],
    [{ count: '0x10' }, 'count', 'an integer'],
    [{ ratio: '0x10' }, 'ratio', 'a number'],
    [{ ratio: 'Infinity' }, 'ratio', 'a number'],
    [{ ratio: '12345678901234567890' }, 'ratio', 'represented exactly'],
    [{ label: 12345678901234567890 }, 'label', 'send it as a string'],
  ])('%j is refused, not silently changed', async (inputs, parameter, reason) => {
    const error = await failure(runtime().invoke('get-thing', inputs));
    expect(error.toJSON()).toMatchObject({ code: 'INPUT_INVALID', parameter });
    expect(error.message).toContain(reason);
    expect(upstream.requests).toHaveLength(0);
  });

  test('exact numbers pass', async () => {
    await runtime().invoke('get-thing', { count: '9007199254740991', ratio: '1e3', label: 42 });
    expect(upstream.requests[0].url).toBe('/things?count=9007199254740991&ratio=1000&label=42');
  });

  test(`an input nested deeper than ${MAX_DEPTH} levels is INPUT_INVALID`, async () => {
    const error = await failure(runtime().invoke('create-thing', { body: JSON.parse(`${'{"a":'.repeat(600)}1${'}'.repeat(600)}`) }));
    expect(error.toJSON()).toMatchObject({ code: 'INPUT_INVALID', parameter: 'body' });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('retries', () => {
  test('an empty Idempotency-Key does not make a POST retryable; a real one does', async () => {
    upstream.handler = () => ({ status: 503, body: { busy: true } });
    await failure(runtime().invoke('create-thing', { 'Idempotency-Key': '', body: { a: 1 } }));
    expect(upstream.requests).toHaveLength(1);
    upstream.requests.length = 0;
    await failure(runtime().invoke('create-thing', { 'Idempotency-Key': 'k-1', body: { a: 1 } }));
    expect(upstream.requests).toHaveLength(3);
  });
});

describe('patterns with catastrophic backtracking', () => {
  test('are reported at load with their position and checked in linear time', async () => {
    const warning = capability.warnings.find((d) => d.message.includes('nested quantifiers'));
    expect(warning).toMatchObject({ severity: 'warning', line: 28, col: 19 });
    expect(warning!.message).toBe("parameter 'code': pattern ^(a+)+$ has nested quantifiers, which can take exponential time; it is matched with a linear-time engine");
    // 29 characters took V8's backtracking engine 17 s; RE2 answers at once (the test would time out otherwise).
    const error = await failure(runtime().invoke('get-thing', { code: `${'a'.repeat(28)}!` }));
    expect(error.toJSON()).toMatchObject({ code: 'INPUT_INVALID', parameter: 'code' });
    await runtime().invoke('get-thing', { code: 'a'.repeat(40) });
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('files that are not regular files', () => {
  const capabilityImporting = (location: string, bind = false) => {
    const file = join(tmp, `importer-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      bind
        ? `naftiko: 1.0.0-alpha2\nbinds:\n  - namespace: keys\n    location: file://${location}\n    keys: { K: K }\ncapability:\n  consumes:\n    - type: http\n      namespace: x\n      baseUri: http://127.0.0.1:1\n      resources: []\n`
        : `naftiko: 1.0.0-alpha1\ncapability:\n  consumes:\n    - import: shared\n      location: ${location}\n`,
    );
    return file;
  };

  test('an import of /dev/zero or a FIFO is refused at once', () => {
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [target, reason] of [
      ['/dev/zero', 'not a regular file'],
      [fifo, 'not a regular file'],
      [tmp, 'it is a directory'],
    ]) {
      const { diagnostics } = inspectCapability(capabilityImporting(target));
      expect(diagnostics.map((d) => d.message)).toContain(`cannot read capability file: ${reason}`);
    }
  });

  test('a bind file on /dev/zero is a warning and gives no values', () => {
    const { capability: loaded, diagnostics } = inspectCapability(capabilityImporting('/dev/zero', true));
    expect(loaded).toBeDefined();
    expect(diagnostics.map((d) => d.message)).toContain('bind file /dev/zero cannot be read (not a regular file); its secrets will be reported missing');
  });

  test('a file larger than the cap is refused', () => {
    const big = join(tmp, 'big.yaml');
    writeFileSync(big, Buffer.alloc(MAX_SOURCE_BYTES + 1, 0x20));
    expect(inspectCapability(big).diagnostics[0].message).toBe(`cannot read capability file: larger than ${MAX_SOURCE_BYTES} bytes`);
  });
});

describe('a REST expose', () => {
  test('checks credentials before routing: no 404 or 405 tells an anonymous caller what exists', async () => {
    const r = runtime();
    const rest = compileExposes(capability, r).find((s): s is RestExposeSpec => s.type === 'rest')!;
    const server = await startRestServer(rest, { port: 0 });
    try {
      for (const [path, method] of [
        ['/nothing-here', 'GET'],
        ['/things', 'DELETE'],
        ['/things', 'GET'],
      ]) {
        const response = await fetch(`${server.url}${path}`, { method });
        expect(response.status, `${method} ${path}`).toBe(401);
      }
      const auth = { authorization: `Bearer ${TOKEN}` };
      expect((await fetch(`${server.url}/nothing-here`, { headers: auth })).status).toBe(404);
      expect((await fetch(`${server.url}/things`, { method: 'DELETE', headers: auth })).status).toBe(405);

      upstream.handler = () => ({ status: 404, body: { detail: 'gone' } });
      const missing = await fetch(`${server.url}/things`, { headers: auth });
      const body = (await missing.json()) as { error: unknown };
      expect(missing.status).toBe(404);
      expect(body.error).toEqual({ code: 'HTTP_ERROR', message: 'hostile.get-thing: GET /things answered 404: gone', retryable: false, operation: 'hostile.get-thing', status: 404, body: { detail: 'gone' }, method: 'GET' });
      expect(JSON.stringify(body)).not.toContain(upstream.url);
    } finally {
      await server.close();
    }
  });
});
