/**
 * The `naftiko` CLI as users run it: most cases in-process through `runCli` (the entry the binary
 * runs), a few as real child processes of the built binary (`pretest` builds it), against a real HTTP
 * server on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { inspectCapability, loadCapability, type Capability } from '../runtime/index.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { BASE_ENV, CLI, ROOT, naftiko as runInProcess, naftikoProcess, type CliResult as Result } from './support/cli.js';

const FILE = 'capabilities/vital-users.yaml';
const KEY = 'vk-SECRET-5a4b3c2d1e0f';
const GET_USER = 'get_user_v2_user__user_id__get';
const CREATE_USER = 'create_user_v2_user_post';

function naftiko(args: string[], env: Record<string, string | undefined> = { VITAL_API_KEY: KEY }): Promise<Result> {
  return runInProcess(args, env);
}

/** `naftiko run FILE OP ... --base-uri <server>`. */
function runOp(op: string, ...args: string[]): Promise<Result> {
  return naftiko(['run', FILE, op, ...args, '--base-uri', server.url]);
}

/** Asserts that stderr is exactly one line and returns it. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe('');
  return lines[0];
}

// A few tests start node processes, each loading the whole runtime: slow on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

let server: RecordingServer;
let capability: Capability;
let tmp: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first (npm test does)`);
  server = await startRecordingServer();
  capability = await loadCapability(join(ROOT, FILE));
  tmp = mkdtempSync(join(tmpdir(), 'naftiko-cli-'));
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
  server.handler = () => ({ body: { user_id: 'abc', client_user_id: 'c-1' } });
});

describe('help, version and usage errors', () => {
  test.each(['validate', 'list', 'describe', 'run'])('naftiko %s --help prints its usage on stdout, exit 0', async (command) => {
    const results = await Promise.all([[command, '--help'], ['help', command], [command, FILE, '--bogus', '-h']].map((args) => naftiko(args)));
    for (const r of results) {
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout.startsWith(`usage: naftiko ${command} `)).toBe(true);
    }
  });

  test('naftiko --help, -h and help print the command list', async () => {
    for (const r of await Promise.all([['--help'], ['-h'], ['help']].map((args) => naftiko(args)))) {
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout.split('\n')[0]).toBe('usage: naftiko <command> [arguments]');
      for (const command of ['validate', 'list', 'describe', 'run']) expect(r.stdout).toContain(`  naftiko ${command} `);
    }
  });

  test('--version prints the package version (the binary, as a process)', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await naftikoProcess(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  test('usage errors exit 2 with the message, the usage line and a --help hint', async () => {
    // Other commands may follow the four of this file.
    const top = (await naftiko([])).stderr.split('\n')[1];
    expect(top).toMatch(/^usage: naftiko <command> \[arguments\] \(commands: validate, list, describe, run(, [a-z]+)*\)$/);
    const runUsage = 'usage: naftiko run FILE OP [name=value ...] [--input JSON|@file.json] [--base-uri URL|namespace=URL] [--timeout MS] [--retries N] [--idempotency-key KEY] [--all [--max-pages N] | --wait] [--dry-run] [--verbose] [--json]';
    const cases: Array<[string[], string, string, string]> = [
      [[], 'naftiko: no command given', top, "Run 'naftiko --help' for details."],
      [['lsit'], "naftiko: unknown command 'lsit'; did you mean 'list'?", top, "Run 'naftiko --help' for details."],
      [['list', FILE, '--bogus'], "naftiko: unknown option '--bogus'", 'usage: naftiko list FILE [--json] [--verbose]', "Run 'naftiko list --help' for details."],
      [['validate'], 'naftiko: no capability file given', 'usage: naftiko validate FILE... [--json] [--quiet]', "Run 'naftiko validate --help' for details."],
      [['describe', FILE], 'naftiko: give a capability file and an operation', 'usage: naftiko describe FILE OP [--json] [--verbose]', "Run 'naftiko describe --help' for details."],
      [['run', FILE], 'naftiko: give a capability file and an operation', runUsage, "Run 'naftiko run --help' for details."],
      [['run', FILE, GET_USER, 'abc'], "naftiko: expected an input as name=value, got 'abc'", runUsage, "Run 'naftiko run --help' for details."],
      [['run', FILE, GET_USER, 'user_id=a', 'user_id=b'], "naftiko: input 'user_id' is given twice", runUsage, "Run 'naftiko run --help' for details."],
      [['run', FILE, GET_USER, 'user_id=a', '--timeout', 'soon'], "naftiko: --timeout must be a whole number of at least 1 (got 'soon')", runUsage, "Run 'naftiko run --help' for details."],
      [['run', FILE, GET_USER, 'user_id=a', '--retries=-1'], "naftiko: --retries must be a whole number (got '-1')", runUsage, "Run 'naftiko run --help' for details."],
      [
        ['run', FILE, GET_USER, 'user_id=a', '--retries', '-1'],
        "naftiko: option '--retries' argument is ambiguous. Did you forget to specify the option argument for '--retries'? To specify an option argument starting with a dash use '--retries=-XYZ'",
        runUsage,
        "Run 'naftiko run --help' for details.",
      ],
      [['run', FILE, GET_USER, 'user_id=a', '--timeout'], "naftiko: option '--timeout <value>' argument missing", runUsage, "Run 'naftiko run --help' for details."],
    ];
    const results = await Promise.all(cases.map(([args]) => naftiko(args)));
    cases.forEach(([args, ...lines], i) => {
      expect(results[i], args.join(' ')).toEqual({ code: 2, stdout: '', stderr: `${lines.join('\n')}\n` });
    });
    expect(server.requests).toHaveLength(0);
  });
});

describe('validate', () => {
  const broken = () => {
    const file = join(tmp, 'broken.yaml');
    writeFileSync(file, 'naftiko: 1.0.0-alpha2\ninfo:\n  label: Broken\ncapability:\n  consumes: [\n');
    return file;
  };

  test('a valid file: summary line, exit 0', async () => {
    const warnings = capability.warnings.filter((d) => d.severity === 'warning').length;
    const r = await naftiko(['validate', FILE, '--quiet']);
    expect(r).toEqual({ code: 0, stdout: `ok: ${FILE} (19 operations${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''})\n`, stderr: '' });
  });

  test('a broken file: file:line:col: error: message, then invalid, exit 1', async () => {
    const file = broken();
    const r = await naftiko(['validate', FILE, file]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`invalid: ${file} (1 error)`);
    expect(lines.at(-2)).toMatch(new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:[1-9]\\d*:[1-9]\\d*: error: \\S`));
    expect(lines).toContain(`ok: ${FILE} (19 operations${capability.warnings.length > 0 ? `, ${capability.warnings.length} warning${capability.warnings.length === 1 ? '' : 's'}` : ''})`);
  });

  test('--json: one array of {file, valid, operations, errors, warnings}', async () => {
    const file = broken();
    const r = await naftiko(['validate', FILE, file, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const bad = inspectCapability(file).diagnostics;
    expect(JSON.parse(r.stdout)).toEqual([
      { file: FILE, valid: true, operations: 19, errors: [], warnings: capability.warnings },
      { file, valid: false, operations: 0, errors: bad.filter((d) => d.severity === 'error'), warnings: bad.filter((d) => d.severity === 'warning') },
    ]);
    expect(bad.filter((d) => d.severity === 'error')).toHaveLength(1);
  });

  test('a missing file is invalid', async () => {
    const r = await naftiko(['validate', 'no/such/file.yaml']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/: error: cannot read capability file: no such file\ninvalid: no\/such\/file\.yaml \(1 error\)\n$/);
  });
});

describe('list and describe', () => {
  test('list --json prints capability.operations', async () => {
    const r = await naftiko(['list', FILE, '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(capability.operations)));
    expect(r.stdout.startsWith('[\n  {\n    "namespace": "users",')).toBe(true);
  });

  test('list prints an aligned table: id, method, path, description', async () => {
    const r = await naftiko(['list', FILE]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(20);
    const method = lines[0].indexOf('METHOD');
    const path = lines[0].indexOf('PATH');
    expect(lines[0]).toMatch(/^ID +METHOD +PATH +DESCRIPTION$/);
    for (const line of lines.slice(1)) {
      expect(line.slice(method)).toMatch(/^(GET|POST|PATCH|DELETE) /);
      expect(line.slice(path)).toMatch(/^\/v2\/user\S* +\S/);
    }
    expect(lines).toContain(`users.${GET_USER}${' '.repeat(method - `users.${GET_USER}`.length)}GET${' '.repeat(path - method - 3)}/v2/user${' '.repeat(lines[0].indexOf('DESCRIPTION') - path - 8)}Get User`);
  });

  test('describe --json prints the OperationInfo with its input schema and base URI', async () => {
    const r = await naftiko(['describe', FILE, GET_USER, '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const info = capability.operations.find((o) => o.name === GET_USER)!;
    expect(JSON.parse(r.stdout)).toEqual({ ...JSON.parse(JSON.stringify(info)), baseUri: 'https://api.us.junction.com' });
    expect(JSON.parse(r.stdout).inputs).toEqual({
      type: 'object',
      properties: { user_id: { type: 'string', 'x-in': 'path' } },
      additionalProperties: false,
      required: ['user_id'],
    });
  });

  test('describe prints method, path, base URI, description, inputs and outputs', async () => {
    const r = await naftiko(['describe', FILE, 'users.get_teams_users_v2_user_get']);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'users.get_teams_users_v2_user_get',
        'method:       GET',
        'path:         /v2/user',
        'base URI:     https://api.us.junction.com',
        'description:  Get Teams Users',
        '',
        'inputs:',
        '  NAME    IN     TYPE     REQUIRED  DEFAULT  ENUM  DESCRIPTION',
        '  offset  query  integer  no',
        '  limit   query  integer  no',
        'outputs:',
        '  NAME    TYPE    JSONPATH',
        '  result  object  $.',
        '',
      ].join('\n'),
    });
  });

  test('describe shows NAFTIKO_BASE_URI_<NAMESPACE> when it is set', async () => {
    const r = await naftiko(['describe', FILE, GET_USER], { NAFTIKO_BASE_URI_USERS: 'http://127.0.0.1:9/sandbox' });
    expect(r.stdout).toContain('\nbase URI:     http://127.0.0.1:9/sandbox (from NAFTIKO_BASE_URI_USERS)\n');
  });

  test('an unknown operation: OPERATION_NOT_FOUND with did-you-mean, exit 1', async () => {
    for (const r of await Promise.all(['describe', 'run'].map((command) => naftiko([command, FILE, 'get_usr_v2_user__user_id__get'])))) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      expect(oneLine(r.stderr)).toMatch(/^naftiko: OPERATION_NOT_FOUND: no operation named 'get_usr_v2_user__user_id__get'; did you mean 'users.get_user_v2_user__user_id__get'( or '[^']+')*\?$/);
    }
  });

  test('a partial name suggests by words and prefixes, typos included', async () => {
    const cases: Array<[string, string]> = [
      ['get_usr', GET_USER],
      ['crete_user', CREATE_USER],
      ['users.del_usr', 'delete_user_v2_user__user_id__delete'],
    ];
    for (const [typed, first] of cases) {
      const r = await naftiko(['run', FILE, typed]);
      expect(r.code, r.stderr).toBe(1);
      expect(oneLine(r.stderr)).toMatch(new RegExp(`^naftiko: OPERATION_NOT_FOUND: no operation named '${typed.replace('.', '\\.')}'; did you mean 'users\\.${first}'`));
    }
    expect(server.requests).toHaveLength(0);
  });

  test('an invalid capability: SPEC_INVALID on one line, exit 1', async () => {
    const file = join(tmp, 'broken-list.yaml');
    writeFileSync(file, 'naftiko: 1.0.0-alpha2\ncapability:\n  consumes: [\n');
    const r = await naftiko(['list', file]);
    expect(r.code, r.stderr).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`^naftiko: SPEC_INVALID: invalid capability: ${file.replace(/[.\\]/g, '\\$&')}:\\d+:\\d+: `));
  });
});

describe('run', () => {
  test('prints the outputs as JSON and exits 0', async () => {
    const r = await runOp(GET_USER, 'user_id=abc');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({ result: { user_id: 'abc', client_user_id: 'c-1' } });
    expect(r.stdout).toBe('{\n  "result": {\n    "user_id": "abc",\n    "client_user_id": "c-1"\n  }\n}\n');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/v2/user/abc' });
    expect(server.requests[0].headers['x-vital-api-key']).toBe(KEY);
  });

  test('strings are coerced to the declared types', async () => {
    const r = await runOp('get_teams_users_v2_user_get', 'limit=5', 'offset=10');
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests[0].url).toBe('/v2/user?offset=10&limit=5');
    const bad = await runOp('get_teams_users_v2_user_get', 'limit=five');
    expect(bad.code, bad.stderr).toBe(1);
    expect(oneLine(bad.stderr)).toMatch(/^naftiko: INPUT_INVALID: .*'limit'.* must be an integer/);
    expect(server.requests).toHaveLength(1);
  });

  test('JSON values, @file values and --input', async () => {
    const bodyFile = join(tmp, 'body.json');
    writeFileSync(bodyFile, '{"client_user_id": "from-file"}');
    const idFile = join(tmp, 'id.txt');
    writeFileSync(idFile, 'id from file');
    const inputFile = join(tmp, 'input.json');
    writeFileSync(inputFile, JSON.stringify({ user_id: 'from-input-file', body: { team: 't' } }));

    expect(await runOp(CREATE_USER, 'body={"client_user_id":"inline","tags":[1,2]}')).toMatchObject({ code: 0, stderr: '' });
    expect(await runOp(CREATE_USER, `body=@${bodyFile}`)).toMatchObject({ code: 0, stderr: '' });
    expect(await runOp(GET_USER, `user_id=@${idFile}`)).toMatchObject({ code: 0, stderr: '' });
    expect(await runOp(GET_USER, '--input', '{"user_id":"from-input"}')).toMatchObject({ code: 0, stderr: '' });
    expect(await runOp(GET_USER, '--input', '{"user_id":"loses"}', 'user_id=wins')).toMatchObject({ code: 0, stderr: '' });
    expect(await runOp('patch_user_v2_user__user_id__patch', '--input', `@${inputFile}`)).toMatchObject({ code: 0, stderr: '' });

    expect(server.requests.map((q) => [q.method, q.url, q.body])).toEqual([
      ['POST', '/v2/user', '{"client_user_id":"inline","tags":[1,2]}'],
      ['POST', '/v2/user', '{"client_user_id":"from-file"}'],
      ['GET', '/v2/user/id%20from%20file', ''],
      ['GET', '/v2/user/from-input', ''],
      ['GET', '/v2/user/wins', ''],
      ['PATCH', '/v2/user/from-input-file', '{"team":"t"}'],
    ]);
  });

  test('bad JSON or a missing file names the input, exits 1 and sends nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[CREATE_USER, 'body={oops'], /^naftiko: INPUT_INVALID: input 'body': value is not valid JSON \(.+\)$/],
      [[CREATE_USER, 'body=@no-such.json'], /^naftiko: INPUT_INVALID: input 'body': cannot read no-such\.json: no such file$/],
      [[GET_USER, '--input', '{"user_id":'], /^naftiko: INPUT_INVALID: --input: the value is not valid JSON \(.+\)$/],
      [[GET_USER, '--input', '[1]'], /^naftiko: INPUT_INVALID: --input: the value is not a JSON object$/],
    ];
    const results = await Promise.all(cases.map(([[op, ...rest]]) => runOp(op, ...rest)));
    cases.forEach(([args, message], i) => {
      expect(results[i].code, args.join(' ')).toBe(1);
      expect(oneLine(results[i].stderr)).toMatch(message);
    });
    const json = await runOp(CREATE_USER, 'body={oops', '--json');
    expect(JSON.parse(oneLine(json.stderr))).toMatchObject({ name: 'InputError', code: 'INPUT_INVALID', parameter: 'body' });
    expect(server.requests).toHaveLength(0);
  });

  test('a missing required input is named, exit 1, nothing sent', async () => {
    const r = await runOp(GET_USER);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(r.stderr)).toBe(`naftiko: INPUT_INVALID: users.${GET_USER}: missing required parameter 'user_id' (path, string)`);
    expect(server.requests).toHaveLength(0);
  });

  test('a missing secret: SECRET_MISSING, exit 1, nothing sent', async () => {
    const r = await naftiko(['run', FILE, GET_USER, 'user_id=abc', '--base-uri', server.url], {});
    expect(r.code, r.stderr).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^naftiko: SECRET_MISSING: .*VITAL_API_KEY/);
    expect(server.requests).toHaveLength(0);
  });

  test('an HTTP error status: HTTP_ERROR with the body summary, exit 3', async () => {
    server.handler = () => ({ status: 404, body: { detail: 'User not found' } });
    const r = await runOp(GET_USER, 'user_id=nobody');
    expect(r).toEqual({
      code: 3,
      stdout: '',
      stderr: `naftiko: HTTP_ERROR: users.${GET_USER}: GET ${server.url}/v2/user/nobody answered 404: User not found\n`,
    });
  });

  test('--json prints the error as JSON on one stderr line', async () => {
    server.handler = () => ({ status: 404, body: { detail: 'User not found' } });
    const r = await runOp(GET_USER, 'user_id=nobody', '--json');
    expect(r.code, r.stderr).toBe(3);
    expect(JSON.parse(oneLine(r.stderr))).toEqual({
      name: 'HttpError',
      code: 'HTTP_ERROR',
      message: `users.${GET_USER}: GET ${server.url}/v2/user/nobody answered 404: User not found`,
      retryable: false,
      operation: `users.${GET_USER}`,
      status: 404,
      body: { detail: 'User not found' },
      method: 'GET',
      url: `${server.url}/v2/user/nobody`,
    });
  });

  test('a closed port: NETWORK, exit 4', async () => {
    const closed = await startRecordingServer();
    await closed.close();
    const r = await naftiko(['run', FILE, GET_USER, 'user_id=abc', '--base-uri', closed.url, '--retries', '0']);
    expect(r).toMatchObject({ code: 4, stdout: '' });
    expect(oneLine(r.stderr)).toMatch(/^naftiko: NETWORK: /);
  });

  test('a slow answer: TIMEOUT, exit 4', async () => {
    server.handler = () => new Promise((resolve) => setTimeout(() => resolve({}), 3000));
    const r = await runOp(GET_USER, 'user_id=abc', '--timeout', '200', '--retries', '0');
    expect(r).toMatchObject({ code: 4, stdout: '' });
    expect(oneLine(r.stderr)).toMatch(/^naftiko: TIMEOUT: /);
  });

  test('--dry-run prints the request with the key masked and sends nothing', async () => {
    const r = await runOp(CREATE_USER, 'body={"client_user_id":"u-1"}', '--dry-run');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const prepared = JSON.parse(r.stdout);
    expect(prepared).toMatchObject({ operation: `users.${CREATE_USER}`, method: 'POST', url: `${server.url}/v2/user`, body: { client_user_id: 'u-1' } });
    expect(prepared.headers['X-Vital-API-Key']).toBe('***');
    expect(r.stdout).not.toContain(KEY);
    expect(server.requests).toHaveLength(0);
  });

  test('--verbose prints the loader warnings and traces the request and response on stderr, key masked', async () => {
    const r = await runOp(GET_USER, 'user_id=abc', '--verbose');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    const warnings = capability.warnings.map((d) => `${FILE}:${d.line}:${d.col}: warning: ${d.message}`);
    expect(warnings.length).toBeGreaterThan(0);
    expect(lines.slice(0, -2)).toEqual(warnings);
    expect(lines.at(-2)).toBe(`→ GET ${server.url}/v2/user/abc`);
    expect(lines.at(-1)).toMatch(/^← 200 \(\d+ ms, 1 attempt\)$/);
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  test('--retries: a 503 is retried', async () => {
    server.handler = () => (server.requests.length === 1 ? { status: 503, headers: { 'retry-after': '0' }, body: { detail: 'busy' } } : {});
    const r = await runOp(GET_USER, 'user_id=abc', '--retries', '1', '--verbose');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ result: { ok: true } });
    expect(server.requests).toHaveLength(2);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^← 200 \(\d+ ms, 2 attempts\)$/);
  });

  test('the real key appears nowhere in any output (the binary, as processes)', async () => {
    server.handler = () => ({ status: 401, body: { detail: 'bad key' } });
    const results = await Promise.all(
      [[], ['--json'], ['--verbose'], ['--dry-run']].map((extra) => naftikoProcess(['run', FILE, GET_USER, 'user_id=abc', ...extra, '--base-uri', server.url], { VITAL_API_KEY: KEY })),
    );
    expect(results.map((r) => r.code), results.map((r) => r.stderr).join('')).toEqual([3, 3, 3, 0]);
    for (const r of results) expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  test('base URIs: NAFTIKO_BASE_URI_USERS, --base-uri namespace=URL, unknown namespace', async () => {
    const viaEnv = await naftiko(['run', FILE, GET_USER, 'user_id=env'], { VITAL_API_KEY: KEY, NAFTIKO_BASE_URI_USERS: server.url });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const viaNamespace = await naftiko(['run', FILE, GET_USER, 'user_id=ns', '--base-uri', `users=${server.url}`]);
    expect(viaNamespace.code, viaNamespace.stderr).toBe(0);
    expect(server.requests.map((q) => q.url)).toEqual(['/v2/user/env', '/v2/user/ns']);

    const unknown = await naftiko(['run', FILE, GET_USER, 'user_id=x', '--base-uri', `people=${server.url}`]);
    expect(unknown.code, unknown.stderr).toBe(1);
    expect(oneLine(unknown.stderr)).toBe(`naftiko: INPUT_INVALID: --base-uri people=${server.url}: no namespace 'people' is consumed (there are 'users')`);
    const notUrl = await naftiko(['run', FILE, GET_USER, 'user_id=x', '--base-uri', 'ftp://example.com']);
    expect(notUrl.code, notUrl.stderr).toBe(1);
    expect(oneLine(notUrl.stderr)).toBe("naftiko: INPUT_INVALID: base URI 'ftp://example.com' for namespace 'users' is not an http(s) URL");
    expect(server.requests).toHaveLength(2);
  });

  test('SIGINT aborts the call and exits 130', async () => {
    server.handler = () => new Promise((resolve) => setTimeout(() => resolve({}), 5000));
    const child = spawn(process.execPath, [CLI, 'run', FILE, GET_USER, 'user_id=abc', '--base-uri', server.url], { cwd: ROOT, env: { ...BASE_ENV, VITAL_API_KEY: KEY } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && server.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(server.requests).toHaveLength(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toBe('');
    expect(oneLine(stderr)).toMatch(/^naftiko: ABORTED: /);
  });
});
