/**
 * Runs `naftiko serve FILE ARGS` as a real child process (the built CLI) and reads the URL of every
 * server it starts from its log lines (`<type> '<namespace>' listening on <url>`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT } from './cli.js';

/** A running `naftiko serve`. */
export interface ServeProcess {
  child: ChildProcess;
  /** Logged URL of each server, keyed `type namespace` (e.g. `mcp shipyard-tools`). */
  urls: Map<string, string>;
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The parent's environment without anything that steers the CLI. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('NAFTIKO_')) env[key] = value;
  return { ...env, ...extra };
}

/**
 * Starts `naftiko serve` and resolves once `servers` servers have logged their URL.
 *
 * @throws when the process exits first (its stderr is in the message).
 */
export async function startServe(file: string, args: string[], servers: number, env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', file, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const urls = new Map<string, string>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      for (const match of stderr.matchAll(/^(\w+) '([^']+)' listening on (\S+)/gm)) urls.set(`${match[1]} ${match[2]}`, match[3]);
      if (urls.size >= servers) resolve();
    });
    void exited.then((code) => reject(new Error(`naftiko serve exited with ${code} before listening:\n${stderr}`)));
  });
  return {
    child,
    urls,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
