/**
 * Reading a capability: the file and the files it names (imports, bind key files), each parsed with
 * source positions and validated, then handed to the compiler.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError, formatDiagnostic } from '../errors.js';
import type { Capability } from '../types.js';
import { isObject } from '../util/isObject.js';
import { resolveFileLocation } from '../util/fileLocation.js';
import { lazyModule } from '../util/lazyModule.js';

/** The `yaml` package, for bind key files only. */
const yaml = lazyModule<typeof import('yaml')>('yaml');
import { DiagnosticSink } from '../compile/diagnostics.js';
import { compileCapability, type Inspection, type SourceFile, type SourceReader } from '../compile/compileCapability.js';
import { parseYaml } from './parseYaml.js';
import { readSourceFile } from './readSourceFile.js';
import { validationCache, type ValidationCache } from './validationCache.js';
import { readDocument } from './readDocument.js';
import type { SectionImporter } from './normalizeIkanos.js';

export type { Inspection };

/** Options of {@link loadCapability} and {@link inspectCapability}. */
export interface LoadOptions {
  /**
   * A directory where schema validation results are kept by content hash (only warnings of files
   * without errors: no value from a file, no secret), so that a later process loading the same file
   * skips loading and running the validators. Off by default in the library; `naftiko` uses
   * `$NAFTIKO_CACHE_DIR`, else `~/.cache/naftiko` (`NAFTIKO_CACHE_DIR=off` turns it off).
   */
  cacheDir?: string;
}

/**
 * Reads, validates and compiles a capability file and the files it imports. Throws `SpecError`
 * (code SPEC_INVALID) listing every error as `file:line:col: message`; warnings are kept on the
 * returned capability.
 */
export async function loadCapability(path: string | URL, options: LoadOptions = {}): Promise<Capability> {
  const { capability, diagnostics } = inspectCapability(path, options);
  if (capability) return capability;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const shown = errors.slice(0, 10).map(formatDiagnostic).join('\n');
  const more = errors.length > 10 ? `\n… and ${errors.length - 10} more` : '';
  throw new SpecError(`${errors.length === 1 ? 'invalid capability' : `invalid capability (${errors.length} errors)`}:\n${shown}${more}`, diagnostics);
}

/** Like `loadCapability`, but returns the diagnostics instead of throwing (for `naftiko validate`). */
export function inspectCapability(path: string | URL, options: LoadOptions = {}): Inspection {
  const file = resolve(typeof path === 'string' ? path : fileURLToPath(path));
  const reader = createSourceReader(options.cacheDir === undefined ? undefined : validationCache(options.cacheDir));
  return compileCapability(reader.read(file), reader);
}

/** A reader that reads each file once. */
function createSourceReader(cache: ValidationCache | undefined): SourceReader {
  const files = new Map<string, SourceFile>();
  const read = (file: string): SourceFile => {
    let source = files.get(file);
    if (source === undefined) {
      // Unusable while it is being read: a file that imports itself, directly or not, finds it so.
      files.set(file, { file, data: {}, sink: new DiagnosticSink(file, new Map()), ok: false });
      source = readCapabilityFile(file, (location, section) => importSection(resolve(dirname(file), location), section, read), cache);
      files.set(file, source);
    }
    return source;
  };
  return { read, files: () => [...files.values()], readBindFile };
}

/** The entries of one section of an imported file (Ikanos exposes/aggregates/binds imports). */
function importSection(target: string, section: 'exposes' | 'aggregates' | 'binds', read: (file: string) => SourceFile): ReturnType<SectionImporter> {
  const imported = read(target);
  if (!imported.ok) return { error: `${target}: ${imported.sink.list.find((d) => d.severity === 'error')?.message ?? 'imports itself'}` };
  const capability = isObject(imported.data.capability) ? imported.data.capability : {};
  const entries = section === 'binds' ? imported.data.binds : capability[section];
  return { entries: Array.isArray(entries) ? entries : [], file: target };
}

function readCapabilityFile(file: string, importSectionOf: SectionImporter, cache: ValidationCache | undefined): SourceFile {
  const emptySink = new DiagnosticSink(file, new Map());
  const failed: SourceFile = { file, data: {}, sink: emptySink, ok: false };
  let text: string;
  try {
    text = readSourceFile(file);
  } catch (error) {
    emptySink.error('', `cannot read capability file: ${(error as Error).message}`);
    return failed;
  }
  let parsed: ReturnType<typeof parseYaml>;
  try {
    parsed = parseYaml(text, file);
  } catch (error) {
    if (error instanceof SpecError) emptySink.list.push(...error.diagnostics);
    else emptySink.error('', (error as Error).message);
    return failed;
  }
  // Dialect stage: every version is read into one model (the array shape), positions still in this file.
  const read = readDocument(parsed.data, parsed.positions, file, importSectionOf, cache && { cache, text });
  const sink = new DiagnosticSink(file, read.positions);
  sink.list.push(...read.diagnostics);
  const data = isObject(read.data) ? read.data : {};
  if (!isObject(read.data) && !sink.hasErrors) sink.error('', 'a capability file must be a YAML map');
  return { file, data, sink, ok: isObject(read.data) && !sink.hasErrors };
}

/** Reads a flat YAML/JSON key file named by a `file://` location, relative to the capability. */
function readBindFile(location: string, base: string, pointer: string, sink: DiagnosticSink): Record<string, string> {
  const full = resolveFileLocation(location, base);
  if (full === undefined) {
    sink.warn(pointer, `bind location '${location}' is not a file:// URI; its keys are read from the environment instead`);
    return {};
  }
  try {
    const data: unknown = yaml().parse(readSourceFile(full));
    if (!isObject(data)) throw new Error('it is not a map of keys to values');
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  } catch (error) {
    sink.warn(pointer, `bind file ${full} cannot be read (${(error as Error).message.split('\n')[0]}); its secrets will be reported missing`);
    return {};
  }
}
