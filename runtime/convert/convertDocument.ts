/**
 * Rewrites a capability document from one shape of the format to the other, on the `yaml` library's
 * document tree rather than on plain data, so comments, key order, quoting and flow style survive:
 *
 * - to Ikanos (`ikanos: "1.0.0-beta5"`): named lists become maps keyed by name, `label` → `display`,
 *   consumes imports `location` → `from`, aggregate `functions` → `flows`, mapping `targetName` → `target`;
 * - to Naftiko (`naftiko: "1.0.0-alpha2"`): the reverse, refused (with every reason, at its line) when
 *   the document uses something alpha2 cannot say: `tunnel`, binary content, MCP caching, `info.version`,
 *   exposes/aggregates/binds imports, a file holding only exposes, aggregates or binds.
 *
 * Keys this runtime reads beyond either grammar (the generated dialect's `auth`, typed parameters…)
 * are carried over as they are.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, Pair, parseDocument, Scalar, visit, YAMLMap, YAMLSeq } from 'yaml';
import type { Document, Node } from 'yaml';
import { NEWEST } from '../internal.js';
import { UniqueNames } from '../util/uniqueNames.js';

/** The dialect to convert to. */
export type ConvertTarget = 'ikanos' | 'naftiko';

/** A reason the document cannot be converted, at its line and column. */
export interface ConvertProblem {
  line: number;
  col: number;
  message: string;
}

/** Result of {@link convertDocument}: the converted text, or why there is none. */
export type Converted = { ok: true; text: string; from: 'naftiko' | 'ikanos'; notes: ConvertProblem[] } | { ok: false; problems: ConvertProblem[] };

/** The version written by each conversion: the grammar the runtime's two models are read with. */
const TARGET_VERSION: Record<ConvertTarget, string> = { ikanos: NEWEST.ikanos, naftiko: '1.0.0-alpha2' };

type Context = 'root' | 'capability' | 'consumes' | 'resource' | 'consumedOperation' | 'expose' | 'exposedResource' | 'unit' | 'prompt' | 'skill' | 'aggregate' | 'output' | 'plain';

/** Named collections of each kind of object, and the kind of their items. */
const NAMED: Partial<Record<Context, Record<string, Context>>> = {
  consumes: { inputParameters: 'plain', resources: 'resource' },
  resource: { inputParameters: 'plain', operations: 'consumedOperation' },
  consumedOperation: { inputParameters: 'plain', outputParameters: 'plain' },
  expose: { tools: 'unit', prompts: 'prompt', skills: 'skill' },
  exposedResource: { inputParameters: 'plain', operations: 'unit' },
  unit: { inputParameters: 'plain', steps: 'plain' },
  prompt: { arguments: 'plain' },
  skill: { tools: 'plain' },
  aggregate: { functions: 'unit', flows: 'unit' },
};

/** What alpha2 cannot say, by key, wherever it appears. */
const IKANOS_ONLY = new Map([
  ['tunnel', 'tunnel (OpenZiti)'],
  ['outputMediaType', 'binary content (outputMediaType)'],
  ['maxBinarySize', 'binary content (maxBinarySize)'],
  ['responses', 'REST responses'],
  ['responseBinary', 'REST responseBinary'],
  ['ttlMs', 'MCP caching (ttlMs)'],
  ['cacheScope', 'MCP caching (cacheScope)'],
]);

class Converter {
  readonly problems: ConvertProblem[] = [];
  readonly notes: ConvertProblem[] = [];

  constructor(
    private readonly to: ConvertTarget,
    private readonly lines: LineCounter,
  ) {}

  private problem(node: Node | Pair | null | undefined, message: string): void {
    this.problems.push({ ...this.at(node), message });
  }

  private note(node: Node | Pair | null | undefined, message: string): void {
    this.notes.push({ ...this.at(node), message });
  }

  /** Where a node (a pair: its key) starts in the source. */
  private at(node: Node | Pair | null | undefined): { line: number; col: number } {
    const offset = (isPair(node) ? (node.key as Node | null) : node)?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  private key(pair: Pair): string {
    return isScalar(pair.key) ? String(pair.key.value) : '';
  }

  /** Renames a key between its Naftiko and its Ikanos name, toward the target. */
  private rename(pair: Pair, naftiko: string, ikanos: string): void {
    const [from, to] = this.to === 'ikanos' ? [naftiko, ikanos] : [ikanos, naftiko];
    if (isScalar(pair.key) && pair.key.value === from) pair.key.value = to;
  }

  /** Applies the renames of one object, then converts its children by context. */
  object(node: unknown, context: Context): void {
    if (!isMap(node)) return;
    const map = node;
    for (const pair of map.items) {
      const key = this.key(pair);
      if (this.to === 'naftiko' && IKANOS_ONLY.has(key) && context !== 'plain') this.problem(pair, `${IKANOS_ONLY.get(key)} has no Naftiko alpha2 equivalent`);
      if (this.to === 'naftiko' && context === 'root' && key === 'info' && isMap(pair.value) && pair.value.has('version')) this.problem(pair.value.items.find((p) => this.key(p) === 'version'), 'info.version has no Naftiko alpha2 equivalent');
      // Renamed in every object of the format.
      this.rename(pair, 'label', 'display');
    }
    const named = NAMED[context] ?? {};
    for (const pair of map.items) {
      const key = this.key(pair);
      if (context === 'root' || context === 'capability') this.section(pair, context);
      else if (context === 'expose' && key === 'resources') pair.value = this.named(pair.value, map.get('type') === 'mcp' ? 'unit' : 'exposedResource');
      else if (context === 'unit' && key === 'outputParameters') this.outputs(pair, map);
      else if (context === 'unit' && key === 'mappings' && isSeq(pair.value)) for (const item of pair.value.items) this.mapping(item);
      else if (context === 'output' && key === 'items') this.outputItems(pair);
      else if (context === 'output' && key === 'properties' && isMap(pair.value)) for (const p of pair.value.items) this.object(p.value, 'output');
      else if (named[key]) pair.value = this.named(pair.value, named[key]);
      if (context === 'aggregate') this.rename(pair, 'functions', 'flows');
    }
  }

  /** The root or `capability`: the version key, `info`, and the sections. */
  private section(pair: Pair, context: 'root' | 'capability'): void {
    const key = this.key(pair);
    if (key === 'info') this.object(pair.value, 'plain');
    else if (key === 'capability') this.object(pair.value, 'capability');
    else if (key === 'consumes' && isSeq(pair.value)) for (const entry of pair.value.items) this.consumesEntry(entry);
    else if ((key === 'exposes' || key === 'aggregates' || key === 'binds') && isSeq(pair.value)) {
      if (this.to === 'naftiko' && context === 'root' && key !== 'binds') this.problem(pair, `a file holding only '${key}' has no Naftiko alpha2 equivalent`);
      for (const entry of pair.value.items) {
        if (isMap(entry) && entry.has('from')) {
          if (this.to === 'naftiko') this.problem(entry, `${key} imports ('from') have no Naftiko alpha2 equivalent`);
        } else if (key !== 'binds') this.object(entry, key === 'exposes' ? 'expose' : 'aggregate');
      }
    }
  }

  private consumesEntry(entry: unknown): void {
    if (!isMap(entry)) return;
    if (entry.has('import')) {
      for (const pair of entry.items) this.rename(pair, 'location', 'from');
      return;
    }
    this.object(entry, 'consumes');
  }

  private mapping(item: unknown): void {
    if (!isMap(item)) return;
    for (const pair of item.items) this.rename(pair, 'targetName', 'target');
  }

  /** A unit's outputs: a list is the mapped (call) form in both shapes; orchestrated and mock outputs are named. */
  private outputs(pair: Pair, unit: YAMLMap): void {
    // Orchestrated and mock outputs are named; a list of unnamed outputs is the mapped form, whatever the unit does.
    const orchestrated = (unit.has('steps') || (!unit.has('call') && !unit.has('ref'))) && isSeq(pair.value) && pair.value.items.every((item) => isMap(item) && item.has('name'));
    if (this.to === 'ikanos' ? orchestrated : isMap(pair.value)) pair.value = this.named(pair.value, 'output');
    else if (isSeq(pair.value)) for (const item of pair.value.items) this.mappedOutput(item);
  }

  /** Mapped outputs keep their shape; only their renames apply, all the way down. */
  private mappedOutput(node: unknown): void {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      this.rename(pair, 'label', 'display');
      const key = this.key(pair);
      if (key === 'items') this.mappedOutput(pair.value);
      else if (key === 'properties' && isMap(pair.value)) for (const p of pair.value.items) this.mappedOutput(p.value);
    }
  }

  /** An orchestrated output's `items`: a list of named fields (Naftiko) or a map of them (Ikanos). */
  private outputItems(pair: Pair): void {
    if (this.to === 'ikanos' ? isSeq(pair.value) : isMap(pair.value)) pair.value = this.named(pair.value, 'output');
    else this.object(pair.value, 'output');
  }

  /** A named collection, converted to the target shape; its items are converted as `context`. */
  private named(value: unknown, context: Context): unknown {
    if (this.to === 'ikanos' && isSeq(value)) return this.toMap(value, context);
    if (this.to === 'naftiko' && isMap(value)) return this.toSeq(value, context);
    // Already in the target shape: only its items are converted.
    if (isMap(value)) for (const pair of value.items) this.object(pair.value, context);
    else if (isSeq(value)) for (const item of value.items) this.object(item, context);
    return value;
  }

  private toMap(seq: YAMLSeq, context: Context): YAMLMap | YAMLSeq {
    const map = new YAMLMap();
    map.flow = seq.flow;
    map.commentBefore = seq.commentBefore;
    map.comment = seq.comment;
    const names = new UniqueNames();
    for (const item of seq.items) {
      if (!isMap(item)) {
        this.problem(item as Node, 'a list item that is not an object cannot be keyed by name');
        continue;
      }
      const namePair = item.items.find((p) => this.key(p) === 'name');
      let key: Scalar | undefined = namePair && isScalar(namePair.value) ? (namePair.value as Scalar) : undefined;
      // A tool that reuses an aggregate function (`ref: aggregate.function`) takes the function's name.
      if (!key && isScalar(item.get('ref', true))) {
        key = new Scalar(String(item.get('ref')).split('.').pop());
        this.note(item, `an item without a name is keyed '${String(key.value)}', after the function it reuses`);
      }
      // Exposed resources may have no name in alpha2: their path names them.
      if (!key && (context === 'exposedResource' || context === 'resource') && typeof item.get('path') === 'string') {
        const fromPath = String(item.get('path')).replace(/[{}]/g, '').split('/').filter(Boolean).join('-') || 'root';
        key = new Scalar(fromPath);
        this.note(item, `a resource without a name is keyed '${fromPath}', after its path`);
      }
      // So may REST operations: their method names them.
      if (!key && context === 'unit' && typeof item.get('method') === 'string') {
        key = new Scalar(String(item.get('method')).toLowerCase());
        this.note(item, `an operation without a name is keyed '${String(key.value)}', after its method`);
      }
      if (!key || key.value === null || key.value === '') {
        this.problem(item, 'an item without a name cannot be keyed by name');
        continue;
      }
      const written = String(key.value);
      const name = names.take(written);
      // Real files repeat names in one list (generated names cut at a length); a map cannot hold both.
      if (name !== written) this.note(namePair ?? item, `'${written}' is named twice in one list: the second one is keyed '${name}'`);
      if (namePair) item.items.splice(item.items.indexOf(namePair), 1);
      this.object(item, context);
      const entryKey = new Scalar(name);
      // A comment above `- name: x` belongs to the item or to its `name` key, depending on the layout.
      const above = [item.commentBefore, isScalar(namePair?.key) ? namePair.key.commentBefore : undefined].filter((c): c is string => typeof c === 'string' && c !== '');
      if (above.length > 0) entryKey.commentBefore = above.join('\n');
      item.commentBefore = undefined;
      entryKey.comment = key.comment;
      map.items.push(new Pair(entryKey, item.items.length > 0 ? item : null));
    }
    return this.problems.length > 0 ? seq : map;
  }

  private toSeq(map: YAMLMap, context: Context): YAMLSeq {
    const seq = new YAMLSeq();
    seq.flow = map.flow;
    seq.commentBefore = map.commentBefore;
    seq.comment = map.comment;
    for (const pair of map.items) {
      const body = isMap(pair.value) ? pair.value : new YAMLMap();
      const name = isScalar(pair.key) ? (pair.key as Scalar) : new Scalar(String(pair.key));
      const namePair = new Pair(new Scalar('name'), new Scalar(name.value));
      (namePair.value as Scalar).comment = name.comment;
      body.items.unshift(namePair);
      body.commentBefore = name.commentBefore ?? undefined;
      this.object(body, context);
      seq.items.push(body);
    }
    return seq;
  }
}

function versionPair(doc: Document): Pair | undefined {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  return root.items.find((p) => isScalar(p.key) && (p.key.value === 'naftiko' || p.key.value === 'ikanos'));
}

/**
 * Converts a capability document to the other shape of the format.
 *
 * @param text - The YAML source of a Naftiko (array-shaped) or Ikanos (map-shaped) document.
 * @param to - `ikanos` (writes `ikanos: "1.0.0-beta5"`) or `naftiko` (writes `naftiko: "1.0.0-alpha2"`).
 * @returns The converted YAML text with its comments and notes on what was renamed (names repeated in
 *   one list get a `-2` suffix), or every reason it cannot be converted.
 */
export function convertDocument(text: string, to: ConvertTarget): Converted {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ ...(e.linePos?.[0] ?? { line: 0, col: 0 }), message: e.message.split('\n')[0] })) };
  }
  // Generated files write `!!omap` (a list of one-key maps): the same ordered map, written plainly.
  visit(doc, {
    Seq(_, seq) {
      if (seq.tag !== 'tag:yaml.org,2002:omap' && seq.tag !== '!!omap') return undefined;
      const map = new YAMLMap();
      map.commentBefore = seq.commentBefore;
      map.comment = seq.comment;
      // The yaml library reads `!!omap` items as pairs; other readers see one-key maps.
      for (const item of seq.items as unknown[]) {
        if (isPair(item)) map.items.push(item);
        else if (isMap(item)) map.items.push(...item.items);
      }
      return map;
    },
  });
  const version = versionPair(doc);
  if (!version) return { ok: false, problems: [{ line: 1, col: 1, message: "not a capability: no 'naftiko' or 'ikanos' version key" }] };
  const from = (version.key as Scalar).value as 'naftiko' | 'ikanos';
  // Moving items between lists and maps can put an alias before its anchor: aliases become copies.
  visit(doc, {
    Alias(_, alias) {
      const copy = (alias.resolve(doc) as Node).clone() as Node;
      copy.anchor = undefined;
      return copy;
    },
  });
  const converter = new Converter(to, lines);
  converter.object(doc.contents, 'root');
  if (converter.problems.length > 0) return { ok: false, problems: converter.problems.sort((a, b) => a.line - b.line || a.col - b.col) };
  (version.key as Scalar).value = to;
  const value = new Scalar(TARGET_VERSION[to]);
  value.type = Scalar.QUOTE_DOUBLE;
  value.comment = isScalar(version.value) ? version.value.comment : undefined;
  version.value = value;
  return { ok: true, from, notes: converter.notes, text: doc.toString({ lineWidth: 0 }) };
}
