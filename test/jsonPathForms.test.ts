/**
 * The JSONPath forms people write every day, with RFC 9535 meaning, on a real Junction answer: the
 * local Junction sandbox's `GET /v2/user` with three users, two of them with connected providers. Each
 * form is checked on the document and as an output of a capability invoked against the sandbox.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, inspectCapability, loadCapability, SpecError, type Runtime } from '../runtime/index.js';
import { compileJsonPath } from '../runtime/response/jsonPath.js';
import { SANDBOX_API_KEY, startJunctionSandbox, type JunctionSandbox } from '../sandbox/junction.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

interface User {
  user_id: string;
  client_user_id: string;
  connected_sources: Array<{ provider: { slug: string } }>;
}

let sandbox: JunctionSandbox;
let dir: string;
/** The sandbox's `GET /v2/user` answer. */
let listing: { users: User[]; total: number };
let users: User[];

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(sandbox.url + path, {
    method,
    headers: { 'X-Vital-API-Key': SANDBOX_API_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  sandbox = await startJunctionSandbox();
  dir = mkdtempSync(join(tmpdir(), 'naftiko-jsonpath-'));
  const ids: Record<string, string> = {};
  for (const name of ['alice', 'bob', 'carol']) ids[name] = ((await api('POST', '/v2/user', { client_user_id: name })) as User).user_id;
  await api('POST', '/v2/link/connect/demo', { user_id: ids.alice, provider: 'oura' });
  await api('POST', '/v2/link/connect/demo', { user_id: ids.carol, provider: 'oura' });
  await api('POST', '/v2/link/connect/demo', { user_id: ids.carol, provider: 'fitbit' });
  listing = (await api('GET', '/v2/user')) as typeof listing;
  users = listing.users;
});

afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const select = (expression: string, document: unknown = listing) => compileJsonPath(expression).evaluate(document);
const names = (expression: string) => (select(expression) as User[]).map((user) => user.client_user_id);

describe('everyday forms on a real answer', () => {
  test('the sandbox answered with the three users in creation order', () => {
    expect(users.map((user) => user.client_user_id)).toEqual(['alice', 'bob', 'carol']);
    expect(users.map((user) => user.connected_sources.length)).toEqual([1, 0, 2]);
  });

  test("RFC filter without parentheses: $.users[?@.client_user_id=='bob']", () => {
    expect(select("$.users[?@.client_user_id=='bob'].user_id")).toEqual([users[1].user_id]);
    expect(select("$.users[?(@.client_user_id == 'bob')].user_id")).toEqual([users[1].user_id]);
  });

  test('negative index: $[-1] is the last item, $[-3] the first, $[-4] nothing', () => {
    expect(select('$[-1]', users)).toEqual([users[2]]);
    expect(select('$[-3].client_user_id', users)).toEqual(['alice']);
    expect(select('$[-4]', users)).toEqual([]);
    expect(select('$.users[-1].client_user_id')).toEqual(['carol']);
  });

  test('union: $[0, 2] gives items 0 and 2, in the order written, duplicates kept', () => {
    expect(select('$[0, 2]', users)).toEqual([users[0], users[2]]);
    expect(select('$[2,0].client_user_id', users)).toEqual(['carol', 'alice']);
    expect(select("$.users[0]['client_user_id','user_id']")).toEqual(['alice', users[0].user_id]);
    expect(select('$[0,0].client_user_id', users)).toEqual(['alice', 'alice']);
  });

  test('slices with a step, forwards and backwards', () => {
    expect(select('$.users[::2].client_user_id')).toEqual(['alice', 'carol']);
    expect(select('$.users[::-1].client_user_id')).toEqual(['carol', 'bob', 'alice']);
    expect(select('$.users[1:].client_user_id')).toEqual(['bob', 'carol']);
  });

  test('length(): characters of a string, items of an array', () => {
    expect(names('$.users[?length(@.client_user_id) == 3]')).toEqual(['bob']);
    expect(names('$.users[?length(@.connected_sources) >= 1]')).toEqual(['alice', 'carol']);
  });

  test('count(): the number of nodes a query selects', () => {
    expect(names('$.users[?count(@.connected_sources[*]) == 2]')).toEqual(['carol']);
    expect(names('$.users[?count(@..slug) == 0]')).toEqual(['bob']);
  });

  test('match() tests the whole string, search() any part (I-Regexp)', () => {
    expect(names("$.users[?match(@.client_user_id, 'a.*')]")).toEqual(['alice']);
    expect(names("$.users[?match(@.client_user_id, 'b')]")).toEqual([]);
    expect(names("$.users[?search(@.client_user_id, 'o')]")).toEqual(['bob', 'carol']);
    expect(names("$.users[?search(@.client_user_id, '^[a-b]')]")).toEqual(['alice', 'bob']);
    expect(names("$.users[?match(@.user_id, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')]")).toEqual(['alice', 'bob', 'carol']);
  });

  test('value(): the value of a query selecting exactly one node, otherwise nothing', () => {
    // carol has two providers, so her query selects two nodes and value() gives Nothing.
    expect(names("$.users[?value(@.connected_sources[*].provider.slug) == 'oura']")).toEqual(['alice']);
  });

  test('a misspelled function is a compile error with a suggestion, never an empty result', () => {
    expect(() => compileJsonPath('$.users[?lenght(@.client_user_id) > 3]')).toThrow(
      "invalid JSONPath '$.users[?lenght(@.client_user_id) > 3]': unknown function 'lenght()' (did you mean 'length()'?); known: length, count, match, search, value at character 10",
    );
    expect(() => compileJsonPath('$.users[?Length(@.a) > 3]')).toThrow(/expected a query, a literal or a function call, found 'L' at character 10/);
  });

  test('ill-typed function calls are compile errors', () => {
    expect(() => compileJsonPath('$.users[?length(@.connected_sources[*]) > 0]')).toThrow(/argument 1 of length\(\) must be a single value.* at character 17/);
    expect(() => compileJsonPath('$.users[?count(@.connected_sources) > 0]')).not.toThrow();
    expect(() => compileJsonPath("$.users[?count('a') > 0]")).toThrow(/argument 1 of count\(\) must be a query/);
    expect(() => compileJsonPath('$.users[?length(@.client_user_id)]')).toThrow(/length\(\) gives a value, which cannot stand alone as a test/);
    expect(() => compileJsonPath("$.users[?match(@.client_user_id, 'a') == true]")).toThrow(/match\(\) gives a logical result, which cannot be compared/);
    expect(() => compileJsonPath('$.users[?match(@.client_user_id)]')).toThrow(/match\(\) takes 2 arguments, not 1/);
  });
});

describe('existence tests and comparisons are not JavaScript', () => {
  const items = [{ a: 0 }, { a: false }, { a: '' }, { a: null }, { a: [] }, { b: 1 }];

  test('[?@.a] keeps every item that has the member, whatever its value (0, false, "", null)', () => {
    expect(select('$[?@.a]', items)).toEqual(items.slice(0, 5));
    expect(select('$[?(@.a)]', items)).toEqual(items.slice(0, 5));
    expect(select('$[?!@.a]', items)).toEqual([{ b: 1 }]);
  });

  test('== is strict: no type conversion, numbers by value, arrays and objects deeply', () => {
    const values = [{ n: 1 }, { n: '1' }, { n: true }, { n: 1.0 }, { n: [1] }, { n: { x: 1 } }, { n: null }, {}];
    expect(select('$[?@.n == 1]', values)).toEqual([{ n: 1 }, { n: 1 }]);
    expect(select("$[?@.n == '1']", values)).toEqual([{ n: '1' }]);
    expect(select('$[?@.n == true]', values)).toEqual([{ n: true }]);
    expect(select('$[?@.n == null]', values)).toEqual([{ n: null }]);
    expect(select('$[?@.n == $[4].n]', values)).toEqual([{ n: [1] }]);
    expect(select('$[?@.n == $[5].n]', values)).toEqual([{ n: { x: 1 } }]);
    // A missing member is Nothing: equal only to another Nothing, and != everything else.
    expect(select('$[?@.n == @.missing]', values)).toEqual([{}]);
    expect(select('$[?@.n != 1]', values)).toHaveLength(6);
  });

  test('< compares numbers with numbers and strings with strings only', () => {
    const values = [{ n: 2 }, { n: '2' }, { n: 10 }, { n: '10' }, { n: true }];
    expect(select('$[?@.n < 5]', values)).toEqual([{ n: 2 }]);
    expect(select("$[?@.n < '5']", values)).toEqual([{ n: '2' }, { n: '10' }]);
    expect(select('$[?@.n >= 2]', values)).toEqual([{ n: 2 }, { n: 10 }]);
  });
});

describe('in a capability, invoked against the sandbox', () => {
  const OUTPUTS: Array<[string, string]> = [
    ['bob_id', "$.users[?@.client_user_id=='bob'].user_id"],
    ['last', '$.users[-1].client_user_id'],
    ['first_and_third', '$.users[0, 2].client_user_id'],
    ['connected', '$.users[?count(@.connected_sources[*]) > 0].client_user_id'],
    ['short_name', '$.users[?length(@.client_user_id) == 3].client_user_id'],
    ['oura_only', "$.users[?value(@.connected_sources[*].provider.slug) == 'oura'].client_user_id"],
    ['with_o', "$.users[?search(@.client_user_id, 'o')].client_user_id"],
    ['nobody', "$.users[?match(@.client_user_id, 'o')].client_user_id"],
  ];

  function capabilityFile(name: string, outputs: Array<[string, string]>): string {
    const lines = outputs.map(([output, value]) => `                - { name: ${output}, type: string, value: ${JSON.stringify(value)} }`);
    const path = join(dir, name);
    writeFileSync(
      path,
      `naftiko: 1.0.0-alpha2
info: { label: JSONPath forms }
binds:
  - namespace: env
    keys: { VITAL_API_KEY: VITAL_API_KEY }
capability:
  consumes:
    - type: http
      namespace: users
      baseUri: http://127.0.0.1:9
      authentication: { type: apikey, key: X-Vital-API-Key, value: '{{VITAL_API_KEY}}', placement: header }
      resources:
        - name: users
          path: /v2/user
          operations:
            - name: list-users
              method: GET
              outputParameters:
${lines.join('\n')}
`,
    );
    return path;
  }

  test('each output has its RFC value: one match the value, several an array, none null', async () => {
    const runtime: Runtime = createRuntime(await loadCapability(capabilityFile('forms.yaml', OUTPUTS)), { env: { VITAL_API_KEY: SANDBOX_API_KEY }, baseUri: sandbox.url });
    try {
      expect(await runtime.invoke('list-users', {})).toEqual({
        bob_id: users[1].user_id,
        last: 'carol',
        first_and_third: ['alice', 'carol'],
        connected: ['alice', 'carol'],
        short_name: 'bob',
        oura_only: 'alice',
        with_o: ['bob', 'carol'],
        nobody: null,
      });
    } finally {
      runtime.close();
    }
  });

  /** Line and column (1-based) of the `value` key of the last output in a file written by capabilityFile. */
  function lastValuePosition(path: string): string {
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    return `${lines.length}:${lines[lines.length - 1].indexOf('value: ') + 1}`;
  }

  test('a misspelled function fails the load with file:line:col', async () => {
    const path = capabilityFile('misspelled.yaml', [...OUTPUTS, ['typo', '$.users[?lenght(@.client_user_id) > 3]']]);
    expect(lastValuePosition(path)).toBe('27:47');
    const error = await loadCapability(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).message).toContain(`${path}:27:47: error: operation 'users.list-users': output 'typo': invalid JSONPath`);
    expect((error as SpecError).message).toContain("unknown function 'lenght()' (did you mean 'length()'?)");
  });

  test('naftiko validate reports an invalid output JSONPath as file:line:col, character in the expression, and exits 1', async () => {
    const path = capabilityFile('invalid.yaml', [...OUTPUTS, ['broken', '$.users[?@.client_user_id=bob]']]);
    expect(inspectCapability(path).diagnostics.filter((d) => d.severity === 'error')).toHaveLength(1);
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'validate', path], { timeout: 30_000 }, (error, stdout) => resolve({ code: error ? (error.code as number) : 0, stdout }));
    });
    expect(code).toBe(1);
    expect(stdout).toContain(
      `${path}:${lastValuePosition(path)}: error: operation 'users.list-users': output 'broken': invalid JSONPath '$.users[?@.client_user_id=bob]': expected ',' or ']', found '=' at character 26`,
    );
  });
});
