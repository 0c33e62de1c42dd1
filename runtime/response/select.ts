/**
 * Reading the values that steer a walk of pages or a wait for a job (records, next cursor, has-more,
 * job id, done and failed) out of a converted response, with the same match rule as outputs: one
 * match is the value, several are an array.
 */
import type { CompiledPath } from '../compile/plan.js';
import { KeyPath, NO_MATCH } from './jsonPath.js';

/** The value `path` selects in `document`: one match the node, several an array, none `undefined`. */
export function selectValue(path: CompiledPath, document: unknown): unknown {
  if (path instanceof KeyPath) {
    const node = path.lookup(document);
    return node === NO_MATCH ? undefined : node;
  }
  const matches = path.evaluate(document);
  return matches.length === 0 ? undefined : matches.length === 1 ? matches[0] : matches;
}

/** The records `path` selects: the items of an array it selects (`$.data`), or its matches (`$.data[*]`). */
export function selectItems(path: CompiledPath, document: unknown): unknown[] {
  if (path instanceof KeyPath) {
    const node = path.lookup(document);
    if (node === NO_MATCH || node === null) return [];
    return Array.isArray(node) ? node : [node];
  }
  const matches = path.evaluate(document);
  return matches.length === 1 && Array.isArray(matches[0]) ? matches[0] : matches;
}

/** Whether a selected value says yes: present and neither null nor false. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}
