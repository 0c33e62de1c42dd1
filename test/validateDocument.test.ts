import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../runtime/errors.js';
import { parseYaml } from '../runtime/load/parseYaml.js';
import { validateDocument } from '../runtime/load/validateDocument.js';

const CORPUS = fileURLToPath(new URL('fixtures/corpus', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('fixtures/naftiko-alpha2/examples', import.meta.url));
const K8S_SAMPLES = [`${CORPUS}/api-evangelist__swell-io/capabilities/cart-checkout.yaml`, `${CORPUS}/api-evangelist__tomorrow-io/capabilities/alerts.yaml`];
/** Values for `binds: [{location: file:///./shared/secrets.yaml}]`, not a capability. */
const BIND_VALUES = `${EXAMPLES}/shared/secrets.yaml`;
const K8S_MESSAGE = "not a Naftiko capability: missing 'naftiko' version key (this looks like a Kubernetes-style 'apiVersion/kind' document)";

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function validateFile(file: string): Diagnostic[] {
  const { data, positions } = parseYaml(readFileSync(file, 'utf8'), file);
  return validateDocument(data, file, positions);
}

function check(text: string, file = 'cap.yaml'): Diagnostic[] {
  const { data, positions } = parseYaml(text, file);
  return validateDocument(data, file, positions);
}

const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.col} ${d.severity}: ${d.message}`);

/** A valid capability; tests append or alter lines. Line numbers below refer to this text. */
const BASE = `naftiko: 1.0.0-alpha2
info:
  label: Test
  description: A test capability.
capability:
  consumes:
    - type: http
      namespace: api
      baseUri: https://api.example.com
      authentication:
        type: bearer
        token: '{{env.TOKEN}}'
      resources:
        - name: users
          path: /users/{id}
          operations:
            - name: get-user
              method: GET
              inputParameters:
                - name: id
                  in: path
                  type: string
                  required: true
              outputParameters:
                - name: result
                  type: object
                  value: $
`;

describe('validateDocument on real files', () => {
  const files = [...yamlFiles(CORPUS), ...yamlFiles(EXAMPLES)];
  const capabilities = files.filter((f) => !K8S_SAMPLES.includes(f) && f !== BIND_VALUES);

  it.each(capabilities)('finds no error in %s', (file) => {
    expect(validateFile(file).filter((d) => d.severity === 'error')).toEqual([]);
  });

  it.each(K8S_SAMPLES)('gives %s one clear error', (file) => {
    expect(validateFile(file)).toEqual([{ severity: 'error', file, line: 1, col: 1, pointer: '', message: K8S_MESSAGE }]);
  });

  it('tells a bind values file is not a capability', () => {
    expect(brief(validateFile(BIND_VALUES))).toEqual(["1:1 error: not a Naftiko capability: missing 'naftiko' version key"]);
  });
});

describe('validateDocument', () => {
  it('accepts a valid capability', () => {
    expect(check(BASE)).toEqual([]);
  });

  it('names a missing required key, at the object that lacks it', () => {
    const ds = check(BASE.replace('              method: GET\n', ''));
    expect(ds).toEqual([
      {
        severity: 'error',
        file: 'cap.yaml',
        line: 17,
        col: 15,
        pointer: '/capability/consumes/0/resources/0/operations/0',
        message: "capability.consumes[0].resources[0].operations[0]: missing required key 'method'",
      },
    ]);
  });

  it('reports an unknown key as a warning at the key', () => {
    const ds = check(BASE.replace('              method: GET\n', '              method: GET\n              retries: 3\n'));
    expect(ds).toEqual([
      {
        severity: 'warning',
        file: 'cap.yaml',
        line: 19,
        col: 15,
        pointer: '/capability/consumes/0/resources/0/operations/0/retries',
        message: "unknown key 'retries' in capability.consumes[0].resources[0].operations[0]",
      },
    ]);
  });

  it('rejects a wrong method, naming the allowed ones', () => {
    expect(brief(check(BASE.replace('method: GET', 'method: FETCH')))).toEqual([
      "18:15 error: capability.consumes[0].resources[0].operations[0]: 'method' must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS (got 'FETCH')",
    ]);
    expect(brief(check(BASE.replace('method: GET', 'method: get')))[0]).toContain("(got 'get')");
  });

  it('rejects a wrong parameter location', () => {
    expect(brief(check(BASE.replace('in: path', 'in: querystring')))).toEqual([
      "21:19 error: capability.consumes[0].resources[0].operations[0].inputParameters[0]: 'in' must be one of query, header, path, cookie, body, environment (got 'querystring')",
    ]);
  });

  it('rejects an unknown authentication type with one error and no unknown-key noise', () => {
    expect(brief(check(BASE.replace('type: bearer', 'type: oauth3')))).toEqual([
      "11:9 error: capability.consumes[0].authentication: 'type' must be one of none, inherit, basic, digest, apikey, bearer, composite, aws-sig-v4, oauth2 (got 'oauth3')",
    ]);
  });

  it('checks the keys of each authentication type', () => {
    const ds = check(BASE.replace("        token: '{{env.TOKEN}}'\n", "        token: '{{env.TOKEN}}'\n        username: me\n"));
    expect(brief(ds)).toEqual(["13:9 warning: unknown key 'username' in capability.consumes[0].authentication"]);
    const basic = BASE.replace('type: bearer', 'type: basic').replace("token: '{{env.TOKEN}}'", "username: '{{env.USER}}'\n        password: '{{env.PASS}}'");
    expect(check(basic)).toEqual([]);
    const apikey = BASE.replace('type: bearer', 'type: apikey').replace("token: '{{env.TOKEN}}'", "key: X-Key\n        value: '{{env.KEY}}'\n        placement: cookie");
    expect(brief(check(apikey))).toEqual([
      "14:9 error: capability.consumes[0].authentication: 'placement' must be one of header, query (got 'cookie')",
    ]);
  });

  it('rejects an unsupported naftiko version with a single error', () => {
    const ds = check(BASE.replace('naftiko: 1.0.0-alpha2', 'naftiko: 2.0.0').replace('method: GET', 'method: FETCH'));
    expect(ds).toEqual([
      {
        severity: 'error',
        file: 'cap.yaml',
        line: 1,
        col: 1,
        pointer: '/naftiko',
        message: "unsupported Naftiko version '2.0.0': this runtime reads 1.0.0-alpha1, 1.0.0-alpha2, 0.5",
      },
    ]);
  });

  it('accepts every supported version, 0.5 also unquoted', () => {
    for (const version of ['1.0.0-alpha1', '"1.0.0-alpha2"', '"0.5"', '0.5']) {
      expect(check(BASE.replace('naftiko: 1.0.0-alpha2', `naftiko: ${version}`))).toEqual([]);
    }
  });

  it('tells documents that are not capabilities apart', () => {
    expect(brief(check('apiVersion: naftiko/v1\nkind: Capability\nspec: {}\n'))).toEqual([`1:1 error: ${K8S_MESSAGE}`]);
    expect(brief(check('openapi: 3.1.0\npaths: {}\n'))).toEqual([
      "1:1 error: not a Naftiko capability: missing 'naftiko' version key (this looks like an OpenAPI document)",
    ]);
    expect(brief(check('- a\n- b\n'))).toEqual(['1:1 error: not a Naftiko capability: the document must be a mapping (got array)']);
    expect(brief(check('# empty\n'))).toEqual(['1:1 error: not a Naftiko capability: the document is empty']);
  });

  it('needs a capability or a root-level consumes list', () => {
    expect(brief(check('naftiko: 1.0.0-alpha2\ninfo:\n  label: x\n'))).toEqual([
      "1:1 error: document: missing required key 'capability' (or a root-level 'consumes' list, for a shared consumes file)",
    ]);
    expect(brief(check('naftiko: 1.0.0-alpha2\ncapability:\n  binds: []\n'))).toEqual(["2:1 error: capability: needs 'consumes' or 'exposes'"]);
  });

  it('validates shared consumes files and imports', () => {
    const shared = 'naftiko: 1.0.0-alpha2\nconsumes:\n  - type: http\n    namespace: shared\n    baseUri: https://x\n    resources: []\n';
    expect(check(shared)).toEqual([]);
    const importing = BASE.replace('    - type: http\n', '    - import: shared\n      location: ./shared/x.yaml\n      as: other\n    - type: http\n');
    expect(check(importing)).toEqual([]);
    expect(brief(check(importing.replace('      location: ./shared/x.yaml\n', '')))).toEqual([
      "7:7 error: capability.consumes[0]: missing required key 'location'",
    ]);
  });

  it('accepts the generated dialect', () => {
    const generated = BASE.replace('      baseUri: https://api.example.com', "      baseUri: ''")
      .replace('name: get-user', 'name: Get a user')
      .replace(
        '      authentication:\n        type: bearer\n        token: \'{{env.TOKEN}}\'\n',
        '      auth:\n        type: apiKey\n        in: header\n        name: X-Key\n        valueFrom:\n          env: KEY\n',
      )
      .replace(
        '                  required: true\n',
        // A function, so that `$'` in the pattern is not read as a replacement pattern.
        () => "                  required: true\n                  default: 'me'\n                  enum: [me, you]\n                  pattern: '^[a-z]+$'\n                  format: uuid\n                  example: me\n                  schema: {type: string}\n",
      );
    expect(check(generated)).toEqual([]);
    // `info.title` is a defect real files have (the grammar says `label`): loaded, with a warning.
    expect(brief(check(BASE.replace('  label: Test', '  title: Test')))).toEqual(["3:3 warning: unknown key 'title' in info"]);
    expect(check(BASE.replace('type: string\n                  required', "type: ['array', 'null']\n                  required"))).toEqual([]);
    expect(brief(check(BASE.replace('type: string\n                  required', "type: ['array', 'nil']\n                  required")))).toEqual([
      "22:35 error: capability.consumes[0].resources[0].operations[0].inputParameters[0].type[1]: must be one of string, number, integer, boolean, object, array, null (got 'nil')",
    ]);
  });

  it('checks the Vital auth shape', () => {
    const vital = BASE.replace(
      "      authentication:\n        type: bearer\n        token: '{{env.TOKEN}}'\n",
      '      auth:\n        type: apiKey\n        in: cookie\n        valueFrom:\n          env: KEY\n',
    );
    expect(brief(check(vital))).toEqual([
      "10:7 error: capability.consumes[0].auth: missing required key 'name'",
      "12:9 error: capability.consumes[0].auth: 'in' must be one of header, query (got 'cookie')",
    ]);
  });

  it('checks request bodies by type', () => {
    const withBody = (body: string) => check(BASE.replace('              method: GET\n', `              method: POST\n              body: ${body}\n`));
    expect(withBody('{type: json}')).toEqual([]);
    expect(withBody('{type: form, data: {To: "{{to}}", Count: 2}}')).toEqual([]);
    expect(withBody("'{\"a\": \"{{a}}\"}'")).toEqual([]);
    expect(withBody('{type: multipartForm, data: [{name: f, value: x, filename: f.txt}]}')).toEqual([]);
    expect(brief(withBody('{type: text}'))).toEqual(["19:15 error: capability.consumes[0].resources[0].operations[0].body: missing required key 'data'"]);
    expect(brief(withBody('{type: yaml, data: x}'))).toEqual([
      "19:22 error: capability.consumes[0].resources[0].operations[0].body: 'type' must be one of json, text, xml, sparql, formUrlEncoded, form, multipartForm (got 'yaml')",
    ]);
    expect(brief(withBody('[1]'))).toEqual([
      "19:15 error: capability.consumes[0].resources[0].operations[0]: 'body' must be a string or an object (got array)",
    ]);
  });

  it('reports type, pattern and range problems with the value it got', () => {
    const exposes = `${BASE}  exposes:\n    - type: rest\n      namespace: my.api\n      port: 0\n      resources:\n        - path: /x\n          operations:\n            - method: GET\n              call: api.get-user\n`;
    expect(brief(check(exposes))).toEqual([
      "30:7 error: capability.exposes[0]: 'namespace' must match ^[A-Za-z0-9_:-]+$ (got 'my.api')",
      "31:7 error: capability.exposes[0]: 'port' must be >= 1 (got 0)",
    ]);
    expect(brief(check(BASE.replace('label: Test', 'label: [Test]')))).toEqual(["3:3 error: info: 'label' must be a string (got array)"]);
  });

  it('warns about bind variable names that are not SCREAMING_SNAKE_CASE (real files load elsewhere with them)', () => {
    const binds = BASE.replace('capability:\n', 'binds:\n  - namespace: env\n    keys:\n      token: TOKEN\ncapability:\n');
    expect(brief(check(binds))).toEqual(['8:7 warning: binds[0].keys.token: is not SCREAMING_SNAKE_CASE; it is bound as written']);
  });

  it('returns diagnostics in source order', () => {
    const ds = check(BASE.replace('label: Test', 'label: Test\n  colour: red').replace('in: path', 'in: nowhere'));
    expect(ds.map((d) => d.line)).toEqual([4, 22]);
  });

  it('falls back to the nearest positioned ancestor, then to 0:0', () => {
    const { data, positions } = parseYaml(BASE.replace('method: GET', 'method: FETCH'), 'cap.yaml');
    const pointer = '/capability/consumes/0/resources/0/operations/0/method';
    const partial = new Map([...positions].filter(([p]) => p !== pointer));
    expect(validateDocument(data, 'cap.yaml', partial)[0]).toMatchObject({ line: 17, col: 15, pointer });
    expect(validateDocument(data, 'cap.yaml', new Map())[0]).toMatchObject({ line: 0, col: 0, pointer });
  });
});

describe('the validator the build precompiles', () => {
  it('reports exactly what the validator compiled at run time reports', async () => {
    const built = (await import(new URL('../dist/runtime/load/validateDocument.js', import.meta.url).href)) as { validateDocument: typeof validateDocument };
    const broken = BASE.replace('method: GET', 'method: FETCH').replace('  label: Test', '  label: Test\n  colour: blue');
    const documents = [...yamlFiles(CORPUS).slice(0, 40).map((file) => [file, readFileSync(file, 'utf8')] as const), ['broken.yaml', broken] as const];
    for (const [file, text] of documents) {
      const { data, positions } = parseYaml(text, file);
      expect(built.validateDocument(data, file, positions), file).toEqual(validateDocument(data, file, positions));
    }
    expect(brief(check(broken))).toHaveLength(2);
  });
});
