/**
 * A parser for RFC 9535 JSONPath: the ABNF of the RFC, read by recursive descent into a small syntax
 * tree, with the well-typedness rules of function calls (§2.4.3) checked on the way. Anything the
 * grammar refuses throws a {@link JsonPathSyntaxError} naming the character where reading stopped.
 */
import { suggest } from '../../util/suggest.js';
import { FUNCTIONS, type ExpressionType, type FunctionExtension } from './functions.js';

/** A query: `$` or `@` followed by segments. */
export interface Query {
  root: '$' | '@';
  segments: Segment[];
}

/** `[…]`, `.name`, `.*` (child) or their `..` forms (descendant). */
export interface Segment {
  descendant: boolean;
  selectors: Selector[];
  /** Blank space inside the brackets, which a singular query may not have (`@[ 'a' ]`). */
  spaced?: boolean;
}

export type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | undefined; end: number | undefined; step: number | undefined }
  | { kind: 'filter'; test: Expression };

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A filter expression or one of its parts. */
export type Expression =
  | { kind: 'or' | 'and'; operands: Expression[] }
  | { kind: 'not'; operand: Expression }
  | { kind: 'comparison'; operator: ComparisonOperator; left: Expression; right: Expression }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'query'; query: Query; singular: boolean }
  | { kind: 'call'; name: string; extension: FunctionExtension; args: Expression[] };

/** Options for {@link parseJsonPath}. */
export interface ParseOptions {
  /**
   * Also accept the member names real capability files write after a dot and the RFC does not allow
   * there (`$.get-ship`, `$.user.@id`, `$.#text`, `$.ns:tag`), and `$.` for the root. Only in the
   * outer query, never inside a filter.
   */
  lenientNames?: boolean;
}

/** A syntax or typing error in a JSONPath expression; `offset` is the 0-based character where it was found. */
export class JsonPathSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at character ${offset + 1}`);
    this.name = 'JsonPathSyntaxError';
    this.offset = offset;
  }
}

/** Parses a whole JSONPath query (no surrounding whitespace) into its syntax tree. */
export function parseJsonPath(text: string, options: ParseOptions = {}): Query {
  return new Parser(text, options.lenientNames === true).parse();
}

/** True when a query selects at most one node: only one name or index selector per child segment. */
export function isSingular(query: Query): boolean {
  return query.segments.every((s) => !s.descendant && !s.spaced && s.selectors.length === 1 && (s.selectors[0].kind === 'name' || s.selectors[0].kind === 'index'));
}

const NAME_FIRST = /[A-Za-z_\u0080-\ud7ff\ue000-\uffff]|[\ud800-\udbff][\udc00-\udfff]/y;
const NAME_CHARS = /(?:[A-Za-z0-9_\u0080-\ud7ff\ue000-\uffff]|[\ud800-\udbff][\udc00-\udfff])*/y;
/** What {@link ParseOptions.lenientNames} adds: `@`, `#`, `$` may start a name, `-` and `:` continue one. */
const LENIENT_NAME = /(?:[A-Za-z_@#$\u0080-\ud7ff\ue000-\uffff]|[\ud800-\udbff][\udc00-\udfff])(?:[A-Za-z0-9_@#$:\-\u0080-\ud7ff\ue000-\uffff]|[\ud800-\udbff][\udc00-\udfff])*/y;
const FUNCTION_NAME = /[a-z][a-z0-9_]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;
const INT = /-?(?:0|[1-9][0-9]*)/y;
const COMPARISON = /==|!=|<=|>=|<|>/y;

class Parser {
  private pos = 0;
  /** Inside a filter, where lenient names never apply. */
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly lenientNames: boolean,
  ) {}

  parse(): Query {
    if (this.text[0] !== '$') throw this.error("it must start with '$'", 0);
    if (this.lenientNames && this.text === '$.') return { root: '$', segments: [] };
    if (this.text.length > 1 && !'.[ \t\n\r'.includes(this.text[1])) throw this.error("'$' must be followed by '.' or '['", 1);
    const query = this.query();
    if (this.pos < this.text.length) throw this.unexpected();
    return query;
  }

  /** jsonpath-query / rel-query: `$` or `@`, then `*(S segment)`. */
  private query(): Query {
    const root = this.text[this.pos++] as '$' | '@';
    const segments: Segment[] = [];
    for (;;) {
      const before = this.pos;
      this.skipBlanks();
      const segment = this.segment();
      if (!segment) {
        this.pos = before;
        return { root, segments };
      }
      segments.push(segment);
    }
  }

  private segment(): Segment | undefined {
    const c = this.text[this.pos];
    if (c === '[') {
      const start = this.pos;
      const selectors = this.bracketed();
      // With one selector, blank space can only follow `[` or precede `]`.
      return { descendant: false, selectors, spaced: isBlank(this.text[start + 1]) || isBlank(this.text[this.pos - 2]) };
    }
    if (c !== '.') return undefined;
    if (this.text[this.pos + 1] === '.') {
      this.pos += 2;
      if (this.text[this.pos] === '[') return { descendant: true, selectors: this.bracketed() };
      return { descendant: true, selectors: [this.dotSelector('..')] };
    }
    this.pos++;
    return { descendant: false, selectors: [this.dotSelector('.')] };
  }

  /** After `.` or `..`: `*` or a member-name-shorthand. */
  private dotSelector(dots: string): Selector {
    if (this.text[this.pos] === '*') {
      this.pos++;
      return { kind: 'wildcard' };
    }
    const lenient = this.lenientNames && this.depth === 0 ? this.match(LENIENT_NAME) : undefined;
    if (lenient !== undefined) return { kind: 'name', name: lenient };
    if (this.match(NAME_FIRST, false) === undefined) {
      const c = this.text[this.pos];
      if (c === undefined) throw this.error(`a name or '*' must follow '${dots}'`, this.pos);
      if (c >= '0' && c <= '9') throw this.error(`a member name cannot start with a digit after '${dots}': write [${c}…] for an index or ['${c}…'] for a name`, this.pos);
      throw this.error(`'${c}' cannot start a member name after '${dots}': quote the name, ['…']`, this.pos);
    }
    return { kind: 'name', name: this.match(NAME_CHARS)! };
  }

  /** bracketed-selection = "[" S selector *(S "," S selector) S "]" */
  private bracketed(): Selector[] {
    this.pos++;
    const selectors: Selector[] = [];
    for (;;) {
      this.skipBlanks();
      selectors.push(this.selector());
      this.skipBlanks();
      const c = this.text[this.pos++];
      if (c === ']') return selectors;
      if (c !== ',') throw this.unexpected(this.pos - 1, "',' or ']'");
    }
  }

  private selector(): Selector {
    const c = this.text[this.pos];
    if (c === "'" || c === '"') return { kind: 'name', name: this.string() };
    if (c === '*') {
      this.pos++;
      return { kind: 'wildcard' };
    }
    if (c === '?') {
      this.pos++;
      this.skipBlanks();
      const at = this.pos;
      this.depth++;
      const test = this.logical();
      this.depth--;
      this.checkTest(test, at);
      return { kind: 'filter', test };
    }
    if (c === ':' || c === '-' || (c >= '0' && c <= '9')) return this.indexOrSlice();
    throw this.unexpected(this.pos, 'a selector');
  }

  /** index-selector = int; slice-selector = [start S] ":" S [end S] [":" [S step]] */
  private indexOrSlice(): Selector {
    const start = this.text[this.pos] === ':' ? undefined : this.int();
    const afterStart = this.pos;
    this.skipBlanks();
    if (this.text[this.pos] !== ':') {
      this.pos = afterStart;
      return { kind: 'index', index: start! };
    }
    this.pos++;
    this.skipBlanks();
    const end = this.startsInt() ? this.int() : undefined;
    this.skipBlanks();
    let step: number | undefined;
    if (this.text[this.pos] === ':') {
      this.pos++;
      this.skipBlanks();
      if (this.startsInt()) step = this.int();
    }
    return { kind: 'slice', start, end, step };
  }

  private startsInt(): boolean {
    const c = this.text[this.pos];
    return c === '-' || (c >= '0' && c <= '9');
  }

  /** int = "0" / (["-"] DIGIT1 *DIGIT), within ±(2^53 − 1). */
  private int(): number {
    const at = this.pos;
    const digits = this.match(INT);
    if (digits === undefined) throw this.unexpected(at, 'an integer');
    if (digits === '-0') throw this.error("'-0' is not an integer here", at);
    const next = this.text[this.pos];
    if (next >= '0' && next <= '9') throw this.error(`'${digits}${next}…': an integer cannot have leading zeros`, at);
    const n = Number(digits);
    // I-JSON: indexes and slice bounds are integers JSON numbers carry exactly.
    if (!Number.isSafeInteger(n)) throw this.error(`${digits} is outside the integer range ±(2^53 − 1)`, at);
    return n;
  }

  /** logical-or-expr = logical-and-expr *(S "||" S logical-and-expr) */
  private logical(): Expression {
    return this.chain('||', 'or', () => this.conjunction());
  }

  /** logical-and-expr = basic-expr *(S "&&" S basic-expr) */
  private conjunction(): Expression {
    return this.chain('&&', 'and', () => this.basic());
  }

  /** `operand *(S operator S operand)`: one operand as it is, several as `kind`, each checked as a test. */
  private chain(operator: '||' | '&&', kind: 'or' | 'and', operand: () => Expression): Expression {
    const starts = [this.pos];
    const operands = [operand()];
    while (this.lookAhead(operator)) {
      this.skipBlanks();
      starts.push(this.pos);
      operands.push(operand());
    }
    if (operands.length === 1) return operands[0];
    operands.forEach((o, i) => this.checkTest(o, starts[i]));
    return { kind, operands };
  }

  /**
   * basic-expr = paren-expr / comparison-expr / test-expr. A lone literal or a non-logical function is
   * returned as it is: whether it may stand here depends on the context, which checks it.
   */
  private basic(): Expression {
    const c = this.text[this.pos];
    if (c === '!') {
      this.pos++;
      this.skipBlanks();
      if (this.text[this.pos] === '(') return { kind: 'not', operand: this.parenthesized() };
      const at = this.pos;
      const operand = this.primary();
      if (operand.kind !== 'query' && operand.kind !== 'call') throw this.error("'!' must be followed by a query, a function call or '('", at);
      this.checkTest(operand, at);
      return { kind: 'not', operand };
    }
    if (c === '(') return this.parenthesized();
    const at = this.pos;
    const left = this.primary();
    const before = this.pos;
    this.skipBlanks();
    const operator = this.match(COMPARISON) as ComparisonOperator | undefined;
    if (operator === undefined) {
      this.pos = before;
      return left;
    }
    this.checkComparable(left, at);
    this.skipBlanks();
    const rightAt = this.pos;
    if (this.text[this.pos] === '(' || this.text[this.pos] === '!') throw this.unexpected(rightAt, 'a literal, a singular query or a function call');
    const right = this.primary();
    this.checkComparable(right, rightAt);
    return { kind: 'comparison', operator, left, right };
  }

  /** paren-expr without its optional `!`: "(" S logical-expr S ")" */
  private parenthesized(): Expression {
    this.pos++;
    this.skipBlanks();
    const at = this.pos;
    const inner = this.logical();
    this.checkTest(inner, at);
    this.skipBlanks();
    if (this.text[this.pos] !== ')') throw this.unexpected(this.pos, "')'");
    this.pos++;
    return inner;
  }

  /** A literal, a query (`@…` or `$…`) or a function call. */
  private primary(): Expression {
    const c = this.text[this.pos];
    if (c === '@' || c === '$') {
      const query = this.query();
      return { kind: 'query', query, singular: isSingular(query) };
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.string() };
    if (c === '-' || (c >= '0' && c <= '9')) return { kind: 'literal', value: this.number() };
    const at = this.pos;
    const name = this.match(FUNCTION_NAME);
    if (name === undefined) throw this.unexpected(at, 'a query, a literal or a function call');
    if (this.text[this.pos] === '(') return this.call(name, at);
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'null') return { kind: 'literal', value: null };
    throw this.error(`unknown word '${name}' (a string needs quotes; a function call needs '(' right after its name)`, at);
  }

  /** number = (int / "-0") [ frac ] [ exp ] */
  private number(): number {
    const at = this.pos;
    const text = this.match(NUMBER);
    if (text === undefined) throw this.unexpected(at, 'a number');
    const next = this.text[this.pos];
    if ((next >= '0' && next <= '9') || next === '.' || next === 'e' || next === 'E') throw this.unexpected(this.pos, 'the end of the number');
    return Number(text);
  }

  /** function-expr = function-name "(" S [function-argument *(S "," S function-argument)] S ")" */
  private call(name: string, at: number): Expression {
    const extension = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (!extension) {
      const close = suggest(name, Object.keys(FUNCTIONS), 1);
      throw this.error(`unknown function '${name}()'${close.length > 0 ? ` (did you mean '${close[0]}()'?)` : ''}; known: ${Object.keys(FUNCTIONS).join(', ')}`, at);
    }
    this.pos++;
    this.skipBlanks();
    const args: Expression[] = [];
    if (this.text[this.pos] !== ')') {
      for (;;) {
        const argAt = this.pos;
        const arg = this.logical();
        const parameter = extension.parameters[args.length];
        if (parameter !== undefined) this.checkArgument(arg, parameter, name, args.length, argAt);
        args.push(arg);
        this.skipBlanks();
        if (this.text[this.pos] !== ',') break;
        this.pos++;
        this.skipBlanks();
      }
    }
    if (this.text[this.pos] !== ')') throw this.unexpected(this.pos, "',' or ')'");
    if (args.length !== extension.parameters.length) {
      const n = extension.parameters.length;
      throw this.error(`${name}() takes ${n} argument${n === 1 ? '' : 's'}, not ${args.length}`, at);
    }
    this.pos++;
    return { kind: 'call', name, extension, args };
  }

  /** Where a test stands (a filter, `!`, `&&`, `||`, parentheses): a logical value or a nodelist. */
  private checkTest(expression: Expression, at: number): void {
    if (expression.kind === 'literal') throw this.error('a literal cannot stand alone as a test; compare it with ==, !=, <, <=, > or >=', at);
    if (expression.kind === 'call' && expression.extension.result === 'value') {
      throw this.error(`${expression.name}() gives a value, which cannot stand alone as a test; compare it, e.g. ${expression.name}(…) > 0`, at);
    }
  }

  /** Either side of a comparison: a literal, a singular query or a function giving a value. */
  private checkComparable(expression: Expression, at: number): void {
    if (expression.kind === 'query' && !expression.singular) throw this.error('a query compared with ==, <, … must select at most one node (only names and indexes, no blank space inside brackets)', at);
    if (expression.kind === 'call' && expression.extension.result !== 'value') throw this.error(`${expression.name}() gives a ${expression.extension.result === 'logical' ? 'logical result' : 'nodelist'}, which cannot be compared`, at);
    if (expression.kind !== 'literal' && expression.kind !== 'query' && expression.kind !== 'call') throw this.error('only a literal, a singular query or a function call can be compared', at);
  }

  /** §2.4.3: an argument must have, or convert to, its parameter's declared type. */
  private checkArgument(arg: Expression, parameter: ExpressionType, name: string, index: number, at: number): void {
    const where = `argument ${index + 1} of ${name}()`;
    if (parameter === 'value') {
      if (arg.kind === 'literal') return;
      if (arg.kind === 'query') {
        if (!arg.singular) throw this.error(`${where} must be a single value: a literal, a singular query (only names and indexes, no blank space inside brackets) or a function giving a value`, at);
        return;
      }
      if (arg.kind === 'call' && arg.extension.result === 'value') return;
      throw this.error(`${where} must be a value: a literal, a singular query or a function giving a value`, at);
    }
    if (parameter === 'nodes') {
      if (arg.kind === 'query' || (arg.kind === 'call' && arg.extension.result === 'nodes')) return;
      throw this.error(`${where} must be a query`, at);
    }
    if (arg.kind === 'literal' || (arg.kind === 'call' && arg.extension.result === 'value')) throw this.error(`${where} must be a logical expression`, at);
  }

  /** string-literal: single or double quoted, with the RFC's escapes. */
  private string(): string {
    const start = this.pos;
    const quote = this.text[this.pos++];
    let value = '';
    for (;;) {
      const at = this.pos;
      const c = this.text[this.pos++];
      if (c === undefined) throw this.error(`unclosed ${quote} string`, start);
      if (c === quote) return value;
      if (c === '\\') {
        value += this.escape(quote);
        continue;
      }
      const code = c.charCodeAt(0);
      if (code < 0x20) throw this.error(`control character U+${code.toString(16).toUpperCase().padStart(4, '0')} in a string must be escaped`, at);
      if (code >= 0xd800 && code <= 0xdbff && this.isLowSurrogate(this.pos)) {
        value += c + this.text[this.pos++];
        continue;
      }
      if (code >= 0xd800 && code <= 0xdfff) throw this.error('lone surrogate in a string', at);
      value += c;
    }
  }

  /** After `\` in a string. */
  private escape(quote: string): string {
    const at = this.pos - 1;
    const e = this.text[this.pos++];
    switch (e) {
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '/':
      case '\\':
        return e;
      case 'u': {
        const high = this.hex4(at);
        if (high >= 0xdc00 && high <= 0xdfff) throw this.error('\\u escape of a lone low surrogate', at);
        if (high < 0xd800 || high > 0xdbff) return String.fromCharCode(high);
        if (this.text[this.pos] !== '\\' || this.text[this.pos + 1] !== 'u') throw this.error('\\u escape of a high surrogate must be followed by a low surrogate escape', at);
        this.pos += 2;
        const low = this.hex4(this.pos - 2);
        if (low < 0xdc00 || low > 0xdfff) throw this.error('\\u escape of a high surrogate must be followed by a low surrogate escape', at);
        return String.fromCharCode(high, low);
      }
      default:
        if (e === quote) return e;
        throw this.error(`invalid escape '\\${e ?? ''}' in a string`, at);
    }
  }

  private hex4(at: number): number {
    const hex = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw this.error('\\u must be followed by 4 hexadecimal digits', at);
    this.pos += 4;
    return parseInt(hex, 16);
  }

  private isLowSurrogate(pos: number): boolean {
    const code = this.text.charCodeAt(pos);
    return code >= 0xdc00 && code <= 0xdfff;
  }

  /** Blank space (RFC `S`): space, tab, LF, CR. */
  private skipBlanks(): void {
    while (isBlank(this.text[this.pos])) this.pos++;
  }

  /** Consumes blanks and `token` if `token` follows them; otherwise leaves the position alone. */
  private lookAhead(token: string): boolean {
    const before = this.pos;
    this.skipBlanks();
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    this.pos = before;
    return false;
  }

  /** The text `pattern` (sticky) matches at the position, consumed when `consume`; `undefined` if none. */
  private match(pattern: RegExp, consume = true): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text);
    if (!found) return undefined;
    if (consume) this.pos = pattern.lastIndex;
    return found[0];
  }

  private unexpected(at = this.pos, expected?: string): JsonPathSyntaxError {
    const c = this.text[at];
    const found = c === undefined ? 'end of expression' : `'${c}'`;
    return this.error(expected ? `expected ${expected}, found ${found}` : `unexpected ${found}`, at);
  }

  private error(message: string, at: number): JsonPathSyntaxError {
    return new JsonPathSyntaxError(message, at);
  }
}

/** Blank space (RFC `S`): space, tab, LF, CR. */
function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}
