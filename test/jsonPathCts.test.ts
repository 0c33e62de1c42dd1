/**
 * The RFC 9535 JSONPath compliance test suite (test/fixtures/jsonpath-cts/cts.json, 703 cases) through
 * `compileJsonPath` + `evaluate`, as capability files use them: a valid selector must give the RFC
 * nodelist (or one of the allowed ones, where object member order is free), an invalid one must fail
 * to compile, which is what makes `naftiko validate` report it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compileJsonPath } from '../runtime/response/jsonPath.js';

interface CtsCase {
  name: string;
  selector: string;
  document?: unknown;
  result?: unknown[];
  results?: unknown[][];
  invalid_selector?: boolean;
}

const { tests: CASES } = JSON.parse(readFileSync(new URL('./fixtures/jsonpath-cts/cts.json', import.meta.url), 'utf8')) as { tests: CtsCase[] };

/**
 * The cases the runtime deliberately does not follow, each with its reason. The suite asserts that
 * exactly these fail, so both a regression and a fix are noticed.
 */
const KNOWN_FAILURES: ReadonlyMap<string, string> = new Map([
  // compileJsonPath ignores whitespace around the whole expression, as around any YAML value, so a
  // quoted ' $.id' in a capability file means $.id. The runtime never gives another value for it.
  ['basic, no leading whitespace', 'surrounding whitespace is ignored'],
  ['basic, no trailing whitespace', 'surrounding whitespace is ignored'],
]);

/** Whether the runtime gives the RFC answer for a case. */
function passes(c: CtsCase): boolean {
  let path;
  try {
    path = compileJsonPath(c.selector);
  } catch {
    return c.invalid_selector === true;
  }
  if (c.invalid_selector) return false;
  const nodes = JSON.stringify(path.evaluate(c.document));
  return (c.results ?? [c.result]).some((expected) => JSON.stringify(expected) === nodes);
}

const valid = CASES.filter((c) => !c.invalid_selector);
const invalid = CASES.filter((c) => c.invalid_selector);

test('the suite is the full 703-case CTS, with unique names', () => {
  expect(valid).toHaveLength(456);
  expect(invalid).toHaveLength(247);
  expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  for (const name of KNOWN_FAILURES.keys()) expect(CASES.map((c) => c.name)).toContain(name);
});

describe('valid selectors give the RFC nodelist', () => {
  test.each(valid.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const nodes = compileJsonPath(c.selector).evaluate(c.document);
    if (KNOWN_FAILURES.has(name)) expect(c.results ?? [c.result]).not.toContainEqual(nodes);
    else expect(c.results ?? [c.result]).toContainEqual(nodes);
  });
});

describe('invalid selectors fail to compile', () => {
  test.each(invalid.map((c) => [c.name, c] as const))('%s', (name, c) => {
    if (KNOWN_FAILURES.has(name)) expect(() => compileJsonPath(c.selector)).not.toThrow();
    else expect(() => compileJsonPath(c.selector)).toThrow(/^invalid JSONPath '.*': .+ at character \d+/s);
  });
});

test('pass rates: at least 95 % in each group, failing exactly the known cases', () => {
  const failing = CASES.filter((c) => !passes(c)).map((c) => c.name);
  expect(failing).toEqual([...KNOWN_FAILURES.keys()]);
  const rate = (group: CtsCase[]) => group.filter(passes).length / group.length;
  expect(rate(valid)).toBeGreaterThanOrEqual(0.95);
  expect(rate(invalid)).toBeGreaterThanOrEqual(0.95);
});
