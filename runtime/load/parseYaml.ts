/**
 * YAML → plain data, with the source position of every node. The `yaml` package's own `toJS` loses
 * positions and turns `!!omap` into a `Map`, so the AST is walked by hand instead.
 */
import type { LineCounter, Node, Pair, YAMLError } from 'yaml';
import { lazyModule } from '../util/lazyModule.js';

/** The `yaml` package, for what the fast path declines (anchors, tags, flow collections, errors). */
const yaml = lazyModule<typeof import('yaml')>('yaml');
import { SpecError } from '../errors.js';
import { parseYamlFast } from './fastYaml.js';
import { escapeToken } from '../util/jsonPointer.js';
import type { Diagnostic } from '../errors.js';
import type { SourceMap } from '../compile/plan.js';

/**
 * Smallest budget of nodes visited with aliases expanded; the budget grows with the text length, which no
 * alias-free document can exceed (every node takes a character). A "billion laughs" document (aliases of
 * aliases) would otherwise expand exponentially, in data and in validation time.
 */
const MIN_NODE_BUDGET = 100_000;

const OMAP_TAGS = new Set(['tag:yaml.org,2002:omap', 'tag:yaml.org,2002:pairs']);


class Walker {
  readonly positions: SourceMap = new Map();
  private readonly anchors = new Map<string, Node>();
  /** Anchored nodes currently being expanded through an alias, to catch self-reference. */
  private readonly expanding = new Set<Node>();
  /** Aliases expand into copies; their anchors must not shadow later redefinitions. */
  private inAlias = 0;
  private visited = 0;

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly budget: number,
  ) {}

  private record(pointer: string, node: { range?: [number, number, number] | null } | null | undefined): void {
    const offset = node?.range?.[0];
    if (offset === undefined) return;
    const { line, col } = this.lines.linePos(offset);
    this.positions.set(pointer, [line, col]);
  }

  private fail(message: string, pointer: string, node: { range?: [number, number, number] | null } | null | undefined): never {
    const offset = node?.range?.[0];
    const pos = offset === undefined ? { line: 0, col: 0 } : this.lines.linePos(offset);
    const diagnostic: Diagnostic = { severity: 'error', file: this.file, line: pos.line, col: pos.col, pointer, message };
    throw new SpecError(`${this.file}:${pos.line}:${pos.col}: ${message}`, [diagnostic]);
  }

  /** Converts `node` to plain data; its own position is recorded by the caller. */
  value(node: unknown, pointer: string): unknown {
    if (++this.visited > this.budget) {
      this.fail(`document too large: more than ${this.budget} nodes once aliases are expanded`, pointer, node as Node);
    }
    if (node === null || node === undefined) return null;
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor && this.inAlias === 0) this.anchors.set(anchor, node as Node);

    if (yaml().isScalar(node)) return node.value;
    if (yaml().isAlias(node)) return this.alias(node.source, pointer, node);
    if (yaml().isMap(node)) return this.pairs(node.items, pointer);
    if (yaml().isSeq(node)) {
      if (node.tag !== undefined && OMAP_TAGS.has(node.tag)) return this.pairs(node.items as Pair[], pointer);
      return node.items.map((item, index) => {
        const itemPointer = `${pointer}/${index}`;
        this.record(itemPointer, yaml().isPair(item) ? (item.key as Node) : (item as Node));
        // A flow sequence entry written `[a: 1]` is a single-pair map.
        return yaml().isPair(item) ? this.pairs([item], itemPointer) : this.value(item, itemPointer);
      });
    }
    return this.fail(`unsupported YAML node`, pointer, node as Node);
  }

  private alias(name: string, pointer: string, node: Node): unknown {
    const target = this.anchors.get(name);
    if (target === undefined) this.fail(`unknown alias '*${name}'`, pointer, node);
    if (this.expanding.has(target)) this.fail(`alias '*${name}' refers to itself`, pointer, node);
    this.expanding.add(target);
    this.inAlias++;
    try {
      // Positions inside the copy point at the anchored original, which is where an edit must happen.
      return this.value(target, pointer);
    } finally {
      this.inAlias--;
      this.expanding.delete(target);
    }
  }

  private pairs(items: Pair[], pointer: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pair of items) {
      const key = this.key(pair, pointer);
      const memberPointer = `${pointer}/${escapeToken(key)}`;
      this.record(memberPointer, (pair.key as Node | null) ?? (pair.value as Node | null));
      const value = this.value(pair.value, memberPointer);
      // Assigning `__proto__` would set the prototype instead of adding a key.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }

  private key(pair: Pair, pointer: string): string {
    const key = pair.key;
    if (key === null || key === undefined) return '';
    if (yaml().isScalar(key)) return key.value === null ? '' : String(key.value);
    if (yaml().isAlias(key)) {
      const resolved = this.anchors.get(key.source);
      if (yaml().isScalar(resolved)) return String(resolved.value);
    }
    return this.fail('map keys must be strings', pointer, key as Node);
  }
}

/** First line of a `yaml` error message, without the "at line N, column M" that we print ourselves. */
function yamlMessage(error: YAMLError): string {
  const first = error.message.split('\n', 1)[0];
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses one YAML document into plain JSON-like data and records where every node sits.
 *
 * Map members are keyed by the JSON pointer of the member and positioned at their key, sequence items
 * at the item. `!!omap` (and `!!pairs`) collections become plain objects; aliases are expanded into
 * copies whose positions are those of the anchored original.
 *
 * @param text - The YAML source.
 * @param file - File name used in messages and diagnostics.
 * @returns The data and a JSON pointer → 1-based `[line, col]` map (`''` is the root).
 * @throws SpecError when the text is not well-formed YAML, with one diagnostic per problem.
 */
export function parseYaml(text: string, file: string): { data: unknown; positions: SourceMap } {
  // Same result, several times faster, for the YAML capability files are written in (see fastYaml.ts).
  return parseYamlFast(text) ?? parseYamlFull(text, file);
}

/** `parseYaml` without the fast path: the `yaml` package's parser, for every YAML document. */
export function parseYamlFull(text: string, file: string): { data: unknown; positions: SourceMap } {
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const diagnostics: Diagnostic[] = doc.errors.map((error) => {
      const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      return { severity: 'error', file, line: pos.line, col: pos.col, pointer: '', message: yamlMessage(error) };
    });
    const first = diagnostics[0];
    throw new SpecError(`${file}:${first.line}:${first.col}: ${first.message}`, diagnostics);
  }
  const walker = new Walker(file, lineCounter, Math.max(MIN_NODE_BUDGET, text.length));
  const root = doc.contents as Node | null;
  const start = root?.range ? lineCounter.linePos(root.range[0]) : { line: 1, col: 1 };
  walker.positions.set('', [start.line, start.col]);
  const data = walker.value(root, '');
  return { data, positions: walker.positions };
}
