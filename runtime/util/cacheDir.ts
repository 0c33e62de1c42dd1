import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `naftiko` keeps its caches (see `LoadOptions.cacheDir`): `$NAFTIKO_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/naftiko`, else `~/.cache/naftiko`; undefined when `NAFTIKO_CACHE_DIR` is `off`.
 */
export function defaultCacheDir(env: Record<string, string | undefined>): string | undefined {
  const configured = env.NAFTIKO_CACHE_DIR;
  if (configured === 'off') return undefined;
  if (configured) return configured;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'naftiko');
}
