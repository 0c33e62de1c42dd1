/**
 * Build step: bundles the `naftiko` command into `dist/cli/` (an entry and lazily loaded chunks), so
 * that a cold start reads a few files instead of resolving and loading some three hundred modules of
 * the runtime and its dependencies (got alone is sixty). Commands still load what they need on first
 * use: each dynamic import is a chunk, and the parsers and validators loaded with `require` stay in
 * node_modules. The precompiled schema validators are copied beside the chunks, which find them
 * relative to themselves. Run by `npm run build`, after tsc and the validators.
 */
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../../../', import.meta.url);
const out = new URL('dist/cli/', root);
const load = new URL('dist/runtime/load/', root);

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [new URL('runtime/cli/main.ts', root).pathname],
  outdir: out.pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // Engines' clients are optional peers with native parts; anything missing at run time is reported by the command that needs it.
  external: ['bullmq', 'ioredis', '@temporalio/*'],
  // Bundled CommonJS dependencies call `require` for Node's own modules, which ESM output lacks.
  banner: { js: "import { createRequire as naftikoCreateRequire } from 'node:module'; const require = naftikoCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
for (const file of readdirSync(load)) if (file.endsWith('.cjs') || file.endsWith('.json')) copyFileSync(new URL(file, load), new URL(file, out));
