import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    // test/conformance/node_modules holds the conformance suite's installed packages, not project code.
    .filter((e) => e.isFile() && /\.(ts|js|json)$/.test(e.name) && !e.parentPath.includes('fixtures') && !e.parentPath.includes('node_modules'))
    .map((e) => join(e.parentPath, e.name));
}

describe('a fresh clone needs nothing beside the repository', () => {
  it('no test, benchmark, sandbox or runtime module reads a folder outside the repository', () => {
    const outside = ['test', 'bench', 'sandbox', 'runtime']
      .flatMap(sources)
      .concat(join(ROOT, 'package.json'))
      .filter((file) => /\.\.\/\.\.\/shared|\.\.\/shared\/|'\.\.', 'shared'/.test(readFileSync(file, 'utf8')) && !file.endsWith('selfContained.test.ts'))
      .map((file) => relative(ROOT, file));
    expect(outside).toEqual([]);
  });
});
