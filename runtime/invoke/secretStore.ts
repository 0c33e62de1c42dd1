import { SecretMissingError } from '../errors.js';
import type { BindPlan, SecretPart } from '../compile/plan.js';
import { Redactor } from './redactor.js';

/**
 * The secrets of one runtime, shared by every capability it serves and every adapter on top of it:
 * values come from a bind's key file when it has a `location`, otherwise from the runtime's
 * environment. Every value it hands out, and every value it is told about (`learn`), is masked by its
 * {@link Redactor} wherever text leaves the runtime.
 */
export class SecretStore {
  readonly #env: Record<string, string | undefined>;
  /** Masks every secret this store knows of. */
  readonly redactor = new Redactor();

  constructor(env: Record<string, string | undefined>) {
    this.#env = env;
  }

  /**
   * Remembers every value the binds and secret references can resolve to now, so that a value echoed
   * back is masked even before the runtime first sends it (another operation may use it, or an
   * exposed `with:` may pass it on as a plain input).
   */
  learn(binds: BindPlan[], parts: Iterable<SecretPart>): void {
    for (const bind of binds) {
      // A file bind's values are all secrets, whichever keys name them; an environment bind's are its keys' variables.
      const values = bind.values ? Object.values(bind.values) : Object.values(bind.keys).map((key) => this.#env[key]);
      for (const value of values) if (value) this.redactor.add(value);
    }
    for (const part of parts) {
      const value = this.#lookup(part);
      if (value) this.redactor.add(value);
    }
  }

  /** The value of a bound variable, or SECRET_MISSING naming the variable and the operation. */
  resolve(part: SecretPart, operation: string): string {
    const value = this.#lookup(part);
    if (value === undefined || value === '') {
      const where = part.bind?.location ? `key '${part.key}' is missing from bind file ${part.bind.location}` : `environment variable ${part.key} is not set`;
      throw new SecretMissingError(`${operation}: secret ${part.ref} is unavailable: ${where}`, { operation, variable: part.key });
    }
    this.redactor.add(value);
    return value;
  }

  #lookup(part: SecretPart): string | undefined {
    return part.bind?.values ? part.bind.values[part.key] : this.#env[part.key];
  }
}
