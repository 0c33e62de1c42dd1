/**
 * I-Regexp (RFC 9485), the regular expressions of JSONPath's `match()` and `search()`, translated to
 * JavaScript `RegExp`s with the `u` flag. The pattern is parsed against the RFC's grammar first, so
 * JavaScript-only syntax (`\d`, `(?=…)`, back-references, lazy quantifiers) is refused rather than given
 * a meaning the RFC does not define.
 */

/** The general categories `\p{…}` may name (RFC 9485 §5, IsCategory). */
const CATEGORIES = new Set([
  ...['L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl', 'No'],
  ...['P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'Z', 'Zl', 'Zp', 'Zs'],
  ...['S', 'Sc', 'Sk', 'Sm', 'So', 'C', 'Cc', 'Cf', 'Cn', 'Co'],
]);

/** Characters that follow `\` in a SingleCharEsc. */
const SINGLE_CHAR_ESCAPES = new Set(['(', ')', '*', '+', '-', '.', '?', '[', '\\', ']', '^', 'n', 'r', 't', '{', '|', '}']);

/** Patterns already translated; a pattern read from the document may come back on every call. */
const cache = new Map<string, RegExp | null>();
const CACHE_LIMIT = 256;

/**
 * The JavaScript `RegExp` for an I-Regexp: anchored at both ends for `match()` (`whole`), unanchored for
 * `search()`. `null` when the pattern is not a valid I-Regexp, which the RFC makes a false result.
 */
export function iRegexp(pattern: string, whole: boolean): RegExp | null {
  const key = (whole ? 'm' : 's') + pattern;
  let regexp = cache.get(key);
  if (regexp !== undefined) return regexp;
  const source = translate(pattern);
  regexp = source === undefined ? null : new RegExp(whole ? `^(?:${source})$` : source, 'u');
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, regexp);
  return regexp;
}

/** The JavaScript source of an I-Regexp, or `undefined` when the pattern is not one. */
export function translate(pattern: string): string | undefined {
  const reader = new Reader(pattern);
  try {
    const source = reader.regexp();
    return reader.done() ? source : undefined;
  } catch (error) {
    if (error === INVALID) return undefined;
    throw error;
  }
}

const INVALID: unique symbol = Symbol('INVALID');

class Reader {
  private readonly chars: string[];
  private pos = 0;

  constructor(pattern: string) {
    this.chars = [...pattern];
  }

  done(): boolean {
    return this.pos === this.chars.length;
  }

  /** i-regexp = branch *( "|" branch ) */
  regexp(): string {
    let source = this.branch();
    while (this.chars[this.pos] === '|') {
      this.pos++;
      source += `|${this.branch()}`;
    }
    return source;
  }

  /** branch = *piece */
  private branch(): string {
    let source = '';
    while (this.pos < this.chars.length && this.chars[this.pos] !== '|' && this.chars[this.pos] !== ')') source += this.piece();
    return source;
  }

  /** piece = atom [ quantifier ] */
  private piece(): string {
    const atom = this.atom();
    const c = this.chars[this.pos];
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      return atom + c;
    }
    if (c !== '{') return atom;
    this.pos++;
    const min = this.digits();
    let quantifier = `{${min}`;
    if (this.chars[this.pos] === ',') {
      this.pos++;
      quantifier += ',';
      if (this.chars[this.pos] !== '}') {
        const max = this.digits();
        if (Number(max) < Number(min)) throw INVALID;
        quantifier += max;
      }
    }
    this.expect('}');
    return `${atom}${quantifier}}`;
  }

  private digits(): string {
    const start = this.pos;
    while (this.pos < this.chars.length && this.chars[this.pos] >= '0' && this.chars[this.pos] <= '9') this.pos++;
    if (this.pos === start) throw INVALID;
    return this.chars.slice(start, this.pos).join('');
  }

  /** atom = NormalChar / charClass / ( "(" i-regexp ")" ) */
  private atom(): string {
    const c = this.chars[this.pos++];
    switch (c) {
      case '(': {
        const inner = this.regexp();
        this.expect(')');
        return `(?:${inner})`;
      }
      case '.':
        // I-Regexp's dot excludes only CR and LF; JavaScript's also excludes U+2028 and U+2029.
        return '[^\\n\\r]';
      case '[':
        return this.classExpression();
      case '\\':
        return this.escape(false);
      default:
        if (!isNormalChar(c)) throw INVALID;
        // `^` and `$` are kept as JavaScript reads them, anchors, as RFC 9485 §5.3's mapping does (and
        // the compliance suite expects).
        return c;
    }
  }

  /** charClassExpr = "[" [ "^" ] ( "-" / CCE1 ) *CCE1 [ "-" ] "]" */
  private classExpression(): string {
    let source = '[';
    if (this.chars[this.pos] === '^') {
      this.pos++;
      source += '^';
    }
    if (this.chars[this.pos] === '-') {
      this.pos++;
      source += '\\-';
    } else {
      source += this.classEntry();
    }
    while (this.chars[this.pos] !== ']') {
      if (this.chars[this.pos] === '-' && this.chars[this.pos + 1] === ']') {
        this.pos++;
        source += '\\-';
        break;
      }
      source += this.classEntry();
    }
    this.expect(']');
    return `${source}]`;
  }

  /** CCE1 = ( CCchar [ "-" CCchar ] ) / charClassEsc */
  private classEntry(): string {
    if (this.chars[this.pos] === '\\' && (this.chars[this.pos + 1] === 'p' || this.chars[this.pos + 1] === 'P')) {
      this.pos++;
      return this.escape(true);
    }
    const low = this.classChar();
    if (this.chars[this.pos] !== '-' || this.chars[this.pos + 1] === ']') return low.source;
    this.pos++;
    const high = this.classChar();
    if (high.char.codePointAt(0)! < low.char.codePointAt(0)!) throw INVALID;
    return `${low.source}-${high.source}`;
  }

  /** CCchar: any character but `-`, `[`, `\`, `]` and surrogates, or a SingleCharEsc. */
  private classChar(): { char: string; source: string } {
    const c = this.chars[this.pos++];
    if (c === undefined) throw INVALID;
    if (c === '\\') {
      const e = this.chars[this.pos++];
      if (!SINGLE_CHAR_ESCAPES.has(e)) throw INVALID;
      const char = e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
      return { char, source: `\\${e}` };
    }
    if (c === '-' || c === '[' || c === ']' || isSurrogate(c)) throw INVALID;
    return { char: c, source: c === '^' ? '\\^' : c };
  }

  /** After `\`: a SingleCharEsc, `\p{…}` or `\P{…}`. */
  private escape(inClass: boolean): string {
    const e = this.chars[this.pos++];
    if (e === 'p' || e === 'P') {
      this.expect('{');
      const end = this.chars.indexOf('}', this.pos);
      if (end === -1) throw INVALID;
      const category = this.chars.slice(this.pos, end).join('');
      if (!CATEGORIES.has(category)) throw INVALID;
      this.pos = end + 1;
      return `\\${e}{${category}}`;
    }
    if (!SINGLE_CHAR_ESCAPES.has(e)) throw INVALID;
    // With the `u` flag JavaScript accepts `\-` only inside a class.
    return e === '-' && !inClass ? '-' : `\\${e}`;
  }

  private expect(c: string): void {
    if (this.chars[this.pos] !== c) throw INVALID;
    this.pos++;
  }
}

/** NormalChar: every character but `(`–`+`, `.`, `?`, `[`, `\`, `]`, `{`, `|`, `}` and surrogates. */
function isNormalChar(c: string | undefined): boolean {
  if (c === undefined || isSurrogate(c)) return false;
  return !'()*+.?[\\]{|}'.includes(c);
}

function isSurrogate(c: string): boolean {
  const code = c.charCodeAt(0);
  return c.length === 1 && code >= 0xd800 && code <= 0xdfff;
}
