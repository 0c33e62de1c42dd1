import { resolve } from 'node:path';

/**
 * The absolute path a `file://` location names, relative to `base` (the capability's directory):
 * real files write `file:///./shared/secrets.yaml` for a path beside the capability. Undefined when
 * the location is not a `file://` URI.
 */
export function resolveFileLocation(location: string, base: string): string | undefined {
  if (!location.startsWith('file://')) return undefined;
  let path = decodeURIComponent(location.slice('file://'.length));
  if (path.startsWith('/./') || path.startsWith('/../')) path = path.slice(1);
  return resolve(base, path);
}
