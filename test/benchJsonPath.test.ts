/**
 * Proves the JSONPath benchmark works, with a few iterations: both evaluators give the same nodes on
 * every compared expression (measureJsonPath throws otherwise) and every figure is a sane number. It
 * never asserts how fast anything is.
 */
import { expect, test } from 'vitest';
import { CASES, formatJsonPathReport, measureJsonPath } from '../bench/jsonPath.js';

test('measures every expression with both evaluators and the cold import cost', () => {
  const results = measureJsonPath({ evaluations: 20, rounds: 2, imports: 1 });
  expect(results.figures.map((f) => f.case.expression)).toEqual(CASES.map((c) => c.expression));
  for (const figure of results.figures) {
    expect(figure.matches).toBeGreaterThan(0);
    expect(figure.evaluateUs.rfc).toBeGreaterThan(0);
    expect(figure.compileUs.rfc).toBeGreaterThan(0);
    if (figure.case.both) expect(figure.evaluateUs.jsonpathPlus).toBeGreaterThan(0);
    else expect(figure.evaluateUs.jsonpathPlus).toBeUndefined();
  }
  expect(Object.values(results.importMs).every((ms) => ms > 0)).toBe(true);
  const report = formatJsonPathReport(results);
  for (const c of CASES) expect(report).toContain(`\`${c.expression}\``);
  expect(report).toMatch(/Cold import in a fresh process/);
});
