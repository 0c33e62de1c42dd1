import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { inspectCapability } from '../runtime/load/loadCapability.js';

const CORPUS = new URL('fixtures/corpus/', import.meta.url).pathname;

interface Row {
  path: string;
  generation: string;
  consumedOps: number;
  notes: string[];
}

const rows: Row[] = readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map((cells) => ({ path: cells[0], generation: cells[4], consumedOps: Number(cells[6]), notes: cells[10].split(';').map((n) => n.trim()) }));

const results = rows.map((row) => ({ row, ...inspectCapability(join(CORPUS, row.path)) }));
const naftiko = results.filter((r) => !r.row.generation.startsWith('k8s'));

/** The kinds of warning the runtime reports, each one a defect the corpus README lists. */
const KINDS: Array<[string, RegExp]> = [
  ['template-var-undeclared', /path placeholder \{[^}]+\} has no declared parameter/],
  ['path-param-not-in-template', /path parameter '[^']+' is not in the path/],
  ['DUP_OPNAMES', /duplicate operation name/],
  ['baseUri-empty', /has an empty baseUri/],
  ['bearer-no-token', /bearer authentication names no token/],
  ['info.title', /unknown key 'title' in info$/],
  ['unknown-key', /unknown key '[^']+' in /],
  ['exposes-call', /call '[^']+' names (namespace|no operation)/],
];

function kindsOf(messages: string[]): Set<string> {
  return new Set(messages.map((m) => KINDS.find(([, re]) => re.test(m))?.[0] ?? `unexpected: ${m}`));
}

describe('the real-world corpus', () => {
  test('has its 164 files', () => {
    expect(rows).toHaveLength(164);
  });

  test('every Naftiko file loads with no error and lists its operations', () => {
    const failed = naftiko.filter((r) => !r.capability).map((r) => `${r.row.path}: ${r.diagnostics.find((d) => d.severity === 'error')?.message}`);
    expect(failed).toEqual([]);
    expect(naftiko).toHaveLength(162);
    for (const { row, capability } of naftiko) {
      // G1 files import their operations; the index counts only the operations written in the file itself.
      if (!row.notes.includes('imports')) expect(capability!.operations.length, row.path).toBe(row.consumedOps);
    }
  });

  test('the two non-Naftiko samples fail with one clear message', () => {
    const others = results.filter((r) => r.row.generation.startsWith('k8s'));
    expect(others.map((r) => r.row.path).sort()).toEqual(['api-evangelist__swell-io/capabilities/cart-checkout.yaml', 'api-evangelist__tomorrow-io/capabilities/alerts.yaml']);
    for (const { capability, diagnostics } of others) {
      expect(capability).toBeUndefined();
      const errors = diagnostics.filter((d) => d.severity === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(/not a Naftiko capability/);
    }
  });

  test('every warning is one of the defects the corpus README lists, found exactly where the index says', () => {
    for (const { row, diagnostics } of naftiko) {
      const kinds = kindsOf(diagnostics.filter((d) => d.severity === 'warning' && d.file.endsWith(row.path)).map((d) => d.message));
      for (const kind of kinds) expect(kind, row.path).not.toMatch(/^unexpected/);
      for (const kind of ['template-var-undeclared', 'path-param-not-in-template', 'baseUri-empty']) {
        // The index looked for placeholders in resource paths only; operation-level paths (op.path) have them too.
        const expected = row.notes.includes(kind) || (kind === 'template-var-undeclared' && row.notes.includes('op.path'));
        expect(kinds.has(kind), `${row.path}: ${kind}`).toBe(expected);
      }
      expect(kinds.has('DUP_OPNAMES'), `${row.path}: DUP_OPNAMES`).toBe(row.notes.some((n) => n.startsWith('DUP_OPNAMES')));
      expect(kinds.has('info.title'), `${row.path}: info.title`).toBe(row.notes.includes('info.title'));
    }
  });

  test('the unknown keys found are the ones real files really use outside the grammar', () => {
    const unknown = new Map<string, number>();
    for (const { diagnostics } of naftiko) {
      for (const d of diagnostics) {
        const key = /unknown key '([^']+)' in (\S+)/.exec(d.message);
        if (key) {
          const where = `${key[2].replace(/\[\d+\]/g, '[]')}.${key[1]}`;
          unknown.set(where, (unknown.get(where) ?? 0) + 1);
        }
      }
    }
    expect(Object.fromEntries(unknown)).toEqual({
      'capability.exposes[].resources[].operations[].outputRawFormat': 60,
      'capability.exposes[].resources[].operations[].path': 3,
      'capability.consumes[].authentication.note': 2,
      'capability.consumes[].documentation': 1,
      'info.personas': 5,
      'info.title': 4,
    });
  });
});
