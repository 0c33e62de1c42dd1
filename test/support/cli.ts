/**
 * The `naftiko` command line in tests: in-process through `runCli`, the entry the binary runs, with
 * its own streams and environment (fast), or as a real child process of the built binary (for what
 * only a process shows: exit codes set by the binary, signals, stdout pipes).
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../runtime/cli/runCli.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');

/** What one run printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The parent's environment without anything that would steer the CLI; caches go to a folder of the tests'. */
export const BASE_ENV: Record<string, string | undefined> = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NAFTIKO_') && !k.startsWith('VITAL_'))),
  NAFTIKO_CACHE_DIR: join(tmpdir(), 'naftiko-test-cache'),
};

/** `naftiko ARGS` in this process (whose working directory is the repository root), with `env` over the cleaned environment. */
export async function naftiko(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { ...BASE_ENV, ...env } });
  return { code, stdout, stderr };
}

/** `naftiko ARGS` as a child process of the built binary. */
export function naftikoProcess(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...BASE_ENV, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
