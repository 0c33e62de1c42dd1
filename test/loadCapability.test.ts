import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { formatDiagnostic, inspectCapability, loadCapability, SpecError } from '../runtime/index.js';

const dir = mkdtempSync(join(tmpdir(), 'naftiko-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function problems(path: string): string[] {
  return inspectCapability(path).diagnostics.map((d) => formatDiagnostic(d).replaceAll(`${dir}/`, ''));
}

const consumes = (extra = '', auth = "      authentication: { type: bearer, token: '{{env.T}}' }\n") => `naftiko: 1.0.0-alpha2
capability:
  consumes:
    - type: http
      namespace: api
      baseUri: https://api.example.com
${auth}      resources:
        - name: things
          path: /things
          operations:
            - name: list
              method: GET
${extra}`;

describe('loading', () => {
  test('a YAML syntax error is SPEC_INVALID with file:line:col', async () => {
    const path = file('broken.yaml', 'naftiko: 1.0.0-alpha2\ncapability:\n  consumes: [\n');
    const error = await loadCapability(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).code).toBe('SPEC_INVALID');
    expect((error as SpecError).message).toMatch(new RegExp(`${path}:\\d+:\\d+: `));
  });

  test('a missing file names the file', () => {
    expect(problems(join(dir, 'nope.yaml'))).toEqual(['nope.yaml:0:0: error: cannot read capability file: no such file']);
  });

  test('an invalid JSONPath output is an error at its line', () => {
    const path = file('jsonpath.yaml', consumes('              outputParameters:\n                - { name: x, type: string, value: "$.a[" }\n'));
    const [problem] = problems(path);
    expect(problem).toMatch(/^jsonpath\.yaml:15:44: error: operation 'api\.list': output 'x': /);
  });

  test('an import that cannot be resolved is an error naming the import', () => {
    const path = file('importer.yaml', "naftiko: 1.0.0-alpha1\ncapability:\n  consumes:\n    - import: missing\n      location: ./shared/none.yaml\n");
    expect(problems(path)).toEqual([
      "importer.yaml:5:7: error: import 'missing' cannot be resolved: shared/none.yaml: cannot read capability file: no such file",
      'shared/none.yaml:0:0: error: cannot read capability file: no such file',
    ]);
    file('other.yaml', consumes());
    const wrongName = file('wrong-name.yaml', "naftiko: 1.0.0-alpha1\ncapability:\n  consumes:\n    - import: elsewhere\n      location: ./other.yaml\n");
    expect(problems(wrongName)).toEqual(["wrong-name.yaml:4:7: error: import 'elsewhere' cannot be resolved: ./other.yaml has no consumes namespace 'elsewhere' (it has 'api')"]);
  });

  test('an import resolves relative to the file and can be renamed with as', async () => {
    file('base.yaml', consumes());
    const capability = await loadCapability(file('uses-base.yaml', 'naftiko: 1.0.0-alpha1\ncapability:\n  consumes:\n    - import: api\n      location: ./base.yaml\n      as: renamed\n'));
    expect(capability.operations.map((o) => o.id)).toEqual(['renamed.list']);
  });

  test('auth that names no secret, and a bind file that cannot be read, are warnings', () => {
    const literal = file('literal.yaml', consumes('', '      authentication: { type: apikey, key: X-Key, value: hard-coded, placement: header }\n'));
    expect(problems(literal)).toEqual(['literal.yaml:7:7: warning: apikey authentication names no secret: its value is written in the file (use {{VAR}} bound in binds)']);
    const bindFile = file('bind-file.yaml', consumes().replace('capability:', "binds:\n  - namespace: s\n    location: file:///./absent.yaml\n    keys: { T: t }\ncapability:"));
    expect(problems(bindFile)[0]).toMatch(/^bind-file\.yaml:4:5: warning: bind file .*absent\.yaml cannot be read/);
  });

  test('a namespace declared twice is an error', () => {
    const text = consumes() + consumes().split('  consumes:\n')[1];
    expect(problems(file('twice.yaml', text))).toEqual([expect.stringMatching(/^twice\.yaml:\d+:\d+: error: namespace 'api' is declared twice \(first at .*twice\.yaml:5\)$/)]);
  });
});
