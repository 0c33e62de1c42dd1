/**
 * Deepest nesting of a response or an input value the runtime accepts. Parsing is iterative, but
 * serializing (JSON.stringify in every adapter) and some JSONPath evaluation recurse, and a 10 KB answer
 * can nest 5,000 levels: past this depth a response is refused with RESPONSE_INVALID and an input with
 * INPUT_INVALID, instead of crashing a caller later.
 */
export const MAX_DEPTH = 512;

/** Whether `tree` nests deeper than `max` containers; iterative, and stops at the first offending branch. */
export function nestsDeeperThan(tree: unknown, max: number): boolean {
  if (tree === null || typeof tree !== 'object') return false;
  const nodes: object[] = [tree];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = depths.pop() as number;
    if (depth > max) return true;
    for (const key in node) {
      const child = node[key];
      if (child !== null && typeof child === 'object') {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/**
 * Whether a body of this many bytes could nest deeper than `max`: each level takes at least two bytes
 * (`[` and `]`), so smaller bodies need no walk.
 */
export function couldNestDeeperThan(bytes: number, max: number): boolean {
  return bytes > 2 * max;
}
