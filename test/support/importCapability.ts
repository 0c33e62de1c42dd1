import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectCapability, type Capability, type Diagnostic } from '../../runtime/index.js';
import { importOpenApi, type ImportOptions, type ImportResult } from '../../runtime/openapi/index.js';

/** An imported capability, written to a temporary file and loaded back as users would. */
export interface Imported {
  result: ImportResult;
  file: string;
  capability: Capability;
  /** Everything `naftiko validate` would print for the file. */
  diagnostics: Diagnostic[];
}

const folder = mkdtempSync(join(tmpdir(), 'naftiko-openapi-'));
let count = 0;

/** Imports `source` (a fixture path or URL), writes the YAML and loads it; fails the test if it does not load. */
export async function importCapability(source: string, options: ImportOptions = {}): Promise<Imported> {
  const result = await importOpenApi(source, options);
  const file = join(folder, `imported-${++count}.yaml`);
  writeFileSync(file, result.yaml);
  const { capability, diagnostics } = inspectCapability(file);
  if (!capability) throw new Error(`the imported capability does not load:\n${diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join('\n')}`);
  return { result, file, capability, diagnostics };
}

/** Path of a file in test/fixtures. */
export function fixture(path: string): string {
  return new URL(`../fixtures/${path}`, import.meta.url).pathname;
}
