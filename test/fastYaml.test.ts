import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseYamlFast } from '../runtime/load/fastYaml.js';
import { parseYamlFull } from '../runtime/load/parseYaml.js';
import { generateCapability } from '../bench/load.js';

const DIRS = ['../capabilities', 'fixtures'].map((d) => fileURLToPath(new URL(d, import.meta.url)));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function full(text: string): { data: unknown; positions: Array<[string, [number, number]]> } | undefined {
  try {
    const { data, positions } = parseYamlFull(text, 'doc.yaml');
    return { data, positions: [...positions].sort() };
  } catch {
    return undefined;
  }
}

function fast(text: string): { data: unknown; positions: Array<[string, [number, number]]> } | undefined {
  const parsed = parseYamlFast(text);
  return parsed && { data: parsed.data, positions: [...parsed.positions].sort() };
}

/** The fast path's contract: the full parser's exact result, or no result at all. */
function expectSameOrDeclined(text: string): 'same' | 'declined' {
  const lazy = parseYamlFast(text);
  if (lazy === undefined) return 'declined';
  const reference = full(text);
  expect(reference, text).toBeDefined();
  const expected = new Map(reference!.positions);
  // Looked up one by one first, as the loader does, before anything makes the map build all its entries.
  for (const [pointer, position] of expected) {
    expect(lazy.positions.get(pointer), pointer).toEqual(position);
    expect(lazy.positions.get(`${pointer}/0`)).toEqual(expected.get(`${pointer}/0`));
  }
  for (const other of ['/', 'x', '/no such key', '/naftiko/x', '//', '/~2', '/-1', '/info/00']) expect(lazy.positions.has(other)).toBe(expected.has(other));
  expect(lazy.positions.size).toBe(reference!.positions.length);
  expect(fast(text), text).toEqual(reference);
  return 'same';
}

describe('the fast YAML path on real files', () => {
  const files = DIRS.flatMap(yamlFiles);

  it.each(files)('%s: the same data and positions as the full parser, or declined', (file) => {
    expectSameOrDeclined(readFileSync(file, 'utf8'));
  });

  it('declines only files with anchors (ironclad) or !!omap (tmdb)', () => {
    const declined = files.filter((file) => parseYamlFast(readFileSync(file, 'utf8')) === undefined);
    expect(declined.map((f) => f.slice(f.indexOf('corpus/') + 7))).toEqual([
      'api-evangelist__ironclad/capabilities/records.yaml',
      'api-evangelist__ironclad/capabilities/workflows.yaml',
      'api-evangelist__tmdb/capabilities/tmdb-api-movies.yaml',
      'api-evangelist__tmdb/capabilities/tmdb-api-tv-series.yaml',
    ]);
  });

  // Both parsers on 500 operations, and every position compared: seconds on a busy 2-core machine.
  it('takes the generated 500-operation capability of the load benchmark', () => {
    expect(expectSameOrDeclined(generateCapability(500))).toBe('same');
  }, 60_000);
});

describe('the fast YAML path on constructs', () => {
  it.each([
    ['plain scalars of every core-schema type', 'a: 1\nb: -2.5\nc: 1e3\nd: 0x1F\ne: 0o17\nf: true\ng: False\nh: ~\ni: null\nj:\nk: .inf\nl: text with spaces\nm: 08\n'],
    ['keys that are not strings', '1: a\n1.50: b\ntrue: c\n~: d\n0x10: e\n'],
    ['quoted scalars with escapes', `a: 'it''s'\nb: "tab\\there \\u00e9 \\x41 \\U0001F600"\nc: "a\\\n    b"\n'quoted key': 1\n"x/y~z": 2\n`],
    ['multi-line plain and quoted scalars', "a: first\n  second\n\n  third\nb: 'one\n  two'\nc: \"one\n\n  two  \n  three\"\n"],
    ['block scalars', 'a: |\n  line 1\n    indented\n\n  line 3\nb: >-\n  folded\n  text\n\n    more\n  end\nc: |-\n  # not a comment\nd: >\n\n  after blank\n'],
    ['sequences, indentless and nested', 'a:\n- 1\n- x: 1\n  y: [a, "b", {c: d}]\n-\n  z: 2\nb:\n  - deep\n  - |\n    text\nc: []\nd: {}\n'],
    ['comments everywhere', '# head\n---\na: 1 # trailing\n# between\nb: # after colon\n  c: x#not-a-comment\n'],
    ['a __proto__ key', '__proto__: 1\na:\n  __proto__: 2\n'],
  ])('%s', (_, text) => {
    expect(expectSameOrDeclined(text)).toBe('same');
  });

  it.each([
    ['an anchor', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a tab', 'a:\t1\n'],
    ['CRLF line ends', 'a: 1\r\nb: 2\r\n'],
    ['a multi-line flow collection', 'a: [1,\n  2]\n'],
    ['a second document', 'a: 1\n---\nb: 2\n'],
    ['a nested mapping on one line', 'a: b: c\n'],
    ['a bad escape', 'a: "\\q"\n'],
    ['a root that is not a mapping', '- a\n- b\n'],
  ])('declines %s', (_, text) => {
    expect(fast(text)).toBeUndefined();
  });
});

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe('the fast YAML path on generated documents', () => {
  const SCALARS = ['a', 'foo bar', '1', '-2', '0x1F', '1.5', '1e3', '.5', 'true', 'null', '~', '', "'it''s'", '"d\\"q"', '"\\u00e9"', 'x: y', 'a #b', 'a#b', '$.data[*].id', '{{env.X}}', "'{{env.X}}'", '-', '- a', ':x', 'http://x.y/z?a=1', '@x', '&a x', '*a', '!t x', '[a, b]', '{a: 1}', '[]', '{}', '[a, [b, c]]', '[a, b,]', '{a}', '"multi\n   line"', "'multi\n   line'", 'plain\n   continued', 'plain\n\n   para', '.NaN', '"\\q"', '---', "'unclosed", 'x # c'];
  const KEYS = ['a', 'b', 'key with space', '1', '01', 'true', '~', '"q"', "'s'", 'x/y', 'm~n', '__proto__', 'a:b', '? k', '1.50', '[k]', 'k '];
  const HEADERS = ['|', '|-', '>', '>-', '|+', '>2', '| # c'];
  const BODIES = [['text'], ['a', 'b'], ['a', '', 'b'], ['a', '  more', 'b'], ['', 'x'], ['# not comment'], ['  lead', 'x']];

  it('never disagrees with the full parser, and never accepts what it rejects', () => {
    const next = random(7);
    const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)];
    const value = (depth: number, indent: number): string => {
      const pad = ' '.repeat(indent);
      const r = next();
      if (depth > 3 || r < 0.4) return ` ${pick(SCALARS).replace(/\n {3}/g, `\n${pad} `)}\n`;
      if (r < 0.5) return ` ${pick(HEADERS)}\n${pick(BODIES).map((l) => (l === '' ? '' : pad + l)).join('\n')}\n`;
      return `\n${collection(depth, indent)}`;
    };
    const collection = (depth: number, indent: number): string => {
      const pad = ' '.repeat(indent);
      const n = 1 + Math.floor(next() * 3);
      let text = '';
      const isMap = next() < 0.6;
      for (let i = 0; i < n; i++) text += isMap ? `${pad}${pick(KEYS)}:${value(depth + 1, indent + 2)}` : `${pad}-${value(depth + 1, indent + 2)}`;
      return text;
    };
    const counts = { same: 0, declined: 0 };
    for (let i = 0; i < 1500; i++) {
      let text = `root:${value(0, 2)}${next() < 0.3 ? 'other: x\n' : ''}`;
      if (next() < 0.3) {
        const at = Math.floor(next() * text.length);
        text = next() < 0.6 ? text.slice(0, at) + pick([' ', ':', '-', '#', '\n', "'", '"', '[', ': ', '- ']) + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      const quick = fast(text);
      if (quick === undefined) counts.declined++;
      else {
        expect(quick, text).toEqual(full(text));
        counts.same++;
      }
    }
    // Enough of both kinds for the comparison to mean something.
    expect(counts.same).toBeGreaterThan(300);
    expect(counts.declined).toBeGreaterThan(300);
  });
});
