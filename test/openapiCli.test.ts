/**
 * `naftiko import openapi` and `naftiko export openapi` as users run them: the built CLI in a child
 * process. The capability or document goes to stdout (or --output), the report to stderr.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { startRecordingServer } from './support/recordingServer.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const folder = mkdtempSync(join(tmpdir(), 'naftiko-openapi-cli-'));
const USERS = 'test/fixtures/junction/openapi-users.json';
/** Each test runs the CLI several times, on a machine that may be busy. */
const SLOW = 60_000;

function naftiko(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('naftiko import openapi', () => {
  test('writes the capability on stdout and a summary on stderr; the file validates with no warning', async () => {
    const imported = await naftiko('import', 'openapi', USERS, '--namespace', 'users', '--secret-env', 'VITAL_API_KEY', '--tag', 'user');
    expect(imported.code).toBe(0);
    expect(imported.stderr).toBe(`imported 19 operations from ${USERS}\n`);
    expect(parse(imported.stdout).capability.consumes[0].namespace).toBe('users');

    const file = join(folder, 'users.yaml');
    const written = await naftiko('import', 'openapi', USERS, '--namespace', 'users', '--output', file);
    expect(written.stdout).toBe('');
    expect(written.stderr).toBe(`imported 19 operations from ${USERS} into ${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe(imported.stdout.replaceAll('VITAL_API_KEY', 'USERS_API_KEY'));
    const validated = await naftiko('validate', file);
    expect(validated.stdout).toBe(`ok: ${file} (19 operations)\n`);
  }, SLOW);

  test('lists what cannot be expressed on stderr, one line each, and still succeeds', async () => {
    const { code, stderr } = await naftiko('import', 'openapi', 'test/fixtures/openapi/petstore-oas31.json', '--output', join(folder, 'pets.yaml'));
    expect(code).toBe(0);
    expect(stderr.split('\n')).toEqual([
      "not expressible: GET /pets (listPets): query parameter 'filter': an object in style 'deepObject' is not supported: it is sent as JSON text",
      'not expressible: webhooks: petAdopted: webhooks are requests the API sends, not operations a capability calls',
      `imported 3 operations from test/fixtures/openapi/petstore-oas31.json into ${join(folder, 'pets.yaml')}; 2 items not expressible (listed above)`,
      '',
    ]);
  }, SLOW);

  test('--format ikanos writes the beta5 map shape', async () => {
    const { code, stdout } = await naftiko('import', 'openapi', 'test/fixtures/openapi/shipyard/naftiko-shipyard-legacy-dockyard-api.yaml', '--format', 'ikanos', '--operation', 'get-vessel');
    expect(code).toBe(0);
    const document = parse(stdout);
    expect(document.ikanos).toBe('1.0.0-beta5');
    expect(document.capability.consumes[0].resources).toEqual({
      'vessels-vessel-code': {
        path: '/vessels/{vesselCode}',
        operations: {
          'get-vessel': {
            display: 'Retrieve a vessel by its legacy code',
            description: 'Returns a single legacy vessel record as XML, including extra fields such as build year, deadweight and home port.',
            method: 'GET',
            inputParameters: { vesselCode: { in: 'path' } },
            outputRawFormat: 'xml',
          },
        },
      },
    });
  }, SLOW);

  test('--help explains the command; usage mistakes exit 2', async () => {
    const help = await naftiko('import', 'openapi', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: naftiko import openapi SPEC');
    for (const args of [['import'], ['import', 'postman', 'x.json'], ['import', 'openapi'], ['import', 'openapi', USERS, '--format', 'xml'], ['import', 'openapi', USERS, '--flavour']]) {
      const { code, stderr } = await naftiko(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toContain("Run 'naftiko import --help' for details.");
    }
  }, SLOW);

  test('an unreadable document or an empty selection exits 1; an unreachable URL exits 4', async () => {
    const missing = await naftiko('import', 'openapi', 'nope.yaml');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`naftiko: SPEC_INVALID: ${join(ROOT, 'nope.yaml')}: cannot read OpenAPI document: no such file\n`);
    const tag = await naftiko('import', 'openapi', USERS, '--tag', 'users');
    expect(tag.code).toBe(1);
    expect(tag.stderr).toContain("--tag users: no operation has this tag; did you mean 'user'?");
    const closed = await startRecordingServer();
    await closed.close();
    const unreachable = await naftiko('import', 'openapi', `${closed.url}/openapi.json`);
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toMatch(/^naftiko: NETWORK: /);
  }, SLOW);
});

describe('naftiko export openapi', () => {
  test('writes JSON on stdout that parses, YAML with --output F.yaml', async () => {
    const json = await naftiko('export', 'openapi', 'capabilities/vitable-groups.yaml');
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    expect(Object.keys(JSON.parse(json.stdout).paths)).toEqual(['/v1/groups', '/v1/groups/{group_id}', '/v1/groups/{group_id}/members/sync', '/v1/groups/{group_id}/members/sync/{request_id}']);
    const file = join(folder, 'groups.openapi.yaml');
    const yaml = await naftiko('export', 'openapi', 'capabilities/vitable-groups.yaml', '--output', file);
    expect(yaml.stderr).toBe(`exported 4 paths of capabilities/vitable-groups.yaml into ${file}\n`);
    expect(parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(json.stdout));
  }, SLOW);

  test('an invalid capability exits 1; --help exits 0', async () => {
    expect((await naftiko('export', 'openapi', 'test/fixtures/openapi/circular.yaml')).code).toBe(1);
    const help = await naftiko('export', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: naftiko export openapi FILE [--output F] [--exposes]');
  }, SLOW);
});
