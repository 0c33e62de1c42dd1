/**
 * Load cost of the same capabilities in both shapes of the format: Naftiko's named lists (read as they
 * are) and Ikanos' maps keyed by name (checked against the official beta5 schema, then normalized into
 * the same model). The official Shipyard tutorial exists in both (alpha3 and beta5, 11 steps and their
 * shared files); the other inputs are converted to beta5 with `convertDocument`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { convertDocument } from '../runtime/convert/convertDocument.js';
import { generateCapability, largestCorpusFile, measureLoad, type LoadFigure } from './load.js';
import { TUTORIALS, USERS_CAPABILITY } from './paths.js';

/** One input, loaded in each shape. */
export interface DialectLoad {
  label: string;
  naftiko: LoadFigure;
  ikanos: LoadFigure;
}

/** The step files of a tutorial (each loads the shared files it imports). */
export function tutorialSteps(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => /^step-\d+-.*\.yml$/.test(f))
    .map((f) => join(folder, f))
    .sort();
}

/**
 * Measures each input in both shapes, Naftiko first: the first Ikanos load of the process includes
 * loading the official schema's validator, which a process reading only Naftiko files never does.
 */
export function measureDialects(repeats: number): DialectLoad[] {
  const dir = mkdtempSync(join(tmpdir(), 'naftiko-bench-dialects-'));
  const toIkanos = (file: string, text = readFileSync(file, 'utf8')): string => {
    const converted = convertDocument(text, 'ikanos');
    if (!converted.ok) throw new Error(`${file} does not convert: ${converted.problems[0]?.message}`);
    const out = join(dir, basename(file).replace(/\.ya?ml$/, '.ikanos.yaml'));
    writeFileSync(out, converted.text);
    return out;
  };
  try {
    const generated = join(dir, 'generated-500.yaml');
    writeFileSync(generated, generateCapability(500));
    const largest = largestCorpusFile().file;
    const inputs: Array<[string, string[], string[]]> = [
      ['Shipyard tutorial, 11 steps (alpha3 / beta5, official)', tutorialSteps(TUTORIALS.naftiko), tutorialSteps(TUTORIALS.ikanos)],
      ['capabilities/vital-users.yaml (converted)', [USERS_CAPABILITY], [toIkanos(USERS_CAPABILITY)]],
      [`${basename(largest)} (converted)`, [largest], [toIkanos(largest)]],
      ['generated, 500 operations (converted)', [generated], [toIkanos(generated)]],
    ];
    const naftiko = inputs.map(([label, files]) => measureLoad(label, files, repeats));
    const ikanos = inputs.map(([label, , files]) => measureLoad(label, files, repeats));
    return inputs.map(([label], i) => ({ label, naftiko: naftiko[i], ikanos: ikanos[i] }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
