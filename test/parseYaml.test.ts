import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../runtime/errors.js';
import { parseYaml } from '../runtime/load/parseYaml.js';

const CORPUS = fileURLToPath(new URL('fixtures/corpus', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('fixtures/naftiko-alpha2/examples', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function parseFile(file: string) {
  return parseYaml(readFileSync(file, 'utf8'), file);
}

function thrown(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return error as SpecError;
  }
  throw new Error('expected a SpecError');
}

describe('parseYaml on real files', () => {
  const files = [...yamlFiles(CORPUS), ...yamlFiles(EXAMPLES)];

  it('finds the whole corpus and the alpha2 examples', () => {
    expect(files.length).toBe(164 + 13);
  });

  it.each(files)('parses %s into plain data with a position for every node', (file) => {
    const { data, positions } = parseFile(file);
    expect(data).not.toBeNull();
    expect(typeof data).toBe('object');
    // Plain JSON data: no Map (omap) and nothing a JSON round trip would change.
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    const pointers: string[] = [];
    const collect = (node: unknown, pointer: string): void => {
      pointers.push(pointer);
      if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) collect(value, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      }
    };
    collect(data, '');
    expect(pointers.filter((p) => !positions.has(p))).toEqual([]);
  });

  it('records the position of map members at their key', () => {
    const { positions } = parseFile(`${CORPUS}/api-evangelist__unleash/capabilities/shared/unleash-admin.yaml`);
    expect(positions.get('')).toEqual([1, 1]);
    expect(positions.get('/naftiko')).toEqual([1, 1]);
    expect(positions.get('/binds/0/keys/UNLEASH_BASE_URL')).toEqual([21, 7]);
    expect(positions.get('/capability/consumes/0/authentication/placement')).toEqual([33, 9]);
    expect(positions.get('/capability/consumes/0/resources/0/operations/0/method')).toEqual([41, 15]);
  });

  it('records the position of sequence items at the item', () => {
    const { positions } = parseFile(`${CORPUS}/api-evangelist__unleash/capabilities/shared/unleash-admin.yaml`);
    expect(positions.get('/info/tags/1')).toEqual([11, 7]);
    expect(positions.get('/capability/consumes/0/resources/0/operations/0')).toEqual([40, 15]);
  });

  it('turns a !!omap document into plain objects, keeping positions', () => {
    const { data, positions } = parseFile(`${CORPUS}/api-evangelist__tmdb/capabilities/tmdb-api-movies.yaml`);
    const doc = data as any;
    expect(Object.keys(doc)).toEqual(['naftiko', 'info', 'binds', 'capability']);
    expect(doc.naftiko).toBe('1.0.0-alpha2');
    expect(doc.info.tags).toEqual(['TMDB', 'Movies']);
    expect(doc.binds).toEqual([{ namespace: 'env', keys: { TMDB_BEARER_TOKEN: 'TMDB_BEARER_TOKEN' } }]);
    expect(doc.capability.consumes[0].authentication).toEqual({ type: 'bearer', token: '{{env.TMDB_BEARER_TOKEN}}' });
    expect(doc.capability.consumes[0].resources[1].operations[0].inputParameters[0]).toEqual({
      name: 'language',
      in: 'query',
      type: 'string',
      required: false,
      description: 'language parameter.',
    });
    expect(positions.get('/info/tags/1')).toEqual([9, 7]);
    expect(positions.get('/capability/consumes/0/resources/1/name')).toEqual([62, 13]);
    expect(positions.get('/capability/consumes/0/resources/1/operations/0/inputParameters/0/in')).toEqual([72, 21]);
  });

  it('expands aliases into copies positioned at the anchored original', () => {
    const file = `${CORPUS}/api-evangelist__ironclad/capabilities/records.yaml`;
    const { data, positions } = parseFile(file);
    const doc = data as any;
    const consumed = doc.capability.consumes[0].resources[0].operations;
    const exposed = doc.capability.exposes[0].resources[0].operations;
    expect(exposed).toEqual(consumed);
    expect(exposed).not.toBe(consumed);
    expect(positions.get('/capability/exposes/0/resources/0/operations')).toEqual([355, 7]);
    expect(positions.get('/capability/exposes/0/resources/0/operations/0')).toEqual([25, 9]);
  });
});

describe('parseYaml', () => {
  it('escapes keys in JSON pointers (RFC 6901)', () => {
    const { data, positions } = parseYaml('paths:\n  /a/{b}: 1\n  x~y: 2\n', 'p.yaml');
    expect(data).toEqual({ paths: { '/a/{b}': 1, 'x~y': 2 } });
    expect(positions.get('/paths/~1a~1{b}')).toEqual([2, 3]);
    expect(positions.get('/paths/x~0y')).toEqual([3, 3]);
  });

  it('keeps scalar types and stringifies scalar keys', () => {
    const { data } = parseYaml('a: 1\nb: true\nc: ~\nd: "1"\n200: ok\nnaftiko: 0.5\n', 's.yaml');
    expect(data).toEqual({ a: 1, b: true, c: null, d: '1', '200': 'ok', naftiko: 0.5 });
  });

  it('keeps a __proto__ key as an ordinary key', () => {
    const { data } = parseYaml('__proto__:\n  polluted: true\n', 'proto.yaml');
    expect(Object.keys(data as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('turns an empty document into null', () => {
    expect(parseYaml('# nothing\n', 'empty.yaml').data).toBeNull();
  });

  it('reports a syntax error as file:line:col with the YAML message', () => {
    const error = thrown(() => parseYaml('a: 1\nb: [1, 2\nc: 3\n', 'broken.yaml'));
    expect(error.code).toBe('SPEC_INVALID');
    expect(error.message).toMatch(/^broken\.yaml:3:1: .+/);
    expect(error.message).not.toContain('\n');
    expect(error.diagnostics[0]).toMatchObject({ severity: 'error', file: 'broken.yaml', line: 3, col: 1 });
  });

  it('reports duplicate keys at the duplicate', () => {
    const error = thrown(() => parseYaml('a: 1\nb:\n  c: 1\n  c: 2\n', 'dup.yaml'));
    expect(error.message).toBe('dup.yaml:4:3: Map keys must be unique');
    expect(error.diagnostics).toEqual([{ severity: 'error', file: 'dup.yaml', line: 4, col: 3, pointer: '', message: 'Map keys must be unique' }]);
  });

  it('reports bad indentation', () => {
    const error = thrown(() => parseYaml('a:\n  - b\n c: 1\n', 'indent.yaml'));
    expect(error.message).toMatch(/^indent\.yaml:3:\d+: /);
  });

  it('rejects an alias with no anchor', () => {
    const error = thrown(() => parseYaml('a: 1\nb: *nope\n', 'alias.yaml'));
    expect(error.message).toBe("alias.yaml:2:4: unknown alias '*nope'");
    expect(error.diagnostics[0].pointer).toBe('/b');
  });

  it('rejects a key that is not a scalar', () => {
    const error = thrown(() => parseYaml('? [a, b]\n: 1\n', 'key.yaml'));
    expect(error.message).toBe('key.yaml:1:3: map keys must be strings');
  });

  it('resolves an alias to the latest anchor of that name', () => {
    expect(parseYaml('- &a x\n- *a\n- &a y\n- *a\n', 'anchors.yaml').data).toEqual(['x', 'x', 'y', 'y']);
  });

  it('rejects an alias inside its own anchor', () => {
    const error = thrown(() => parseYaml('a: &x [1, *x]\n', 'cycle.yaml'));
    expect(error.message).toBe("cycle.yaml:1:11: alias '*x' refers to itself");
  });

  it('stops a document whose aliases expand exponentially', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) levels.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const error = thrown(() => parseYaml(`${levels.join('\n')}\n`, 'laughs.yaml'));
    expect(error.message).toMatch(/^laughs\.yaml:\d+:\d+: document too large/);
  });
});
