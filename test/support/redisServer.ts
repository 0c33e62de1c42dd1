/**
 * A real `redis-server` for the BullMQ tests: started by the test on a free loopback port, with its own
 * temporary directory and no persistence, and stopped (directory removed) afterwards. Nothing is
 * shared with a Redis the machine may already run.
 *
 * Without the binary the tests fail with a message naming the Debian package, unless
 * `NAFTIKO_SKIP_REDIS_TESTS=1` says to skip them (see the README).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.js';

/** Set to 1 to skip the suites that need `redis-server` (documented in the README). */
export const SKIP_REDIS = process.env.NAFTIKO_SKIP_REDIS_TESTS === '1';

/** A running `redis-server`. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

const MISSING = 'redis-server is not installed: the BullMQ tests need a real Redis. Install the Debian package redis-server (apt-get install -y redis-server), or set NAFTIKO_SKIP_REDIS_TESTS=1 to skip these tests.';

/** Starts `redis-server` on a free port of 127.0.0.1; a port taken in between is retried with another. */
export async function startRedisServer(): Promise<RedisServer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'naftiko-redis-'));
    try {
      const child = await launch(port, dir);
      return running(child, port, dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      lastError = error as Error;
      if (lastError.message === MISSING) throw lastError;
    }
  }
  throw lastError!;
}

/** Resolves once the server accepts connections; rejects if it exits first (port taken) or is missing. */
function launch(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes', '--logfile', ''];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`redis-server exited with ${code} before accepting connections:\n${output.slice(-2000)}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(MISSING) : error));
  });
}

function running(child: ChildProcess, port: number, dir: string): RedisServer {
  // Output is no longer read, but must still be drained or the server could block on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  // A test process that dies without stopping it must not leave the server holding a port.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        process.off('exit', orphan);
        let force: NodeJS.Timeout | undefined;
        const done = () => {
          clearTimeout(force);
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', done);
        child.kill('SIGTERM');
      });
      return stopped;
    },
  };
}
