/**
 * `naftiko convert`: every corpus file and official example, converted to Ikanos beta5 and back, loads
 * into the same model and prepares the same requests as its original; comments survive; lossy
 * conversions back to alpha2 are refused with their reasons; converted files send the same bytes to a
 * real server.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { convertDocument } from '../runtime/convert/convertDocument.js';
import { createRuntime, inspectCapability, loadCapability, NaftikoError, type Capability } from '../runtime/index.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { CLI } from './support/cli.js';
import { capabilityInternals } from '../runtime/internal.js';

const run = promisify(execFile);
// Converting and loading 178 files four ways takes half a minute on a busy 2-core machine.
vi.setConfig({ testTimeout: 240_000 });
const FIXTURES = new URL('fixtures/', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'naftiko-convert-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Copies, so that converted files sit next to the files their originals import.
cpSync(`${FIXTURES}corpus`, `${work}/corpus`, { recursive: true });
cpSync(`${FIXTURES}naftiko-alpha2/examples`, `${work}/alpha2`, { recursive: true });
cpSync(`${FIXTURES}ikanos-beta5/tutorial`, `${work}/beta5`, { recursive: true });
cpSync(`${ROOT}capabilities`, `${work}/capabilities`, { recursive: true });

const corpus = readFileSync(`${FIXTURES}corpus/INDEX.tsv`, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .filter((cells) => !cells[4].startsWith('k8s'))
  .map((cells) => `${work}/corpus/${cells[0]}`);
const yamlIn = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && !e.name.includes('secrets'))
    .map((e) => join(folder, e.name));
const ORIGINALS = [...corpus, ...yamlIn(`${work}/alpha2`), ...yamlIn(`${work}/alpha2/shared`), ...yamlIn(`${work}/capabilities`)];

/** Secrets are masked in `prepare`; every variable has a value so that every request can be built. */
const env = new Proxy({} as Record<string, string | undefined>, {
  get: (_, key) => (typeof key === 'string' && !key.startsWith('NAFTIKO_') ? `value-of-${key}` : undefined),
  has: (_, key) => typeof key === 'string' && !key.startsWith('NAFTIKO_'),
});

/** A value for every input, of its declared type: every parameter of the operation takes part. */
function sample(schema: Record<string, unknown>, name: string): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
      return 3;
    case 'number':
      return 2.5;
    case 'boolean':
      return true;
    case 'array':
      return [`${name}-1`, `${name}-2`];
    case 'object':
      return { key: `${name}-value` };
    default:
      return `${name}-value`;
  }
}

/**
 * Each operation's request (or the error building it), for the same synthesized inputs. A conversion
 * that had to rename a repeated name changes how such operations are addressed, not what they send.
 */
function requests(capability: Capability, addressed = true): unknown[] {
  const runtime = createRuntime(capability, { env });
  try {
    return capability.operations.map((operation) => {
      const properties = (operation.inputs.properties ?? {}) as Record<string, Record<string, unknown>>;
      const inputs = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, sample(schema, name)]));
      try {
        const { operation: id, ...request } = runtime.prepare(operation.id, inputs);
        return addressed ? { id, ...request } : request;
      } catch (error) {
        if (!(error instanceof NaftikoError)) throw error;
        return { error: error.code, message: addressed ? error.message : error.message.replace(/^\S+: /, '') };
      }
    });
  } finally {
    runtime.close();
  }
}

/** Files whose conversion named something (a repeated or missing name): their model gains those names. */
const renamed = new Set<string>();

function convertFile(path: string, to: 'ikanos' | 'naftiko', suffix: string): string {
  const result = convertDocument(readFileSync(path, 'utf8'), to);
  if (!result.ok) throw new Error(`${path}: ${result.problems.map((p) => `${p.line}:${p.col}: ${p.message}`).join('; ')}`);
  const out = path.replace(/\.ya?ml$/, `${suffix}.yaml`);
  writeFileSync(out, result.text);
  if (result.notes.length > 0) renamed.add(out);
  return out;
}

/** The document the compiler reads, without its version key, which conversion changes by design. */
function model(capability: Capability): unknown {
  const { naftiko: _version, ...rest } = capabilityInternals(capability).document;
  return rest;
}

describe('naftiko convert over the corpus and the official examples', () => {
  test(`${ORIGINALS.length} files convert to Ikanos beta5 and back, load into the same model and prepare the same requests`, () => {
    expect(corpus).toHaveLength(162);
    const differences: string[] = [];
    for (const original of ORIGINALS) {
      const before = inspectCapability(original);
      if (!before.capability) continue;
      const upgraded = convertFile(original, 'ikanos', '.ikanos');
      expect(readFileSync(upgraded, 'utf8')).toMatch(/^(---\n)?(#.*\n)*ikanos: "1\.0\.0-beta5"/m);
      const after = inspectCapability(upgraded);
      if (!after.capability) {
        differences.push(`${upgraded}: ${after.diagnostics.find((d) => d.severity === 'error')?.message}`);
        continue;
      }
      if (!renamed.has(upgraded) && !equalModels(after.capability, before.capability)) differences.push(`${upgraded}: another model`);
      const addressed = !renamed.has(upgraded);
      const expected = JSON.stringify(requests(before.capability, addressed));
      if (JSON.stringify(requests(after.capability, addressed)) !== expected) differences.push(`${upgraded}: other requests`);
      const back = convertFile(upgraded, 'naftiko', '.back');
      const again = inspectCapability(back);
      if (!again.capability || JSON.stringify(requests(again.capability, addressed)) !== expected) differences.push(`${back}: not the original's requests`);
    }
    expect(differences).toEqual([]);
  });

  test('the official Ikanos tutorial converts to alpha2 and back where nothing is lost', () => {
    for (const path of yamlIn(`${work}/beta5`)) {
      const before = inspectCapability(path);
      const down = convertFile(path, 'naftiko', '.alpha2');
      const after = inspectCapability(down);
      expect(after.diagnostics.filter((d) => d.severity === 'error'), down).toEqual([]);
      expect(equalModels(after.capability!, before.capability!), down).toBe(true);
    }
  });
});

/** Same model up to key order. */
function equalModels(a: Capability, b: Capability): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value;
  return JSON.stringify(canonical(model(a))) === JSON.stringify(canonical(model(b)));
}

describe('convertDocument', () => {
  test('keeps comments, order and quoting', () => {
    const text = `# Shipyard, converted
naftiko: "1.0.0-alpha2" # the version line
info:
  label: Shipyard # shown to users
capability:
  consumes:
    - type: http
      namespace: registry
      baseUri: "https://registry.example.com"
      resources:
        # every ship
        - name: ships
          path: /ships
          operations:
            - name: list-ships # the list
              method: GET
`;
    const result = convertDocument(text, 'ikanos');
    expect(result).toEqual({
      ok: true,
      from: 'naftiko',
      notes: [],
      text: `# Shipyard, converted
ikanos: "1.0.0-beta5" # the version line
info:
  display: Shipyard # shown to users
capability:
  consumes:
    - type: http
      namespace: registry
      baseUri: "https://registry.example.com"
      resources:
        # every ship
        ships:
          path: /ships
          operations:
            list-ships: # the list
              method: GET
`,
    });
  });

  test('refuses to go back to alpha2 when something would be lost, naming each thing at its line', () => {
    const text = `ikanos: "1.0.0-beta5"
info:
  display: x
  version: "2"
capability:
  consumes:
    - namespace: files
      type: http
      baseUri: https://files.example.com
      tunnel: { type: ziti, service: files, identity: "{{ID}}" }
      resources:
        file:
          path: /files/{{id}}
          operations:
            download:
              method: GET
              outputRawFormat: binary
              outputMediaType: application/pdf
  exposes:
    - import: tools
      from: ./tools.yaml
`;
    expect(convertDocument(text, 'naftiko')).toEqual({
      ok: false,
      problems: [
        { line: 4, col: 3, message: 'info.version has no Naftiko alpha2 equivalent' },
        { line: 10, col: 7, message: 'tunnel (OpenZiti) has no Naftiko alpha2 equivalent' },
        { line: 18, col: 15, message: 'binary content (outputMediaType) has no Naftiko alpha2 equivalent' },
        { line: 20, col: 7, message: "exposes imports ('from') have no Naftiko alpha2 equivalent" },
      ],
    });
  });

  test('keys the second of two items with one name in one list apart, with a note', () => {
    const text = 'naftiko: 1.0.0-alpha2\ncapability:\n  consumes:\n    - type: http\n      namespace: a\n      baseUri: https://a.example.com\n      resources:\n        - name: r\n          path: /r\n          operations:\n            - { name: get, method: GET }\n            - { name: get, method: POST }\n';
    const result = convertDocument(text, 'ikanos');
    expect(result).toMatchObject({ ok: true, notes: [{ line: 12, col: 17, message: "'get' is named twice in one list: the second one is keyed 'get-2'" }] });
    expect((result as { text: string }).text).toContain('            get-2: { method: POST }\n');
  });
});

describe('naftiko convert (CLI)', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startRecordingServer(() => ({ body: { user_id: 'u-1' } }));
  });
  afterAll(() => server.close());

  test('writes the converted file, which sends the same requests to a real server as the original', async () => {
    const original = `${work}/capabilities/vital-users.yaml`;
    const output = `${work}/capabilities/vital-users.cli.yaml`;
    const { stdout, stderr } = await run(process.execPath, [CLI, 'convert', original, '--to', 'ikanos', '--output', output]);
    expect([stdout, stderr]).toEqual(['', '']);
    const sent = async (path: string) => {
      const capability = await loadCapability(path);
      const runtime = createRuntime(capability, { baseUri: server.url, env: { VITAL_API_KEY: 'k-123' }, retry: { limit: 0 } });
      const before = server.requests.length;
      try {
        await runtime.invoke('get_user_v2_user__user_id__get', { user_id: 'u 1/2' });
        await runtime.invoke('create_user_v2_user_post', { body: { client_user_id: 'c-1' } });
        return server.requests.slice(before).map(({ method, url, headers, body }) => ({ method, url, body, key: headers['x-vital-api-key'], type: headers['content-type'] }));
      } finally {
        runtime.close();
      }
    };
    const wire = await sent(original);
    expect(wire).toHaveLength(2);
    expect(await sent(output)).toEqual(wire);
  });

  test('prints to stdout without --output; a lossy conversion exits 1 with file:line:col reasons; a bad --to is a usage error', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'convert', `${work}/alpha2/step-1-shipyard-mock.yml`, '--to', 'ikanos']);
    expect(stdout).toMatch(/^ikanos: "1\.0\.0-beta5"$/m);
    const lossy = `${work}/lossy.yaml`;
    writeFileSync(lossy, 'ikanos: "1.0.0-beta5"\ncapability:\n  exposes:\n    - type: mcp\n      namespace: t\n      ttlMs: 1000\n      tools: {}\n');
    const refused = await run(process.execPath, [CLI, 'convert', lossy, '--to', 'naftiko']).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1, stderr: `${lossy}:6:7: error: MCP caching (ttlMs) has no Naftiko alpha2 equivalent\n` });
    const usage = await run(process.execPath, [CLI, 'convert', lossy, '--to', 'openapi']).catch((e: { code: number; stderr: string }) => e);
    expect(usage).toMatchObject({ code: 2 });
    expect(dirname(lossy)).toBe(work);
  });
});
