/**
 * Cold start, measured as whole processes: what a shell script, a cron job or a freshly scaled worker
 * pays on every run. In each round, in rotating order: an empty Node start, a script making the same
 * `GET /v2/user/{id}` with got, `naftiko run` of that operation (validation cache warm, and empty),
 * `naftiko --help` and `--version`; and, inside fresh processes, the import of the library and the
 * first load of the Users file. Figures are medians over rounds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, USERS_CAPABILITY } from './paths.js';
import { BENCH_API_KEY, BENCH_USER_ID } from './server.js';
import { median } from './stats.js';

/** The whole-process variants, in the order of the first round. */
export const COLD_VARIANTS = ['node', 'got', 'naftiko run', 'naftiko run, empty cache', 'naftiko --help', 'naftiko --version'] as const;
export type ColdVariant = (typeof COLD_VARIANTS)[number];

/** What {@link measureColdStart} measured, in milliseconds. */
export interface ColdStartResult {
  rounds: number;
  /** Wall time from spawn to exit, median over rounds. */
  processes: Record<ColdVariant, number>;
  /** `import('naftiko-runtime')` in a fresh process. */
  importMs: number;
  /** The first `loadCapability` of the Users file in a fresh process, validation cache warm and empty. */
  firstLoadMs: { cached: number; uncached: number };
  /** naftiko run ÷ the got script. */
  runRatio: number;
  /** naftiko --help ÷ an empty Node start. */
  helpRatio: number;
}

const LIBRARY = join(ROOT, 'dist', 'runtime', 'index.js');

/**
 * Measures `rounds` interleaved rounds against the bench server at `server` (which may run in this
 * process: every child is awaited, never waited for synchronously).
 */
export async function measureColdStart(server: string, rounds: number): Promise<ColdStartResult> {
  const cache = mkdtempSync(join(tmpdir(), 'naftiko-cold-'));
  try {
    const env = { ...process.env, VITAL_API_KEY: BENCH_API_KEY, NAFTIKO_CACHE_DIR: cache };
    const run = ['run', USERS_CAPABILITY, 'get_user_v2_user__user_id__get', `user_id=${BENCH_USER_ID}`, '--base-uri', server];
    const gotScript = `import got from 'got'; const user = await got(${JSON.stringify(`${server}/v2/user/${BENCH_USER_ID}`)}, { headers: { 'X-Vital-API-Key': ${JSON.stringify(BENCH_API_KEY)} } }).json(); process.stdout.write(JSON.stringify(user, null, 2));`;
    const commands: Record<ColdVariant, () => Promise<number>> = {
      node: () => timed(['-e', '0'], env),
      got: () => timed(['--input-type=module', '-e', gotScript], env),
      'naftiko run': () => timed([CLI, ...run], env),
      'naftiko run, empty cache': () => withEmptyCache((dir) => timed([CLI, ...run], { ...env, NAFTIKO_CACHE_DIR: dir })),
      'naftiko --help': () => timed([CLI, '--help'], env),
      'naftiko --version': () => timed([CLI, '--version'], env),
    };
    // Fills the cache, and the OS's file cache, before anything counts.
    for (const variant of COLD_VARIANTS) await commands[variant]();

    const samples = Object.fromEntries(COLD_VARIANTS.map((v) => [v, [] as number[]])) as Record<ColdVariant, number[]>;
    const imports: number[] = [];
    const cachedLoads: number[] = [];
    const uncachedLoads: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < COLD_VARIANTS.length; i++) {
        const variant = COLD_VARIANTS[(i + round) % COLD_VARIANTS.length];
        samples[variant].push(await commands[variant]());
      }
      const cached = await inProcess(cache, env);
      imports.push(cached.importMs);
      cachedLoads.push(cached.loadMs);
      uncachedLoads.push(await withEmptyCache(async (dir) => (await inProcess(dir, env)).loadMs));
    }
    const processes = Object.fromEntries(COLD_VARIANTS.map((v) => [v, median(samples[v])])) as Record<ColdVariant, number>;
    return {
      rounds,
      processes,
      importMs: median(imports),
      firstLoadMs: { cached: median(cachedLoads), uncached: median(uncachedLoads) },
      runRatio: processes['naftiko run'] / processes.got,
      helpRatio: processes['naftiko --help'] / processes.node,
    };
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

/** Wall time of one process, in ms; it must exit 0. */
async function timed(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  await node(args, env);
  return performance.now() - started;
}

/** Runs `node ARGS` to its exit; resolves with its stdout, rejects unless it exits 0. */
function node(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`))));
  });
}

/** The import of the library and the first load of the Users file, timed inside a fresh process. */
async function inProcess(cacheDir: string, env: NodeJS.ProcessEnv): Promise<{ importMs: number; loadMs: number }> {
  const script = `
    const started = performance.now();
    const { loadCapability } = await import(${JSON.stringify(LIBRARY)});
    const imported = performance.now();
    await loadCapability(${JSON.stringify(USERS_CAPABILITY)}, { cacheDir: ${JSON.stringify(cacheDir)} });
    process.stdout.write(JSON.stringify({ importMs: imported - started, loadMs: performance.now() - imported }));`;
  return JSON.parse(await node(['--input-type=module', '-e', script], env)) as { importMs: number; loadMs: number };
}

async function withEmptyCache<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'naftiko-cold-empty-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
