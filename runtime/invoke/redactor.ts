/**
 * Masks secrets wherever they could leave the runtime: response bodies and headers (an API may echo a
 * key back), errors and their causes, events and logs.
 *
 * A secret is masked in every form a server may echo it in: as is, JSON-escaped (with or without `\/`),
 * percent-encoded in either case of hex digits, form-encoded (`+` for spaces), and, for Basic
 * credentials, the base64 of `user:password`. Secrets shorter than {@link MIN_EMBEDDED_LENGTH}
 * characters would match ordinary text, so they are masked only where a whole value equals them: a
 * string in a response or an error, a header value, a query value.
 */

/** Placeholder shown wherever a secret value would appear. */
export const MASK = '***';

/** Shortest secret masked inside longer text; shorter ones are masked only as whole values. */
export const MIN_EMBEDDED_LENGTH = 4;

/** Escapes that could spell a secret in a body: JSON and YAML `\u`, `\x`, `\U` (and XML `&#`, checked apart). */
const BACKSLASH_ESCAPES = ['\\u', '\\x', '\\U'];

export class Redactor {
  /** Every secret added, as given. */
  readonly #known = new Set<string>();
  /** Literal forms of long secrets, for the fast byte search of response bodies. */
  readonly #literals: string[] = [];
  /** Every form of every long secret (percent-encoding in any case), for text; built on first use after a change. */
  #pattern: RegExp | undefined;
  readonly #sources: string[] = [];
  /** Every form of every short secret: only values equal to one are masked. */
  readonly #whole = new Set<string>();
  /** A form of some long secret contains `%`: bodies holding a `%` are searched with the pattern. */
  #percent = false;

  /** Whether any secret is known (nothing to do otherwise). */
  get active(): boolean {
    return this.#known.size > 0;
  }

  /** Starts masking `secret` in all its forms. Empty values are ignored. */
  add(secret: string): void {
    if (secret === '' || this.#known.has(secret)) return;
    this.#known.add(secret);
    this.#index(secret);
  }

  /**
   * Stops masking `secret`. For values that expire and are replaced (OAuth2 access tokens): a
   * long-running runtime would otherwise search every response for every token it ever held.
   */
  forget(secret: string): void {
    if (!this.#known.delete(secret)) return;
    this.#literals.length = 0;
    this.#sources.length = 0;
    this.#whole.clear();
    this.#percent = false;
    this.#pattern = undefined;
    for (const known of this.#known) this.#index(known);
  }

  #index(secret: string): void {
    const forms = encodedForms(secret);
    if (secret.length < MIN_EMBEDDED_LENGTH) {
      for (const form of forms) this.#whole.add(form);
      return;
    }
    for (const form of forms) {
      if (!this.#literals.includes(form)) this.#literals.push(form);
      if (form.includes('%')) this.#percent = true;
      this.#sources.push(patternSource(form));
    }
    // Built when next needed: a runtime learns its secrets one by one, and one pattern serves them all.
    this.#pattern = undefined;
  }

  /** The pattern of every long secret's forms, or undefined when there is none. */
  #compiled(): RegExp | undefined {
    if (this.#pattern === undefined && this.#sources.length > 0) {
      // Longest first, so that a secret containing another is masked whole.
      this.#sources.sort((a, b) => b.length - a.length);
      this.#pattern = new RegExp(this.#sources.join('|'), 'g');
    }
    return this.#pattern;
  }

  /** Starts masking Basic credentials: the pair and its base64 as sent in `Authorization: Basic …`. */
  addCredentials(username: string, password: string): void {
    this.add(password);
    if (username === '' && password === '') return;
    const pair = `${username}:${password}`;
    this.add(pair);
    this.add(Buffer.from(pair, 'utf8').toString('base64'));
  }

  /** `text` with every secret masked. */
  text(text: string): string {
    if (this.#whole.has(text)) return MASK;
    const pattern = this.#compiled();
    if (pattern === undefined) return text;
    pattern.lastIndex = 0;
    return pattern.test(text) ? text.replace(pattern, MASK) : text;
  }

  /** Whether `text` (or a body's bytes) holds a secret in some form. */
  holds(text: string | Buffer): boolean {
    if (!this.active) return false;
    const string = typeof text === 'string' ? text : text.toString('latin1');
    if (this.#whole.has(string)) return true;
    const pattern = this.#compiled();
    if (pattern === undefined) return false;
    pattern.lastIndex = 0;
    return pattern.test(string);
  }

  /**
   * Whether a response body may hold a secret in some form: a literal form, a `%` where a form needs
   * one, an escape sequence that could spell one, or any string at all when short secrets are known.
   * Bodies for which this is false need no walk after parsing.
   */
  mayHold(body: Buffer | string): boolean {
    if (!this.active) return false;
    if (this.#whole.size > 0) return true;
    for (const literal of this.#literals) if (body.includes(literal)) return true;
    if (this.#percent && body.includes('%')) return true;
    // One scan for a backslash spares the three for its escapes in the bodies that have none.
    if (body.includes('\\')) for (const escape of BACKSLASH_ESCAPES) if (body.includes(escape)) return true;
    return body.includes('&#');
  }

  /**
   * Masks every string (keys included) of a parsed tree in place and returns it; a string root comes
   * back masked. Iterative, so that no nesting depth can overflow the stack.
   */
  tree<T>(root: T): T {
    if (!this.active) return root;
    if (typeof root === 'string') return this.text(root) as T;
    if (root === null || typeof root !== 'object') return root;
    const stack: object[] = [root];
    while (stack.length > 0) {
      const node = stack.pop() as Record<string, unknown> | unknown[];
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length; i++) {
          const child = node[i];
          if (typeof child === 'string') node[i] = this.text(child);
          else if (child !== null && typeof child === 'object') stack.push(child);
        }
        continue;
      }
      for (const key of Object.keys(node)) {
        const child = node[key];
        const masked = this.text(key);
        if (masked !== key) {
          delete node[key];
          node[masked] = child;
        }
        if (typeof child === 'string') node[masked] = this.text(child);
        else if (child !== null && typeof child === 'object') stack.push(child);
      }
    }
    return root;
  }

  /** Response or request headers with every secret masked (a copy, only when something changed). */
  headers<H extends Record<string, string | string[] | undefined>>(headers: H): H {
    if (!this.active) return headers;
    let copy: Record<string, string | string[] | undefined> | undefined;
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      const masked = Array.isArray(value) ? value.map((v) => this.text(v)) : value === undefined ? value : this.text(value);
      if (Array.isArray(value) ? (masked as string[]).some((v, i) => v !== value[i]) : masked !== value) (copy ??= { ...headers })[name] = masked;
    }
    return (copy ?? headers) as H;
  }

  /** A raw body with the byte forms of every secret masked (a copy, only when one is found). */
  buffer(body: Buffer): Buffer {
    if (!this.mayHold(body)) return body;
    const text = body.toString('latin1');
    const masked = this.text(text);
    // latin1 maps bytes to characters one to one, so non-text bodies survive the round trip.
    return masked === text ? body : Buffer.from(masked, 'latin1');
  }

  /**
   * Masks an error in place, before it leaves the runtime: its message and stack, every own property
   * (a Naftiko error's details, body, url…), and its cause, recursively.
   */
  error<E>(error: E): E {
    if (!this.active) return error;
    const seen = new Set<unknown>();
    let current: unknown = error;
    while (current instanceof Error && !seen.has(current)) {
      seen.add(current);
      current.message = this.text(current.message);
      if (typeof current.stack === 'string') current.stack = this.text(current.stack);
      const fields = current as unknown as Record<string, unknown>;
      for (const key of Object.keys(fields)) {
        if (key === 'cause') continue;
        const value = fields[key];
        if (typeof value === 'string') fields[key] = this.text(value);
        else if (value !== null && typeof value === 'object' && !(value instanceof Error)) this.tree(value);
      }
      const cause = current.cause;
      if (cause instanceof Error) current = cause;
      else {
        if (typeof cause === 'string') current.cause = this.text(cause);
        else if (cause !== null && typeof cause === 'object') this.tree(cause);
        break;
      }
    }
    return error;
  }
}

/** The forms a server may echo `secret` in, the secret first. */
function encodedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const percent = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  return [...new Set([secret, json, json.replaceAll('/', '\\/'), percent, form])];
}

/** A regular-expression source matching `form` literally, with percent-encoded hex digits in any case. */
function patternSource(form: string): string {
  return form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([0-9A-F])([0-9A-F])/g, (_, a: string, b: string) => `%${hexClass(a)}${hexClass(b)}`);
}

function hexClass(digit: string): string {
  return /[A-F]/.test(digit) ? `[${digit}${digit.toLowerCase()}]` : digit;
}
