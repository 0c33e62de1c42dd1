/**
 * What users import: `naftiko-runtime`, `naftiko-runtime/bullmq` and `naftiko-runtime/temporal`
 * resolve through package.json `exports` (the package importing itself by name, as a dependent would),
 * and the command line loads bullmq only for the commands that need it.
 */
import { execFile } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { ROOT } from './support/cli.js';

/** Runs an ES module script with node in the repository; resolves to its stdout. */
function node(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

describe('package entry points', () => {
  test('naftiko-runtime, naftiko-runtime/bullmq and naftiko-runtime/temporal export their APIs', async () => {
    const out = await node(`
      const main = await import('naftiko-runtime');
      const bullmq = await import('naftiko-runtime/bullmq');
      const temporal = await import('naftiko-runtime/temporal');
      console.log(JSON.stringify([typeof main.createRuntime, typeof bullmq.createWorker, typeof bullmq.enqueue, typeof bullmq.enqueueAndWait, typeof temporal.createActivities]));
    `);
    expect(JSON.parse(out)).toEqual(['function', 'function', 'function', 'function', 'function']);
  });

  test('the command line and the main entry load neither bullmq nor Temporal until a worker or enqueue command runs', async () => {
    const out = await node(`
      import { createRequire } from 'node:module';
      await import('naftiko-runtime');
      const { runCli } = await import('./dist/runtime/cli/runCli.js');
      const quiet = { stdout() {}, stderr() {}, env: {} };
      await runCli(['--help'], quiet);
      await runCli(['worker', '--help'], quiet);
      await runCli(['enqueue', '--help'], quiet);
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => /node_modules\\/(bullmq|ioredis|@temporalio)\\//.test(f)).length;
      const before = loaded();
      await runCli(['enqueue', 'test/fixtures/engines/orders.yaml', 'nope', '--queue', 'q'], quiet);
      console.log(JSON.stringify([before, loaded() > 0]));
    `);
    expect(JSON.parse(out)).toEqual([0, true]);
  });
});
