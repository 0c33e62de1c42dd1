/**
 * Ikanos `maxBinarySize` (`512KiB`, `10MiB`, `1GiB`…): the largest binary response an operation takes,
 * in bytes.
 */
const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** Bytes of a size such as `10MiB`, or undefined when it is not one. */
export function parseBinarySize(size: unknown): number | undefined {
  if (typeof size !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)(B|KiB|MiB|GiB)$/.exec(size.trim());
  return match ? Math.floor(Number(match[1]) * UNITS[match[2]]) : undefined;
}
