import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A dependency loaded on first use instead of at start-up: `yaml`'s full parser, `ajv`, the XML
 * parser… are needed by few runs, and loading them costs every `naftiko` command its start-up time.
 * Loads the package's CommonJS build synchronously, so compile-time code can stay synchronous.
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
