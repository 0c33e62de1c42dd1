/**
 * The validation cache: a process that loads a file a previous process validated neither loads nor
 * runs the schema validator, finds the same warnings, and the cache holds nothing but warnings of
 * files without errors.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { inspectCapability, loadCapability } from '../runtime/index.js';
import { ROOT } from './support/cli.js';

const USERS = join(ROOT, 'capabilities/vital-users.yaml');
const dirs: string[] = [];
const cacheDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'naftiko-cache-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Loads `file` in a fresh process of the built library; tells whether the precompiled validator was loaded. */
function loadInProcess(file: string, dir: string): { operations: number; warnings: number; validatorLoaded: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    const { loadCapability } = await import(${JSON.stringify(join(ROOT, 'dist/runtime/index.js'))});
    const capability = await loadCapability(${JSON.stringify(file)}, { cacheDir: ${JSON.stringify(dir)} });
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((m) => m.endsWith('capabilityValidator.cjs'));
    process.stdout.write(JSON.stringify({ operations: capability.operations.length, warnings: capability.warnings.length, validatorLoaded: loaded }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT }).toString('utf8'));
}

describe('the validation cache', () => {
  test('a second process skips the schema validator and finds the same warnings', () => {
    const dir = cacheDir();
    const first = loadInProcess(USERS, dir);
    const second = loadInProcess(USERS, dir);
    expect(first).toEqual({ operations: 19, warnings: 6, validatorLoaded: true });
    expect(second).toEqual({ ...first, validatorLoaded: false });
  });

  test('the warnings and their positions are the same with and without the cache', async () => {
    const dir = cacheDir();
    const plain = await loadCapability(USERS);
    await loadCapability(USERS, { cacheDir: dir });
    expect((await loadCapability(USERS, { cacheDir: dir })).warnings).toEqual(plain.warnings);
  });

  test('a file with an error is never kept, and a changed file is validated again', () => {
    const dir = cacheDir();
    const file = join(dir, 'capability.yaml');
    writeFileSync(file, 'naftiko: 1.0.0-alpha2\ncapability:\n  consumes:\n    - type: http\n      namespace: x\n      baseUri: http://127.0.0.1:1\n      resources:\n        - name: r\n          path: /r\n          operations:\n            - name: op\n              method: FETCH\n');
    expect(inspectCapability(file, { cacheDir: dir }).diagnostics.map((d) => d.severity)).toContain('error');
    expect(readdirSync(dir, { recursive: true })).toEqual(['capability.yaml']);
    writeFileSync(file, readFileSync(file, 'utf8').replace('FETCH', 'GET'));
    expect(inspectCapability(file, { cacheDir: dir }).capability).toBeDefined();
  });

  test('an unreadable or corrupt cache entry only costs the time it would have saved', async () => {
    const dir = cacheDir();
    await loadCapability(USERS, { cacheDir: dir });
    const folder = join(dir, readdirSync(dir)[0]);
    for (const entry of readdirSync(folder)) writeFileSync(join(folder, entry), '{ not json');
    expect((await loadCapability(USERS, { cacheDir: dir })).warnings).toHaveLength(6);
  });
});
