/**
 * Schema validation results kept on disk, keyed by the file's content and this runtime's version, so
 * that a process loading a file it has seen before neither loads nor runs the schema validators (the
 * largest part of a cold `naftiko run`). What is kept is only the warnings of a file without errors:
 * positions and messages about keys, never a value from the file, never a secret. Deleting the
 * directory is always safe.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../errors.js';
import { packageVersion } from '../util/version.js';

/** Where validation results of one file's text are kept and found. */
export interface ValidationCache {
  /** The place of stage `stage`'s results for `text` (the text is hashed once, here). */
  entry(text: string, stage: string): ValidationCacheEntry;
}

/** One stage's results for one text. */
export interface ValidationCacheEntry {
  /** The diagnostics as they were found, placed in `file`, or undefined. */
  get(file: string): Diagnostic[] | undefined;
  /** Keeps the diagnostics, unless one is an error. */
  set(diagnostics: Diagnostic[]): void;
}

/** A cache in `dir`; problems reading or writing it only cost the time the cache would have saved. */
export function validationCache(dir: string): ValidationCache {
  const folder = join(dir, `validation-${packageVersion()}`);
  return {
    entry(text, stage) {
      const target = join(folder, `${createHash('sha256').update(stage).update('\0').update(text).digest('hex')}.json`);
      return {
        get(file) {
          try {
            const kept = JSON.parse(readFileSync(target, 'utf8')) as Array<Omit<Diagnostic, 'file'>>;
            return kept.map((d) => ({ ...d, file }));
          } catch {
            return undefined;
          }
        },
        set(diagnostics) {
          if (diagnostics.some((d) => d.severity === 'error')) return;
          try {
            mkdirSync(folder, { recursive: true });
            // Written aside, then renamed: a reader never sees half a file, whatever runs in parallel.
            const temporary = `${target}.${process.pid}.tmp`;
            writeFileSync(temporary, JSON.stringify(diagnostics.map(({ file: _file, ...d }) => d)));
            renameSync(temporary, target);
          } catch {
            // A read-only or full disk: the next load validates again.
          }
        },
      };
    },
  };
}
