/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, server scenarios) against
 * `naftiko serve` of a capability whose tools, resources and prompts have the names the scenarios
 * call (test/fixtures/mcp-conformance/), once per requirement set: 2025-11-25 (initialize) and
 * 2026-07-28 (stateless). The suite exits 0 only if every required scenario passes, except those in
 * the revision's expected-failures file (what a capability cannot declare, see the README), and also
 * fails when a listed scenario starts passing, so the list cannot go stale.
 *
 * The suite needs Node 22; it and a Node 22 binary from the npm registry live in test/conformance/,
 * a package of their own installed by the root `npm ci` (`prepare`), so that its `node` never
 * shadows the project's Node 20.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { startScriptedServer, type ScriptedServer } from './support/scriptedServer.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const FIXTURES = join(ROOT, 'test/fixtures/mcp-conformance');
const RUNNER = join(ROOT, 'test/conformance');
const NODE22 = join(RUNNER, 'node_modules/.bin/node');
const SUITE = join(RUNNER, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');

vi.setConfig({ testTimeout: 240_000, hookTimeout: 60_000 });

let upstream: ScriptedServer;
let serve: ChildProcess;
let url: string;
let results: string;

beforeAll(async () => {
  if (!existsSync(NODE22) || !existsSync(SUITE)) {
    throw new Error(`the conformance suite is not installed in ${RUNNER}: run 'npm ci' (its prepare step runs 'npm run conformance:install')`);
  }
  results = mkdtempSync(join(tmpdir(), 'naftiko-conformance-'));
  // test_error_handling's consumed operation: every call fails, as the scenario wants.
  upstream = await startScriptedServer(({ res }) => {
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'This tool intentionally returns an error for testing' }));
  });
  serve = spawn(process.execPath, [CLI, 'serve', join(FIXTURES, 'conformance-tools.yaml'), '--port', '0', '--address', '127.0.0.1', '--base-uri', upstream.url], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    serve.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /mcp 'conformance-tools' listening on (\S+)/.exec(stderr);
      if (match) resolve(match[1]);
    });
    serve.once('exit', (code) => reject(new Error(`naftiko serve exited with ${code}: ${stderr}`)));
  });
});

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
  await upstream?.close();
  if (results) rmSync(results, { recursive: true, force: true });
});

/** Runs the suite on Node 22; resolves with its exit code and output. */
function conformance(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(NODE22, [SUITE, ...args], { cwd: results, timeout: 200_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('the official MCP conformance suite', () => {
  test('runs on a Node 22 of its own', async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(NODE22, ['--version'], (error, stdout) => resolve({ code: error ? 1 : 0, output: stdout })),
    );
    expect(code).toBe(0);
    expect(output).toMatch(/^v22\./);
  });

  test.each(['2025-11-25', '2026-07-28'])('every scenario the %s requirements set has, that a capability can serve, passes', async (revision) => {
    const { code, output } = await conformance(['server', '--url', url, '--requirements', revision, '--expected-failures', join(FIXTURES, `expected-failures-${revision}.yaml`), '-o', join(results, revision)]);
    expect(code, output.slice(output.indexOf('=== SUMMARY ==='))).toBe(0);
    expect(output).toContain('Baseline check passed: all failures are expected.');
    for (const scenario of ['tools-list', 'tools-call-simple-text', 'tools-call-error', 'resources-list', 'resources-read-text', 'prompts-list', 'prompts-get-simple', 'prompts-get-with-args', 'dns-rebinding-protection']) {
      expect(output, scenario).toMatch(new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`));
    }
  });
});
