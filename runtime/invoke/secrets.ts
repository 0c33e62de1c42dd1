import { SecretMissingError } from '../errors.js';
import type { BindPlan, Template, TemplatePart } from '../types.js';

/** Placeholder shown wherever a secret value would appear. */
export const MASK = '***';

type SecretPart = Extract<TemplatePart, { kind: 'secret' }>;

/**
 * Reads bound variables for one runtime: from a bind's key file when it has a `location`, otherwise
 * from the environment given to the runtime. Every value handed out is remembered so that any text
 * leaving the runtime (errors, logs, dry runs) can be scrubbed of it.
 */
export class SecretStore {
  readonly #binds: Map<string, BindPlan>;
  readonly #env: Record<string, string | undefined>;
  readonly #known = new Set<string>();

  constructor(binds: BindPlan[], env: Record<string, string | undefined>) {
    this.#binds = new Map(binds.map((b) => [b.namespace, b]));
    this.#env = env;
  }

  /** The value of a bound variable, or SECRET_MISSING naming the variable and the operation. */
  resolve(part: SecretPart, operation: string): string {
    const bind = part.bind === undefined ? undefined : this.#binds.get(part.bind);
    const value = bind?.values ? bind.values[part.key] : this.#env[part.key];
    if (value === undefined || value === '') {
      const where = bind?.location
        ? `key '${part.key}' is missing from bind file ${bind.location}`
        : `environment variable ${part.key} is not set`;
      throw new SecretMissingError(`${operation}: secret ${part.ref} is unavailable: ${where}`, { operation, variable: part.key });
    }
    if (value.length >= 4) this.#known.add(value);
    return value;
  }

  /** Replaces every secret value handed out so far with the mask. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#known) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(MASK);
    }
    return out;
  }

  /** Redacts a raw body, copying it only when it contains a secret (an upstream may echo a key back). */
  redactBuffer(body: Buffer): Buffer {
    for (const secret of this.#known) {
      if (body.includes(secret) || body.includes(encodeURIComponent(secret))) return Buffer.from(this.redact(body.toString('utf8')));
    }
    return body;
  }

  /** Deep-redacts strings inside a parsed value (an API may echo a key back in an error body). */
  redactValue(value: unknown): unknown {
    if (this.#known.size === 0) return value;
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v)]));
    }
    return value;
  }
}

/** Looks up caller inputs referenced by templates; throws when one is missing. */
export type InputLookup = (name: string) => unknown;

/**
 * Renders a template to its real value and, when it holds a secret, to its masked twin.
 * `encode` turns substituted values (not literal text) into text, e.g. percent-encoded or JSON.
 */
export function renderTemplate(
  template: Template,
  secrets: SecretStore,
  operation: string,
  input: InputLookup,
  encode: (value: unknown) => string = stringify,
): { value: string; masked: string } {
  const parts = template.parts;
  if (parts.length === 1 && parts[0].kind === 'text') return { value: template.raw, masked: template.raw };
  let value = '';
  let masked = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      value += part.text;
      masked += part.text;
    } else if (part.kind === 'secret') {
      value += encode(secrets.resolve(part, operation));
      masked += MASK;
    } else {
      const v = encode(input(part.name));
      value += v;
      masked += v;
    }
  }
  return { value, masked };
}

/** Text of a substituted value: strings as they are, containers as JSON, nothing as empty. */
export function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
