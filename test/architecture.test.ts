/**
 * The layout ARCHITECTURE.md describes, enforced: each folder of runtime/ imports only what its
 * paragraph allows, so the path of a call (load → compile → invoke → http → response) stays one way
 * and adapters reach the core only through `index.ts` and `internal.ts`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUNTIME = fileURLToPath(new URL('../runtime/', import.meta.url));

/** What each folder (or top-level module) may import from other parts of runtime/, besides itself. */
const ALLOWED: Record<string, string[]> = {
  util: [],
  'errors.ts': ['util'],
  'types.ts': ['errors.ts', 'util'],
  response: ['errors.ts', 'types.ts', 'util', 'compile'],
  http: ['errors.ts', 'types.ts', 'util', 'compile'],
  compile: ['errors.ts', 'types.ts', 'util', 'response'],
  load: ['errors.ts', 'types.ts', 'util', 'compile'],
  invoke: ['errors.ts', 'types.ts', 'util', 'compile', 'http', 'response'],
  'index.ts': ['errors.ts', 'types.ts', 'util', 'load', 'invoke'],
  'internal.ts': ['compile', 'invoke', 'response', 'load', 'http'],
  openapi: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util', 'orchestration'],
  convert: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util'],
  skills: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util', 'orchestration', 'serve'],
  orchestration: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util'],
  rest: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util', 'orchestration', 'serve'],
  mcp: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util', 'orchestration', 'serve'],
  serve: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util', 'orchestration', 'rest', 'mcp', 'skills'],
  bullmq: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util'],
  temporal: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util'],
  cli: ['index.ts', 'internal.ts', 'errors.ts', 'types.ts', 'util', 'orchestration', 'serve', 'mcp', 'rest', 'openapi', 'convert', 'bullmq'],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The part of runtime/ a file belongs to: its folder, or its own name at the top. */
function partOf(file: string): string {
  return relative(RUNTIME, file).split('/')[0];
}

describe('runtime/ layers', () => {
  const imports = files(RUNTIME).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)].map((m) => {
      const target = join(file, '..', (m[1] ?? m[2]).replace(/\.js$/, '.ts'));
      return { file, from: partOf(file), to: partOf(target), target };
    });
  });

  it('every folder imports only what ARCHITECTURE.md allows', () => {
    const parts = new Set(imports.map((i) => i.from));
    for (const part of parts) expect(ALLOWED, `no rule for runtime/${part}`).toHaveProperty([part]);
    const broken = imports
      .filter((i) => i.to !== i.from && !ALLOWED[i.from].includes(i.to))
      .map((i) => `${relative(RUNTIME, i.file)} imports ${relative(RUNTIME, i.target)}`);
    expect(broken).toEqual([]);
  });
});
