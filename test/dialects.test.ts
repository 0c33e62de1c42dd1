/**
 * Every version of the format in the wild loads into one model: Naftiko's array shape (0.5 … alpha5)
 * and Ikanos' map shape (alpha3 … beta5), newer versions with a warning, anything else with one error
 * naming what it is; the diagnostics of a map-shaped file point into that file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, formatDiagnostic, inspectCapability, loadCapability, NaftikoError } from '../runtime/index.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { capabilityInternals } from '../runtime/internal.js';

const FIXTURES = new URL('fixtures/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'naftiko-dialects-'));
let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer((request) =>
    request.url.startsWith('/events') ? { headers: { 'content-type': 'application/x-ndjson' }, body: '{"id":1,"kind":"a"}\n\n{"id":2,"kind":"b"}\n' } : { body: { ok: true } },
  );
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}
function problems(path: string): string[] {
  return inspectCapability(path).diagnostics.map((d) => formatDiagnostic(d).replaceAll(`${dir}/`, ''));
}

/** A small map-shaped capability; `extra` lines go under the `get-thing` operation. */
const ikanos = (version = '"1.0.0-beta5"', extra = '') => `ikanos: ${version}
info:
  display: Things
  description: A thing API
capability:
  consumes:
    - namespace: things
      type: http
      baseUri: https://api.example.com
      resources:
        thing:
          display: One thing
          path: /things/{{id}}
          operations:
            get-thing:
              method: GET
              inputParameters:
                id:
                  in: path
              outputParameters:
                name:
                  type: string
                  value: $.name
${extra}`;

const naftiko = (version: string) => `naftiko: ${version}
capability:
  consumes:
    - type: http
      namespace: things
      baseUri: https://api.example.com
      resources:
        - name: thing
          path: /things/{{id}}
          operations:
            - name: get-thing
              method: GET
              inputParameters:
                - { name: id, in: path }
`;

describe('versions and shapes', () => {
  test.each(['0.5', '1.0.0-alpha1', '1.0.0-alpha2', '1.0.0-alpha3', '1.0.0-alpha4', '1.0.0-alpha5'])('naftiko: %s in the array shape loads with no warning', (version) => {
    const path = file(`naftiko-${version}.yaml`, naftiko(version));
    expect(problems(path)).toEqual([]);
    expect(inspectCapability(path).capability!.operations.map((o) => [o.id, o.method, o.path])).toEqual([['things.get-thing', 'GET', '/things/{{id}}']]);
  });

  test.each(['1.0.0-alpha3', '1.0.0-alpha4', '1.0.0-alpha5', '1.0.0-beta1', '1.0.0-beta2', '1.0.0-beta3', '1.0.0-beta4', '1.0.0-beta5'])('ikanos: %s in the map shape loads into the same model', (version) => {
    const path = file(`ikanos-${version}.yaml`, ikanos(`"${version}"`));
    expect(problems(path)).toEqual([]);
    const capability = inspectCapability(path).capability!;
    expect(capability.label).toBe('Things');
    expect(capability.operations).toEqual([
      {
        namespace: 'things',
        name: 'get-thing',
        id: 'things.get-thing',
        method: 'GET',
        path: '/things/{{id}}',
        resource: expect.any(String),
        baseUri: 'https://api.example.com',
        baseUriVariable: 'NAFTIKO_BASE_URI_THINGS',
        outputFormat: 'json',
        hints: { readOnly: true, destructive: false, idempotent: true },
        inputs: expect.objectContaining({ required: ['id'] }),
        outputs: [{ name: 'name', type: 'string', value: '$.name' }],
      },
    ]);
  });

  test('a newer version in a recognised shape loads, with a warning naming the version and the grammar used', () => {
    expect(problems(file('newer-ikanos.yaml', ikanos('"1.0.0-rc1"')))).toEqual([
      "newer-ikanos.yaml:1:1: warning: an Ikanos 1.0.0-rc1 document: a version this runtime does not know (it reads ikanos 1.0.0-alpha3, 1.0.0-alpha4, 1.0.0-alpha5, 1.0.0-beta1, 1.0.0-beta2, 1.0.0-beta3, 1.0.0-beta4, 1.0.0-beta5); read with Ikanos' map shape (1.0.0-beta5)",
    ]);
    expect(problems(file('newer-naftiko.yaml', naftiko('1.0.0-alpha9')))).toEqual([
      "newer-naftiko.yaml:1:1: warning: a Naftiko 1.0.0-alpha9 document: a version this runtime does not know (it reads naftiko 0.5, 1.0.0-alpha1, 1.0.0-alpha2, 1.0.0-alpha3, 1.0.0-alpha4, 1.0.0-alpha5); read with Naftiko's list shape (1.0.0-alpha5)",
    ]);
  });

  test('a version key that says the other shape loads with a warning, read in the shape the document has', () => {
    const path = file('mislabelled.yaml', ikanos('"1.0.0-beta5"').replace('ikanos: "1.0.0-beta5"', 'naftiko: 1.0.0-alpha3'));
    expect(problems(path)).toEqual(["mislabelled.yaml:1:1: warning: a Naftiko 1.0.0-alpha3 document written in the other shape; read with Ikanos' map shape (1.0.0-beta5)"]);
    expect(inspectCapability(path).capability!.operations.map((o) => o.id)).toEqual(['things.get-thing']);
  });

  test('an unrecognised document gets one error naming what it is', () => {
    expect(problems(file('info-only.yaml', 'ikanos: "1.0.0-beta5"\ninfo:\n  display: x\n'))).toEqual([
      'info-only.yaml:1:1: error: an Ikanos 1.0.0-beta5 document with none of capability, consumes, exposes, aggregates, binds: not a capability this runtime reads',
    ]);
    expect(problems(file('k8s.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'))).toEqual([
      "k8s.yaml:1:1: error: not a Naftiko capability: missing 'naftiko' version key (this looks like a Kubernetes-style 'apiVersion/kind' document)",
    ]);
    const mixed = ikanos().replace('      resources:\n        thing:', '      resources:\n        - name: other\n          path: /x\n          operations: []\n        - thing:');
    expect(problems(file('mixed.yaml', mixed))[0]).toMatch(/^mixed\.yaml:1:1: error: an Ikanos 1\.0\.0-beta5 document that mixes named lists/);
  });
});

describe('start-up cost', () => {
  test('a process that reads only Naftiko files never loads the official Ikanos validator', () => {
    // The built package, in a fresh process: which precompiled validators are in the module cache after each load.
    const script = `
      import { createRequire } from 'node:module';
      import { inspectCapability } from '../dist/runtime/index.js';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((m) => m.endsWith('Validator.cjs')).map((m) => m.split('/').pop());
      inspectCapability(process.argv[1]);
      const afterNaftiko = loaded();
      inspectCapability(process.argv[2]);
      console.log(JSON.stringify([afterNaftiko, loaded()]));
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, `${FIXTURES}naftiko-alpha3/tutorial/step-3-shipyard-auth.yml`, `${FIXTURES}ikanos-beta5/tutorial/step-3-shipyard-auth.yml`], {
      cwd: new URL('.', import.meta.url).pathname,
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual([['capabilityValidator.cjs'], ['capabilityValidator.cjs', 'ikanosValidator.cjs']]);
  });
});

describe('diagnostics of a map-shaped file', () => {
  test('point at the line and column of the original node', () => {
    const path = file('bad-path.yaml', ikanos().replace('value: $.name', 'value: "$.name["'));
    const [problem] = problems(path).filter((p) => p.includes('error'));
    expect(problem).toMatch(/^bad-path\.yaml:23:19: error: operation 'things\.get-thing': output 'name': /);
    // The JSON pointer names the node as the file writes it, not as the normalized model holds it.
    expect(inspectCapability(path).diagnostics.find((d) => d.severity === 'error')!.pointer).toBe('/capability/consumes/0/resources/thing/operations/get-thing/outputParameters/name/value');
  });

  test('name what the official Ikanos schema rejects, as warnings at their place', () => {
    const path = file('unknown-key.yaml', ikanos('"1.0.0-beta5"', '              retries: 3\n'));
    expect(problems(path)).toEqual(["unknown-key.yaml:24:15: warning: unknown key 'retries' in capability.consumes[0].resources.thing.operations.get-thing (Ikanos 1.0.0-beta5 schema)"]);
  });

  test('tunnel loads with a NOT_SUPPORTED warning', () => {
    const path = file('tunnel.yaml', ikanos().replace('      baseUri: https://api.example.com\n', '      baseUri: https://api.example.com\n      tunnel:\n        type: ziti\n        service: things\n        identity: ziti-identity\n'));
    expect(problems(path)).toEqual(['tunnel.yaml:10:7: warning: tunnel (OpenZiti) is NOT_SUPPORTED by this runtime: requests go straight to the baseUri']);
  });
});

describe('imports', () => {
  test('consumes, exposes, aggregates and binds imports (from/import/as) resolve relative to the file', async () => {
    file('lib/consumes.yaml', ikanos().replace(/^capability:\n {2}consumes:/m, 'consumes:').replace(/^info:\n.*\n.*\n/m, '').replace(/^ {2}/gm, ''));
    file('lib/secrets.yaml', 'things-token: s3cret\n');
    file('lib/binds.yaml', 'ikanos: "1.0.0-beta5"\nbinds:\n  - namespace: things-env\n    location: file:///./secrets.yaml\n    keys:\n      THINGS_TOKEN: things-token\n');
    file(
      'lib/exposes.yaml',
      'ikanos: "1.0.0-beta5"\nexposes:\n  - type: mcp\n    port: 3001\n    namespace: shared-tools\n    description: tools\n    tools:\n      get-thing:\n        description: one thing\n        inputParameters:\n          id: { type: string, description: id }\n        call: things.get-thing\n',
    );
    const path = file(
      'importer.yaml',
      [
        'ikanos: "1.0.0-beta5"',
        'binds:',
        '  - import: things-env',
        '    from: ./lib/binds.yaml',
        'capability:',
        '  consumes:',
        '    - import: things',
        '      from: file:///./lib/consumes.yaml',
        '  exposes:',
        '    - import: shared-tools',
        '      from: ./lib/exposes.yaml',
        '      as: my-tools',
        '',
      ].join('\n'),
    );
    expect(problems(path)).toEqual([]);
    const capability = await loadCapability(path);
    expect(capability.operations.map((o) => o.id)).toEqual(['things.get-thing']);
    expect(capabilityInternals(capability).binds.map((b) => [b.namespace, b.values])).toEqual([['things-env', { 'things-token': 's3cret' }]]);
    const exposes = (capabilityInternals(capability).document.capability as { exposes: Array<{ namespace: string; tools: Array<{ name: string }> }> }).exposes;
    expect(exposes.map((e) => [e.namespace, e.tools.map((t) => t.name)])).toEqual([['my-tools', ['get-thing']]]);
  });

  test('base URI overrides (option and NAFTIKO_BASE_URI_<NS>) apply to imported namespaces', async () => {
    const capability = await loadCapability(`${FIXTURES}ikanos-beta5/tutorial/step-5-shipyard-multi-source.yml`);
    const byOption = createRuntime(capability, { baseUris: { registry: server.url }, env: {} });
    const byEnv = createRuntime(capability, { env: { NAFTIKO_BASE_URI_LEGACY: `${server.url}/legacy` } });
    try {
      expect((await byOption.prepare('registry.get-ship', { imo_number: 'IMO-1' })).url).toBe(`${server.url}/ships/IMO-1`);
      expect((await byEnv.prepare('legacy.list-vessels', {})).url).toBe(`${server.url}/legacy/vessels`);
    } finally {
      byOption.close();
      byEnv.close();
    }
  });
});

describe('real-world defects load with warnings', () => {
  test('a null tag, an untyped tool input, array and object with values, a lowercase bind key, a namespace with ":"', () => {
    const path = file(
      'defects.yaml',
      `naftiko: 1.0.0-alpha2
info:
  label: Defects
  tags:
    - ok
    -
binds:
  - namespace: env
    keys:
      lower_key: LOWER
capability:
  consumes:
    - type: http
      namespace: "acme:things"
      baseUri: https://api.example.com
      resources:
        - name: things
          path: /things
          operations:
            - name: list
              method: GET
              inputParameters:
                - { name: ids, in: query, type: array }
  exposes:
    - type: mcp
      namespace: tools
      tools:
        - name: list
          inputParameters:
            - name: filter
          call: acme:things.list
          with:
            ids: [1, 2]
            extra: { a: 1 }
`,
    );
    expect(problems(path)).toEqual([
      'defects.yaml:6:6: warning: info.tags[1]: is not a string: the tag is ignored',
      'defects.yaml:10:7: warning: binds[0].keys.lower_key: is not SCREAMING_SNAKE_CASE; it is bound as written',
      "defects.yaml:14:7: warning: capability.consumes[0].namespace: contains ':', which the Naftiko grammar does not allow; it is kept as written",
      "defects.yaml:30:15: warning: capability.exposes[0].tools[0].inputParameters[0]: has no 'type': read as a string",
      'defects.yaml:33:13: warning: capability.exposes[0].tools[0].with.ids: is an array or an object: it is passed on as it is',
      'defects.yaml:34:13: warning: capability.exposes[0].tools[0].with.extra: is an array or an object: it is passed on as it is',
    ]);
  });

  test('the namespace with ":" takes its NAFTIKO_BASE_URI_ override', async () => {
    const capability = await loadCapability(join(dir, 'defects.yaml'));
    const runtime = createRuntime(capability, { env: { NAFTIKO_BASE_URI_ACME_THINGS: server.url } });
    try {
      expect((await runtime.prepare('acme:things.list', { ids: ['a', 'b'] })).url).toBe(`${server.url}/things?ids=a&ids=b`);
    } finally {
      runtime.close();
    }
  });

  test('outputRawFormat ndjson is read as an array of records', async () => {
    const path = file(
      'ndjson.yaml',
      `naftiko: 1.0.0-alpha2
capability:
  consumes:
    - type: http
      namespace: feed
      baseUri: ${server.url}
      resources:
        - name: events
          path: /events
          operations:
            - name: list-events
              method: GET
              outputRawFormat: ndjson
              outputParameters:
                - { name: kinds, type: array, value: "$[*].kind" }
`,
    );
    expect(problems(path)).toEqual([
      "ndjson.yaml:13:15: warning: operation 'feed.list-events': outputRawFormat 'ndjson' is not in the official grammar; each line is read as one JSON record (outputs see an array of records)",
    ]);
    const runtime = createRuntime(await loadCapability(path), { env: {} });
    try {
      expect(await runtime.invoke('list-events', {})).toEqual({ kinds: ['a', 'b'] });
    } finally {
      runtime.close();
    }
  });

  test('file and stream parameters load; giving one is NOT_SUPPORTED before anything is sent', async () => {
    const path = file(
      'upload.yaml',
      `ikanos: "1.0.0-beta5"
capability:
  consumes:
    - namespace: files
      type: http
      baseUri: ${server.url}
      resources:
        uploads:
          path: /uploads
          operations:
            upload:
              method: POST
              inputParameters:
                document:
                  in: body
                  type: file
                note:
                  in: query
`,
    );
    expect(problems(path).filter((p) => p.includes('error'))).toEqual([]);
    expect(problems(path).some((p) => /upload\.yaml:16:\d+: warning: .*upload type/.test(p))).toBe(true);
    const runtime = createRuntime(await loadCapability(path), { env: {} });
    const before = server.requests.length;
    try {
      const error = await runtime.invoke('upload', { document: 'bytes', note: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NaftikoError);
      expect((error as NaftikoError).code).toBe('NOT_SUPPORTED');
      expect((error as NaftikoError).message).toBe("files.upload: parameter 'document' is a file upload, which this runtime does not send");
      expect(server.requests.length).toBe(before);
      await runtime.invoke('upload', { note: 'no file' });
      expect(server.requests.at(-1)!.url).toBe('/uploads?note=no%20file');
    } finally {
      runtime.close();
    }
  });
});

describe('the official files', () => {
  const yamlFiles = (root: string): string[] =>
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && e.name !== 'secrets.yaml')
      .map((e) => join(e.parentPath, e.name));

  test.each(['ikanos-beta5/tutorial', 'naftiko-alpha3/tutorial'])('every file of %s loads; the only warning is the literal token of step 11', (folder) => {
    const files = yamlFiles(`${FIXTURES}${folder}`);
    expect(files).toHaveLength(17);
    for (const path of files) {
      const { capability, diagnostics } = inspectCapability(path);
      expect(capability, `${path}: ${diagnostics.map(formatDiagnostic).join('\n')}`).toBeDefined();
      const warnings = diagnostics.map((d) => d.message);
      if (/step11-registry|step-11/.test(path)) expect(warnings).toEqual(['bearer authentication names no secret: its value is written in the file (use {{VAR}} bound in binds)']);
      else expect(warnings).toEqual([]);
    }
  });
});
