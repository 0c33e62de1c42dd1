/**
 * Deepest nesting of a response or an input value the runtime accepts. Parsing is iterative, but
 * serializing (JSON.stringify in every adapter) and some JSONPath evaluation recurse, and a 10 KB answer
 * can nest 5,000 levels: past this depth a response is refused with RESPONSE_INVALID and an input with
 * INPUT_INVALID, instead of crashing a caller later.
 */
export const MAX_DEPTH = 512;

/**
 * Whether `tree` nests deeper than `max` containers; stops at the first offending branch. Recursive,
 * which walks a 100 KB page four times faster than an explicit stack: the recursion never goes more
 * than `max + 1` calls deep (513 for {@link MAX_DEPTH}), whatever the tree, cycles included.
 */
export function nestsDeeperThan(tree: unknown, max: number): boolean {
  return tree !== null && typeof tree === 'object' && deeperThan(tree, 1, max);
}

function deeperThan(node: object, depth: number, max: number): boolean {
  if (depth > max) return true;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (child !== null && typeof child === 'object' && deeperThan(child, depth + 1, max)) return true;
    }
    return false;
  }
  const record = node as Record<string, unknown>;
  for (const key in record) {
    const child = record[key];
    if (child !== null && typeof child === 'object' && deeperThan(child, depth + 1, max)) return true;
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
