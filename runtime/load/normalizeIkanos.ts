/**
 * Rewrites a map-shaped (Ikanos 1.0.0-alpha3 … beta5) document into the array shape the compiler reads
 * (Naftiko 1.0.0-alpha2), together with a positions map of the new document: every normalized node points
 * at the line and column of the node it came from, so later diagnostics still name the original file.
 *
 * | Ikanos | internal model |
 * | --- | --- |
 * | maps keyed by name (resources, operations, parameters, tools, steps, skills, prompts, arguments, flows, orchestrated outputs) | lists of objects with `name` |
 * | `display` | `label` |
 * | consumes import `{from, import, as}` | `{location, import, as}` (resolved by the loader) |
 * | exposes, aggregates and binds imports `{from, import, as}` | the imported entry, inlined |
 * | aggregate `flows` | `functions` |
 * | mapping `target` | `targetName` |
 * | `capability.binds` | root `binds` |
 * | a root `exposes`/`aggregates` section (shared file) | the same under `capability` |
 *
 * Everything else (binary content keys, `ttlMs`, `tunnel`, skills' `from: {sourceNamespace, action}`…)
 * is carried over as it is.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceMap } from '../compile/plan.js';
import { isObject } from '../util/isObject.js';
import { escapeToken as token } from '../util/jsonPointer.js';

type Raw = Record<string, unknown>;

/** A problem found while normalizing, at a pointer of the original document. */
export interface NormalizeProblem {
  severity: 'error' | 'warning';
  pointer: string;
  message: string;
}

/** Reads the entries of one section (`exposes`, `aggregates`, `binds`) of an imported file, already normalized, and that file's absolute path. */
export type SectionImporter = (location: string, section: 'exposes' | 'aggregates' | 'binds') => { entries: unknown[]; file: string } | { error: string };

/** The document in the array shape, its positions, and what normalizing it found. */
export interface NormalizedDocument {
  data: Raw;
  positions: TranslatedSourceMap;
  problems: NormalizeProblem[];
}

/** The version the normalized document declares: the grammar the compiler reads. */
export const INTERNAL_VERSION = '1.0.0-alpha2';


/** `file:///./shared/x.yaml` and `./shared/x.yaml` both name a file relative to the capability. */
function importLocation(from: string): string {
  if (!from.startsWith('file://')) return from;
  const path = decodeURIComponent(from.slice('file://'.length));
  return path.startsWith('/./') || path.startsWith('/../') ? path.slice(1) : path;
}

type Transform = (value: unknown, from: string, to: string) => unknown;

/**
 * Positions of the normalized document, answered from the original file's: a normalized pointer is
 * translated back through the few places where the structure changed (an item that was a map entry, a
 * renamed key), recorded while normalizing; everything below them kept its shape. No entry per node is
 * built, as with the parser's own lazy positions.
 */
class TranslatedSourceMap extends Map<string, [number, number]> {
  constructor(
    private readonly source: SourceMap,
    /** Normalized pointer → the original pointer it came from, at each change of structure. */
    private readonly moved: Map<string, string>,
  ) {
    super();
  }

  /** The original pointer of a normalized one. */
  original(pointer: string): string {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const from = this.moved.get(p);
      if (from !== undefined) return from + pointer.slice(p.length);
      if (p === '') return pointer;
    }
  }

  override get(pointer: string): [number, number] | undefined {
    return super.get(pointer) ?? this.source.get(this.original(pointer));
  }

  override has(pointer: string): boolean {
    return this.get(pointer) !== undefined;
  }
}

class Normalizer {
  readonly moved = new Map<string, string>();
  readonly positions: TranslatedSourceMap;
  readonly problems: NormalizeProblem[] = [];

  constructor(
    source: SourceMap,
    private readonly importer: SectionImporter | undefined,
  ) {
    this.positions = new TranslatedSourceMap(source, this.moved);
  }

  /** Records that the normalized node `to` is the original node `from`, where the structure changed. */
  private mark(to: string, from: string): void {
    if (this.positions.original(to) !== from) this.moved.set(to, from);
  }

  /** An unchanged subtree: shared with the original document, which nothing else holds. */
  copy(value: unknown, from: string, to: string): unknown {
    this.mark(to, from);
    return value;
  }

  /** An object with some keys renamed (`display` → `label` everywhere) and some values transformed. */
  object(value: unknown, from: string, to: string, transforms: Record<string, Transform> = {}, renames: Record<string, string> = {}): unknown {
    if (!isObject(value)) return this.copy(value, from, to);
    this.mark(to, from);
    const out: Raw = {};
    for (const [key, child] of Object.entries(value)) {
      const name = renames[key] ?? (key === 'display' ? 'label' : key);
      const childFrom = `${from}/${token(key)}`;
      const childTo = `${to}/${token(name)}`;
      if (name !== key) this.mark(childTo, childFrom);
      const result = transforms[key] ? transforms[key](child, childFrom, childTo) : child;
      // Assigning `__proto__` would set the prototype instead of adding a key.
      if (name === '__proto__') Object.defineProperty(out, name, { value: result, enumerable: true, writable: true, configurable: true });
      else out[name] = result;
    }
    return out;
  }

  /** A map keyed by name → a list of objects whose `name` is the key. A list (already the array shape) is kept. */
  named(value: unknown, from: string, to: string, item: Transform = (v, f, t) => this.object(v, f, t)): unknown {
    if (Array.isArray(value)) return value.map((entry, i) => item(entry, `${from}/${i}`, `${to}/${i}`));
    if (!isObject(value)) return this.copy(value, from, to);
    this.mark(to, from);
    return Object.entries(value).map(([name, entry], i) => {
      const entryFrom = `${from}/${token(name)}`;
      const entryTo = `${to}/${i}`;
      this.mark(entryTo, entryFrom);
      this.mark(`${entryTo}/name`, entryFrom);
      // `imo:` with nothing after it (an orchestrated output, a parameter) is an entry with only defaults.
      const body = item(entry ?? {}, entryFrom, entryTo);
      return isObject(body) ? { name, ...body } : body;
    });
  }

  document(data: Raw): Raw {
    const out: Raw = { naftiko: INTERNAL_VERSION };
    this.mark('/naftiko', 'ikanos' in data ? '/ikanos' : '/naftiko');
    const capability = isObject(data.capability) ? data.capability : undefined;
    const binds: unknown[] = [];
    this.binds(data.binds, '/binds', binds);
    for (const [key, value] of Object.entries(data)) {
      if (key === 'ikanos' || key === 'naftiko' || key === 'binds') continue;
      const from = `/${token(key)}`;
      if (key === 'info') out.info = this.object(value, from, '/info');
      else if (key === 'capability') out.capability = this.capability(value, from, '/capability', binds);
      else if (key === 'consumes') out.consumes = this.consumes(value, from, '/consumes');
      else if ((key === 'exposes' || key === 'aggregates') && !capability) {
        // A shared file holding only exposes or aggregates: the internal model keeps them under `capability`.
        const section = this.capability({ [key]: value }, '', '/capability', binds) as Raw;
        out.capability = { ...(isObject(out.capability) ? out.capability : {}), ...section };
      } else out[key] = this.copy(value, from, `/${token(key)}`);
    }
    if (binds.length > 0 || Array.isArray(data.binds)) out.binds = binds;
    return out;
  }

  /** Appends binds entries (inline, or imported from another file) to the root `binds` list. */
  private binds(value: unknown, from: string, binds: unknown[]): void {
    if (!Array.isArray(value)) return;
    if (binds.length === 0) this.mark('/binds', from);
    value.forEach((entry, i) => {
      binds.push(this.importable(entry, `${from}/${i}`, `/binds/${binds.length}`, 'binds', (b, bf, bt) => this.copy(b, bf, bt)));
    });
  }

  private list(value: unknown, from: string, to: string, item: Transform): unknown[] {
    if (!Array.isArray(value)) return [];
    this.mark(to, from);
    return value.map((entry, i) => item(entry, `${from}/${i}`, `${to}/${i}`));
  }

  private capability(value: unknown, from: string, to: string, binds: unknown[]): unknown {
    if (!isObject(value)) return this.copy(value, from, to);
    this.mark(to, from);
    const out: Raw = {};
    for (const [key, child] of Object.entries(value)) {
      const childFrom = `${from}/${token(key)}`;
      if (key === 'binds') {
        // The compiler reads binds at the root; `capability.binds` (beta) joins them there.
        this.binds(child, childFrom, binds);
        continue;
      }
      const childTo = `${to}/${token(key)}`;
      this.mark(childTo, childFrom);
      if (key === 'consumes') out.consumes = this.consumes(child, childFrom, childTo);
      else if (key === 'exposes') out.exposes = this.list(child, childFrom, childTo, (v, f, t) => this.importable(v, f, t, 'exposes', (e, ef, et) => this.expose(e, ef, et)));
      else if (key === 'aggregates') out.aggregates = this.list(child, childFrom, childTo, (v, f, t) => this.importable(v, f, t, 'aggregates', (a, af, at) => this.aggregate(a, af, at)));
      else out[key] = this.copy(child, childFrom, childTo);
    }
    return out;
  }

  private consumes(value: unknown, from: string, to: string): unknown {
    return this.list(value, from, to, (entry, f, t) => {
      if (isObject(entry) && typeof entry.from === 'string') {
        // The loader resolves consumes imports itself (and normalizes the imported file).
        const location = importLocation(entry.from);
        const out = this.object(entry, f, t, { from: () => location }, { from: 'location' }) as Raw;
        return out;
      }
      return this.object(entry, f, t, {
        inputParameters: (v, vf, vt) => this.named(v, vf, vt),
        resources: (v, vf, vt) => this.named(v, vf, vt, (r, rf, rt) => this.consumedResource(r, rf, rt)),
        tunnel: (v, vf, vt) => {
          this.problems.push({ severity: 'warning', pointer: vf, message: 'tunnel (OpenZiti) is NOT_SUPPORTED by this runtime: requests go straight to the baseUri' });
          return this.copy(v, vf, vt);
        },
      });
    });
  }

  private consumedResource(value: unknown, from: string, to: string): unknown {
    return this.object(value, from, to, {
      inputParameters: (v, f, t) => this.named(v, f, t),
      operations: (v, f, t) =>
        this.named(v, f, t, (o, of, ot) =>
          this.object(o, of, ot, {
            inputParameters: (p, pf, pt) => this.named(p, pf, pt),
            outputParameters: (p, pf, pt) => this.named(p, pf, pt),
          }),
        ),
    });
  }

  /** An exposes, aggregates or binds entry, or an import of one from another file, inlined. */
  private importable(value: unknown, from: string, to: string, section: 'exposes' | 'aggregates' | 'binds', inline: Transform): unknown {
    if (!isObject(value) || typeof value.from !== 'string') return inline(value, from, to);
    const name = typeof value.import === 'string' ? value.import : undefined;
    const resolved = this.importer?.(importLocation(value.from), section) ?? { error: 'imports are not resolved here' };
    if ('error' in resolved) {
      this.problems.push({ severity: 'error', pointer: `${from}/from`, message: `${section} import '${name ?? value.from}' cannot be resolved: ${resolved.error}` });
      return {};
    }
    const named = resolved.entries.filter(isObject);
    const found = name === undefined && named.length === 1 ? named[0] : named.find((e) => e.namespace === name);
    if (!found) {
      const available = named.map((e) => `'${String(e.namespace)}'`).join(', ') || 'none';
      this.problems.push({ severity: 'error', pointer: `${from}/import`, message: `${section} import '${name}' cannot be resolved: ${value.from} has no ${section} namespace '${name}' (it has ${available})` });
      return {};
    }
    // The inlined entry is another file's: its nodes are placed at the import that brought them in.
    const entry = { ...found };
    if (typeof value.as === 'string') entry.namespace = value.as;
    // A bind file is named relative to the file that declares it, not the one that imports it.
    if (section === 'binds' && typeof entry.location === 'string' && entry.location.startsWith('file://')) {
      const path = importLocation(entry.location);
      if (!isAbsolute(path)) entry.location = pathToFileURL(resolve(dirname(resolved.file), path)).href;
    }
    this.moved.set(to, from);
    return entry;
  }

  private expose(value: unknown, from: string, to: string): unknown {
    return this.object(value, from, to, {
      resources: (v, f, t) => (isObject(value) && value.type === 'mcp' ? this.named(v, f, t, (r, rf, rt) => this.invocable(r, rf, rt)) : this.named(v, f, t, (r, rf, rt) => this.exposedResource(r, rf, rt))),
      tools: (v, f, t) => this.named(v, f, t, (tool, tf, tt) => this.invocable(tool, tf, tt)),
      prompts: (v, f, t) => this.named(v, f, t, (p, pf, pt) => this.object(p, pf, pt, { arguments: (a, af, at) => this.named(a, af, at) })),
      skills: (v, f, t) => this.named(v, f, t, (s, sf, st) => this.object(s, sf, st, { tools: (tools, tf, tt) => this.named(tools, tf, tt) })),
    });
  }

  private exposedResource(value: unknown, from: string, to: string): unknown {
    return this.object(value, from, to, {
      inputParameters: (v, f, t) => this.named(v, f, t),
      operations: (v, f, t) => this.named(v, f, t, (o, of, ot) => this.invocable(o, of, ot)),
    });
  }

  private aggregate(value: unknown, from: string, to: string): unknown {
    return this.object(value, from, to, { flows: (v, f, t) => this.named(v, f, t, (fn, ff, ft) => this.invocable(fn, ff, ft)) }, { flows: 'functions' });
  }

  /** A REST operation, MCP tool or resource, or aggregate flow: anything that calls, orchestrates or mocks. */
  private invocable(value: unknown, from: string, to: string): unknown {
    return this.object(value, from, to, {
      inputParameters: (v, f, t) => this.named(v, f, t),
      steps: (v, f, t) => this.named(v, f, t),
      mappings: (v, f, t) => this.list(v, f, t, (m, mf, mt) => this.object(m, mf, mt, {}, { target: 'targetName' })),
      // A list is the mapped (call) form, unchanged; a map names orchestrated or mock outputs.
      outputParameters: (v, f, t) => (isObject(v) ? this.named(v, f, t, (o, of, ot) => this.namedOutput(o, of, ot)) : this.copy(v, f, t)),
    });
  }

  /** An orchestrated or mock output: its `items` name the fields of each element, as a map. */
  private namedOutput(value: unknown, from: string, to: string): unknown {
    return this.object(value, from, to, {
      items: (v, f, t) => (isObject(v) && !('type' in v && typeof v.type === 'string') ? this.named(v, f, t, (o, of, ot) => this.namedOutput(o, of, ot)) : this.copy(v, f, t)),
      properties: (v, f, t) => (isObject(v) ? this.namedMap(v, f, t) : this.copy(v, f, t)),
    });
  }

  private namedMap(value: Raw, from: string, to: string): Raw {
    this.mark(to, from);
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, this.namedOutput(child ?? {}, `${from}/${token(key)}`, `${to}/${token(key)}`)]));
  }
}

/**
 * Normalizes a map-shaped document into the array shape.
 *
 * @param data - The parsed Ikanos document (its version already recognised by `detectDialect`).
 * @param positions - Its positions, from `parseYaml`.
 * @param importer - Reads the section of another file that an exposes/aggregates/binds import names.
 * @returns The array-shaped document, a positions map for it (pointing into the original file), and the
 *   problems found (unresolvable imports, unsupported `tunnel`), at pointers of the original document.
 */
export function normalizeIkanos(data: Raw, positions: SourceMap, importer?: SectionImporter): NormalizedDocument {
  const normalizer = new Normalizer(positions, importer);
  const out = normalizer.document(data);
  return { data: out, positions: normalizer.positions, problems: normalizer.problems };
}
