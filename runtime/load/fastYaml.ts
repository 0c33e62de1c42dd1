/**
 * A fast path for the YAML that capability files are written in: block mappings and sequences, plain,
 * quoted and block (`|`, `|-`, `>`, `>-`) scalars, one-line flow collections and comments. It gives
 * exactly what the full parser in parseYaml.ts gives (same data, same positions), several times faster,
 * because it builds no syntax tree: loading is dominated by YAML parsing, and real files are large
 * (the biggest in the corpus has 170 operations in 236 KB).
 *
 * Whatever it does not handle with certainty — anchors, aliases, tags, explicit keys, multi-line flow
 * collections, tabs, CR line ends, duplicate keys, anything the full parser would report as an error —
 * makes it return `undefined`, and the full parser takes the document from the start. It never reports
 * an error itself, so diagnostics always come from the full parser.
 */
import type { SourceMap } from '../compile/plan.js';
import { escapeToken, unescapeToken } from '../util/jsonPointer.js';

/** The parsed data and positions, or `undefined` when the document needs the full parser. */
export function parseYamlFast(text: string): { data: unknown; positions: SourceMap } | undefined {
  // Characters whose handling differs between YAML versions or that the full parser may reject.
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  try {
    return new FastParser(text).document();
  } catch (error) {
    if (error === BAIL) return undefined;
    throw error;
  }
}

const UNSUPPORTED_CHARS = /[\0-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;
/** Thrown (and caught above) wherever the document leaves the supported subset. */
const BAIL: unique symbol = Symbol('bail');
/** Characters a plain scalar cannot start with (or that start something this parser leaves alone). */
const NOT_PLAIN_START = new Set(['#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '[', ']', '{', '}', ',']);
/** First characters of every plain scalar that is null, a boolean or a number (`''` is null). */
const MAYBE_NOT_STRING = /^(?:$|[-+.~0-9nNtTfF])/;
const FLOW_STOP = new Set([',', '[', ']', '{', '}']);
const MAX_KEY_LENGTH = 1000;
/** Positions are packed as `line * COLUMNS + column` (both 1-based). */
const COLUMNS = 2 ** 24;

function bail(): never {
  throw BAIL;
}

/** Positions of the members of one mapping (at their keys) or the items of one sequence, and of their children. */
interface Holder {
  /** Member keys, in document order; undefined for a sequence. */
  keys: string[] | undefined;
  /** Packed position of each member or item. */
  at: number[];
  /** Positions inside each member or item that is itself a collection. */
  kids: Array<Holder | undefined>;
}

function holder(isMap: boolean): Holder {
  return { keys: isMap ? [] : undefined, at: [], kids: [] };
}

/**
 * The JSON pointer → position map of a document, answered from the positions the parser recorded per
 * collection rather than from one entry per node: building a pointer string and a map entry for each
 * of the 130,000 nodes of a 5,000-operation file cost more than parsing it, and positions are only
 * read for the few nodes a diagnostic or a source reference names. Iterating, `size` and any change
 * build the ordinary map first.
 */
export class LazySourceMap extends Map<string, [number, number]> {
  readonly #root: number;
  #tree: Holder | undefined;

  constructor(root: number, tree: Holder) {
    super();
    this.#root = root;
    this.#tree = tree;
    // `size` is a data property in Map's typings, so it cannot be overridden as an accessor in the class body.
    Object.defineProperty(this, 'size', { get: () => (this.#materialize(), Reflect.get(Map.prototype, 'size', this) as number) });
  }

  override get(pointer: string): [number, number] | undefined {
    if (this.#tree === undefined) return super.get(pointer);
    if (pointer === '') return unpack(this.#root);
    if (pointer[0] !== '/') return undefined;
    let node: Holder | undefined = this.#tree;
    let at: number | undefined;
    for (const raw of pointer.slice(1).split('/')) {
      if (node === undefined) return undefined;
      const token = unescapeToken(raw);
      const index: number = node.keys ? node.keys.indexOf(token) : /^(?:0|[1-9][0-9]*)$/.test(token) ? Number(token) : -1;
      if (index < 0 || index >= node.at.length) return undefined;
      at = node.at[index];
      node = node.kids[index];
    }
    return at === undefined ? undefined : unpack(at);
  }

  override has(pointer: string): boolean {
    return this.get(pointer) !== undefined;
  }

  override set(pointer: string, position: [number, number]): this {
    this.#materialize();
    return super.set(pointer, position);
  }

  override delete(pointer: string): boolean {
    this.#materialize();
    return super.delete(pointer);
  }

  override clear(): void {
    this.#tree = undefined;
    super.clear();
  }

  override forEach(callback: (value: [number, number], key: string, map: Map<string, [number, number]>) => void, thisArg?: unknown): void {
    this.#materialize();
    super.forEach(callback, thisArg);
  }

  override entries(): MapIterator<[string, [number, number]]> {
    this.#materialize();
    return super.entries();
  }

  override keys(): MapIterator<string> {
    this.#materialize();
    return super.keys();
  }

  override values(): MapIterator<[number, number]> {
    this.#materialize();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[string, [number, number]]> {
    return this.entries();
  }

  /** Fills the ordinary map, in document order, the first time it is needed. */
  #materialize(): void {
    const tree = this.#tree;
    if (tree === undefined) return;
    this.#tree = undefined;
    super.set('', unpack(this.#root));
    const walk = (node: Holder, pointer: string): void => {
      for (let i = 0; i < node.at.length; i++) {
        const child = `${pointer}/${node.keys ? escapeToken(node.keys[i]) : i}`;
        super.set(child, unpack(node.at[i]));
        const kid = node.kids[i];
        if (kid) walk(kid, child);
      }
    };
    walk(tree, '');
  }
}

function unpack(packed: number): [number, number] {
  const line = Math.floor(packed / COLUMNS);
  return [line, packed - line * COLUMNS];
}

class FastParser {
  /** The positions of the collection the last parsed value was, or undefined for a scalar. */
  private child: Holder | undefined;
  /** Offset of the first character of each line. */
  private readonly starts: number[] = [0];
  /** Offset of the line break (or end of text) ending each line. */
  private readonly ends: number[] = [];
  /** Leading spaces of each line; -1 for a blank or comment-only line. */
  private readonly indents: number[] = [];
  /** The current line. */
  private line = 0;

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      this.ends.push(i);
      this.starts.push(i + 1);
    }
    this.ends.push(text.length);
    for (let l = 0; l < this.starts.length; l++) {
      let p = this.starts[l];
      const end = this.ends[l];
      while (p < end && text.charCodeAt(p) === 32) p++;
      this.indents.push(p === end || text[p] === '#' ? -1 : p - this.starts[l]);
    }
  }

  document(): { data: unknown; positions: SourceMap } | undefined {
    this.skipBlank();
    // A `---` line alone may open the (single) document.
    if (this.line < this.starts.length && /^---[ ]*(?:#.*)?$/.test(this.text.slice(this.starts[this.line], this.ends[this.line]))) {
      this.line++;
      this.skipBlank();
    }
    if (this.line >= this.starts.length || this.indents[this.line] !== 0) return undefined;
    const first = this.starts[this.line];
    if (this.text.startsWith('---', first) || this.text.startsWith('...', first) || this.text[first] === '%') return undefined;
    const root = this.pack(first);
    if (this.keyEnd(first) === undefined) return undefined;
    const data = this.map(first);
    const tree = this.child!;
    this.skipBlank();
    if (this.line < this.starts.length) return undefined;
    return { data, positions: new LazySourceMap(root, tree) };
  }

  /** The position of `offset` on the current line. */
  private pack(offset: number): number {
    const col = offset - this.starts[this.line] + 1;
    if (col >= COLUMNS) bail();
    return (this.line + 1) * COLUMNS + col;
  }

  private skipBlank(): void {
    while (this.line < this.starts.length && this.indents[this.line] === -1) this.line++;
  }

  /** Offset of `what` in `[from, end)`, or -1; never looks past the line, so parsing stays linear. */
  private indexIn(what: string, from: number, end: number): number {
    const { text } = this;
    const first = what.charCodeAt(0);
    for (let i = from; i + what.length <= end; i++) if (text.charCodeAt(i) === first && text.startsWith(what, i)) return i;
    return -1;
  }

  /** Offset just past the spaces from `p` on the current line. */
  private spaces(p: number): number {
    while (this.text.charCodeAt(p) === 32) p++;
    return p;
  }

  /** True when only spaces, then nothing or a comment, remain on the line from `p`. */
  private atLineEnd(p: number): boolean {
    const q = this.spaces(p);
    // A `#` right after a token is not a comment.
    return q >= this.ends[this.line] || (this.text[q] === '#' && q > p);
  }

  /**
   * When a mapping key starts at `p`, the offset just past its `:`; otherwise undefined. The key is a
   * plain scalar or a one-line quoted one, followed by `:` and a space or the end of the line.
   */
  private keyEnd(p: number): number | undefined {
    const { text } = this;
    const end = this.ends[this.line];
    const c = text[p];
    let q: number;
    if (c === '"' || c === "'") {
      q = this.quoteEnd(p, end);
      if (q === -1) return undefined;
      q = this.spaces(q);
      if (text[q] !== ':') return undefined;
    } else {
      if (NOT_PLAIN_START.has(c) || ((c === '-' || c === '?' || c === ':') && (p + 1 >= end || text[p + 1] === ' '))) return undefined;
      q = p;
      for (;;) {
        q = this.indexIn(':', q + 1, end);
        if (q === -1) return undefined;
        if (q + 1 >= end || text[q + 1] === ' ') break;
      }
      if (this.indexIn(' #', p, q) !== -1) return undefined;
    }
    if (q + 1 < end && text[q + 1] !== ' ') return undefined;
    if (q - p > MAX_KEY_LENGTH) bail();
    return q + 1;
  }

  /** Offset just past the closing quote of the quoted scalar at `p` on one line, or -1. */
  private quoteEnd(p: number, end: number): number {
    const { text } = this;
    const quote = text[p];
    for (let q = p + 1; q < end; q++) {
      if (quote === '"' && text[q] === '\\') q++;
      else if (text[q] === quote) {
        if (quote === "'" && text[q + 1] === "'") q++;
        else return q + 1;
      }
    }
    return -1;
  }

  /** A block mapping whose first key starts at `start` on the current line; its keys sit in that column. */
  private map(start: number): Record<string, unknown> {
    const { text } = this;
    const indent = start - this.starts[this.line];
    const out: Record<string, unknown> = {};
    const positions = holder(true);
    let p = start;
    for (;;) {
      const colon = this.keyEnd(p);
      if (colon === undefined) bail();
      const key = this.keyText(p, colon - 1);
      if (Object.hasOwn(out, key)) bail();
      positions.keys!.push(key);
      positions.at.push(this.pack(p));
      const value = this.value(colon, indent, positions, true);
      positions.kids.push(this.child);
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;

      this.skipBlank();
      if (this.line >= this.starts.length) return this.done(out, positions);
      const next = this.indents[this.line];
      if (next < indent) return this.done(out, positions);
      if (next > indent) bail();
      p = this.starts[this.line] + indent;
      if (text[p] === '-' && (p + 1 >= this.ends[this.line] || text[p + 1] === ' ')) return this.done(out, positions);
    }
  }

  /** Hands `value`'s positions to the caller through `child`. */
  private done<T>(value: T, positions: Holder): T {
    this.child = positions;
    return value;
  }

  /** The key text from `p` to the `:` at `colon`, as the full parser turns it into a string. */
  private keyText(p: number, colon: number): string {
    const { text } = this;
    const c = text[p];
    if (c === '"' || c === "'") {
      const close = this.quoteEnd(p, colon + 1);
      return quoted(text.slice(p, close));
    }
    let e = colon;
    while (text.charCodeAt(e - 1) === 32) e--;
    const value = plainValue(text.slice(p, e));
    return value === null ? '' : String(value);
  }

  /** A block sequence whose first `-` is at `start` on the current line. */
  private seq(start: number): unknown[] {
    const { text } = this;
    const indent = start - this.starts[this.line];
    const out: unknown[] = [];
    const positions = holder(false);
    for (;;) {
      const p = this.spaces(start + 1);
      if (p < this.ends[this.line] && text[p] !== '#') {
        if (p === start + 1) bail();
        // `- key: value` starts a mapping in the column of its key.
        if (this.keyEnd(p) !== undefined) {
          positions.at.push(this.pack(p));
          out.push(this.map(p));
        } else {
          if (text[p] === '-' && (p + 1 >= this.ends[this.line] || text[p + 1] === ' ')) bail();
          out.push(this.value(start + 1, indent, positions, false));
        }
      } else {
        out.push(this.value(start + 1, indent, positions, false));
      }
      positions.kids.push(this.child);
      this.skipBlank();
      if (this.line >= this.starts.length) return this.done(out, positions);
      const next = this.indents[this.line];
      if (next < indent) return this.done(out, positions);
      if (next > indent) bail();
      start = this.starts[this.line] + indent;
      if (text[start] !== '-' || (start + 1 < this.ends[this.line] && text[start + 1] !== ' ')) return this.done(out, positions);
    }
  }

  /**
   * The value after a key's `:` or an item's `-` at `from` on the current line, in a collection whose
   * column is `indent`. A sequence item's own position goes to `positions` (a member's is its key's).
   * Leaves the value's own positions in `child`.
   */
  private value(from: number, indent: number, positions: Holder, inMap: boolean): unknown {
    const { text } = this;
    this.child = undefined;
    const p = this.spaces(from);
    const end = this.ends[this.line];
    if (p >= end || (text[p] === '#' && p > from)) {
      this.line++;
      this.skipBlank();
      if (this.line >= this.starts.length) {
        if (inMap) return null;
        bail();
      }
      const next = this.indents[this.line];
      const start = this.starts[this.line] + next;
      const dash = text[start] === '-' && (start + 1 >= this.ends[this.line] || text[start + 1] === ' ');
      if (next > indent || (inMap && next === indent && dash)) {
        if (!inMap) positions.at.push(this.pack(start));
        if (dash) return this.seq(start);
        if (next > indent && this.keyEnd(start) !== undefined) return this.map(start);
        bail();
      }
      if (inMap) return null;
      bail();
    }
    if (p === from && !inMap) bail();
    if (!inMap) positions.at.push(this.pack(p));
    const c = text[p];
    if (c === '[' || c === '{') {
      const [value, after] = this.flow(p);
      if (!this.atLineEnd(after)) bail();
      this.line++;
      return value;
    }
    if (c === '|' || c === '>') return this.block(p, indent);
    if (c === '"' || c === "'") return this.quotedValue(p, indent);
    if (NOT_PLAIN_START.has(c) || ((c === '-' || c === '?' || c === ':') && (p + 1 >= end || text[p + 1] === ' '))) bail();
    // `a: b: c` is refused by plain() itself, which bails on a `: ` inside the scalar.
    return this.plain(p, indent);
  }

  /** A plain scalar from `p`, continued on more-indented lines; leaves the current line after it. */
  private plain(p: number, indent: number): unknown {
    const { text } = this;
    let last = this.contentEnd(p, this.ends[this.line]);
    let line = this.line + 1;
    for (let l = line; l < this.starts.length; l++) {
      const lineIndent = this.indents[l];
      if (lineIndent === -1) {
        // A comment line ends the scalar; a blank one may be folded into it.
        if (this.ends[l] > this.starts[l] && text[this.spaces(this.starts[l])] === '#') break;
        continue;
      }
      if (lineIndent <= indent) break;
      const s = this.starts[l] + lineIndent;
      const e = this.ends[l];
      const c = text[s];
      if (NOT_PLAIN_START.has(c) || c === '-' || c === '?' || c === ':') bail();
      const lineEnd = this.contentEnd(s, e);
      if (lineEnd !== this.trimEnd(s, e)) bail();
      if (this.indexIn(': ', s, e) !== -1 || text[e - 1] === ':') bail();
      last = lineEnd;
      line = l + 1;
    }
    const source = text.slice(p, last);
    const colon = source.indexOf(': ');
    if (colon !== -1 || source.endsWith(':')) bail();
    this.line = line;
    return plainValue(unfoldLines(source));
  }

  /** End of the content of a plain scalar on one line: before a ` #` comment, spaces trimmed. */
  private contentEnd(p: number, end: number): number {
    const hash = this.indexIn(' #', p, end);
    return this.trimEnd(p, hash === -1 ? end : hash);
  }

  private trimEnd(p: number, end: number): number {
    while (end > p && this.text.charCodeAt(end - 1) === 32) end--;
    return end;
  }

  /** A quoted scalar from `p`, possibly over several lines each indented past `indent`. */
  private quotedValue(p: number, indent: number): string {
    const { text } = this;
    const quote = text[p];
    let q = p + 1;
    for (;;) {
      if (q >= this.ends[this.line]) {
        this.line++;
        if (this.line >= this.starts.length) bail();
        const lineIndent = this.indents[this.line];
        if (lineIndent !== -1 && lineIndent <= indent) bail();
        if (lineIndent === -1 && this.ends[this.line] > this.starts[this.line] && this.indentOf(this.line) <= indent) bail();
        q = this.starts[this.line];
        continue;
      }
      const c = text[q];
      if (quote === '"' && c === '\\') q += 2;
      else if (c === quote) {
        if (quote === "'" && text[q + 1] === "'") q += 2;
        else break;
      } else q++;
    }
    if (!this.atLineEnd(q + 1)) bail();
    this.line++;
    return quoted(text.slice(p, q + 1));
  }

  private indentOf(line: number): number {
    return this.spaces(this.starts[line]) - this.starts[line];
  }

  /** A `|`, `|-`, `>` or `>-` block scalar whose header is at `p`, in a collection at column `indent`. */
  private block(p: number, indent: number): string {
    const { text } = this;
    const literal = text[p] === '|';
    let h = p + 1;
    const strip = text[h] === '-';
    if (strip) h++;
    if (!this.atLineEnd(h) || (h < this.ends[this.line] && text[h] !== ' ')) bail();
    const lines: Array<[number, string]> = [];
    let l = this.line + 1;
    for (; l < this.starts.length; l++) {
      const start = this.starts[l];
      const end = this.ends[l];
      if (start === end) {
        lines.push([0, '']);
        continue;
      }
      const lineIndent = this.indentOf(l);
      // Lines of spaces only are folded in ways that depend on their length: not worth the risk.
      if (start + lineIndent === end) bail();
      if (lineIndent <= indent) break;
      lines.push([lineIndent, text.slice(start + lineIndent, end)]);
    }
    while (lines.length > 0 && lines[lines.length - 1][1] === '') lines.pop();
    this.line = l;
    if (lines.length === 0) return '';
    const first = lines.findIndex(([, content]) => content !== '');
    const trim = lines[first][0];
    let value = '\n'.repeat(first);
    let sep = '';
    let prevMoreIndented = false;
    for (let i = first; i < lines.length; i++) {
      const [lineIndent, content] = lines[i];
      if (content !== '' && lineIndent < trim) bail();
      const extra = content === '' ? '' : ' '.repeat(lineIndent - trim);
      if (literal) {
        value += sep + extra + content;
        sep = '\n';
      } else if (content !== '' && lineIndent > trim) {
        if (sep === ' ') sep = '\n';
        else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
        value += sep + extra + content;
        sep = '\n';
        prevMoreIndented = true;
      } else if (content === '') {
        if (sep === '\n') value += '\n';
        else sep = '\n';
      } else {
        value += sep + content;
        sep = ' ';
        prevMoreIndented = false;
      }
    }
    return strip ? value : `${value}\n`;
  }

  /** A flow collection on one line from `p`: the value and the offset just past it. */
  private flow(p: number): [unknown, number] {
    const { text } = this;
    const end = this.ends[this.line];
    const close = text[p] === '[' ? ']' : '}';
    const out: unknown = close === ']' ? [] : {};
    const positions = holder(close === '}');
    let q = this.spaces(p + 1);
    if (text[q] === close) return [this.done(out, positions), q + 1];
    for (;;) {
      if (q >= end) bail();
      if (Array.isArray(out)) {
        positions.at.push(this.pack(q));
        const [value, after] = this.flowNode(q);
        positions.kids.push(this.child);
        out.push(value);
        q = after;
      } else {
        const record = out as Record<string, unknown>;
        const [key, afterKey] = this.flowNode(q);
        if (key !== null && typeof key === 'object') bail();
        const name = key === null ? '' : String(key);
        if (Object.hasOwn(record, name) || name === '__proto__') bail();
        positions.keys!.push(name);
        positions.at.push(this.pack(q));
        q = this.spaces(afterKey);
        if (text[q] !== ':' || (text[q + 1] !== ' ' && !FLOW_STOP.has(text[q + 1]))) bail();
        q = this.spaces(q + 1);
        if (text[q] === ',' || text[q] === close) bail();
        const [value, after] = this.flowNode(q);
        positions.kids.push(this.child);
        record[name] = value;
        q = after;
      }
      q = this.spaces(q);
      if (text[q] === close) return [this.done(out, positions), q + 1];
      if (text[q] !== ',') bail();
      q = this.spaces(q + 1);
      if (text[q] === close) bail();
    }
  }

  /** One value inside a flow collection: a nested collection, a quoted or a plain scalar; its positions go to `child`. */
  private flowNode(q: number): [unknown, number] {
    const { text } = this;
    const end = this.ends[this.line];
    const c = text[q];
    this.child = undefined;
    if (c === '[' || c === '{') return this.flow(q);
    if (c === '"' || c === "'") {
      const after = this.quoteEnd(q, end);
      if (after === -1) bail();
      return [quoted(text.slice(q, after)), after];
    }
    if (NOT_PLAIN_START.has(c) || c === '-' || c === '?' || c === ':' || q >= end) bail();
    let e = q;
    while (e < end) {
      const ch = text[e];
      if (FLOW_STOP.has(ch)) break;
      if (ch === ':' && (e + 1 >= end || text[e + 1] === ' ' || FLOW_STOP.has(text[e + 1]))) break;
      if (ch === '#' && text[e - 1] === ' ') bail();
      e++;
    }
    if (e >= end) bail();
    return [plainValue(text.slice(q, this.trimEnd(q, e))), e];
  }
}

/** A plain scalar's value under the YAML 1.2 core schema, with the full parser's own tests in its order. */
function plainValue(source: string): unknown {
  // Most scalars are words that no core-schema test can match: decide those by their first character.
  if (!MAYBE_NOT_STRING.test(source)) return source;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(source)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(source)) return source[0] === 't' || source[0] === 'T';
  if (/^0o[0-7]+$/.test(source)) return parseInt(source.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(source)) return parseInt(source, 10);
  if (/^0x[0-9a-fA-F]+$/.test(source)) return parseInt(source.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(source)) {
    return source.slice(-3).toLowerCase() === 'nan' ? NaN : source[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(source) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(source)) return parseFloat(source);
  return source;
}

/** Folds the lines of a multi-line plain or single-quoted scalar (the full parser's `unfoldLines`). */
function unfoldLines(source: string): string {
  if (!source.includes('\n')) return source;
  const lines = source.split('\n');
  let res = lines[0].replace(/[ \t]+$/, '');
  let sep = ' ';
  for (let i = 1; i < lines.length - 1; i++) {
    const lm = lines[i].replace(/^[ \t]+|[ \t]+$/g, '');
    if (lm === '') {
      if (sep === '\n') res += sep;
      else sep = '\n';
    } else {
      res += sep + lm;
      sep = ' ';
    }
  }
  return res + sep + lines[lines.length - 1].replace(/^[ \t]*/, '');
}

/** The value of a quoted scalar, quotes included in `source`. */
function quoted(source: string): string {
  if (source[0] === "'") return unfoldLines(source.slice(1, -1)).replace(/''/g, "'");
  return doubleQuoted(source);
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};

/** The full parser's `doubleQuotedValue`, bailing out where it would report an error. */
function doubleQuoted(source: string): string {
  let res = '';
  for (let i = 1; i < source.length - 1; ++i) {
    const ch = source[i];
    if (ch === '\n') {
      let fold = '';
      let next = source[i + 1];
      while (next === ' ' || next === '\n') {
        if (next === '\n') fold += '\n';
        i++;
        next = source[i + 1];
      }
      res += fold || ' ';
    } else if (ch === '\\') {
      const next = source[++i];
      const code = ESCAPES[next];
      if (code !== undefined) res += code;
      else if (next === '\n') {
        while (source[i + 1] === ' ') i++;
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = source.substr(i + 1, length);
        if (hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) bail();
        const point = parseInt(hex, 16);
        if (point > 0x10ffff) bail();
        res += String.fromCodePoint(point);
        i += length;
      } else bail();
    } else if (ch === ' ') {
      const start = i;
      while (source[i + 1] === ' ') i++;
      if (source[i + 1] !== '\n') res += source.slice(start, i + 1);
    } else {
      res += ch;
    }
  }
  return res;
}
