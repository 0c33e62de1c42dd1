/**
 * `npm run bench:jsonpath`: what JSONPath outputs cost, our RFC 9535 evaluator against jsonpath-plus
 * as the runtime used it before (safe mode, the same options, `compileLegacyPath`), on the bench
 * server's page of 100 Junction users (about 100 KB); and what importing the JSONPath module costs a
 * cold process. Prints a Markdown report and writes it to bench/jsonpath-results.md.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileLegacyPath } from '../runtime/response/jsonpath/legacy.js';
import { compileJsonPath } from '../runtime/response/jsonPath.js';
import type { CompiledPath } from '../runtime/compile/plan.js';
import { ROOT } from './paths.js';
import { BODIES } from './server.js';
import { median } from './stats.js';

/** An expression to measure; `both` when jsonpath-plus reads it the same way, so the two can be compared. */
export interface JsonPathCase {
  label: string;
  expression: string;
  both: boolean;
}

export const CASES: JsonPathCase[] = [
  { label: 'member chain (KeyPath)', expression: '$.users[42].client_user_id', both: true },
  { label: 'filter, one match', expression: "$.users[?(@.client_user_id == 'customer-000042')].user_id", both: true },
  { label: 'filter on a nested member', expression: "$.users[?(@.connected_sources[0].provider.slug == 'oura')].client_user_id", both: true },
  { label: 'wildcard', expression: '$.users[*].user_id', both: true },
  { label: 'descendants', expression: '$..slug', both: true },
  { label: 'functions count() and match()', expression: "$.users[?count(@.connected_sources[*]) == 2 && match(@.client_user_id, 'customer-0000[0-4].')].user_id", both: false },
];

/** How long to measure. */
export interface JsonPathSettings {
  /** Evaluations per round, and rounds (the median round counts). */
  evaluations: number;
  rounds: number;
  /** Fresh processes for the import cost. */
  imports: number;
}

export const FULL: JsonPathSettings = { evaluations: 2_000, rounds: 15, imports: 21 };

/** Figures for one expression: µs per evaluation and per compilation, ours and jsonpath-plus's. */
export interface JsonPathFigure {
  case: JsonPathCase;
  matches: number;
  evaluateUs: { rfc: number; jsonpathPlus?: number };
  compileUs: { rfc: number; jsonpathPlus?: number };
}

export interface JsonPathResults {
  figures: JsonPathFigure[];
  /**
   * Milliseconds to import in a fresh Node process, medians: a one-line module (what any import costs),
   * our JSONPath module, and jsonpath-plus (which the module used to import eagerly).
   */
  importMs: { processes: number; emptyModule: number; jsonPathModule: number; jsonpathPlus: number };
}

/** Runs the measurements. Throws if the two evaluators disagree on an expression both read the same way. */
export function measureJsonPath(settings: JsonPathSettings): JsonPathResults {
  const document: unknown = JSON.parse(BODIES.large.toString());
  const figures = CASES.map((c): JsonPathFigure => {
    const rfc = compileJsonPath(c.expression);
    const figure: JsonPathFigure = {
      case: c,
      matches: rfc.evaluate(document).length,
      evaluateUs: { rfc: timeEvaluate(rfc, document, settings) },
      compileUs: { rfc: timeCompile(() => compileJsonPath(c.expression), settings) },
    };
    if (c.both) {
      const plus = compileLegacyPath(c.expression, c.expression);
      if (JSON.stringify(plus.evaluate(document)) !== JSON.stringify(rfc.evaluate(document))) throw new Error(`the evaluators disagree on ${c.expression}`);
      figure.evaluateUs.jsonpathPlus = timeEvaluate(plus, document, settings);
      figure.compileUs.jsonpathPlus = timeCompile(() => compileLegacyPath(c.expression, c.expression), settings);
    }
    return figure;
  });
  return {
    figures,
    importMs: {
      processes: settings.imports,
      emptyModule: coldImport('data:text/javascript,export default 1', settings.imports),
      jsonPathModule: coldImport(pathToFileURL(join(ROOT, 'dist/runtime/response/jsonPath.js')).href, settings.imports),
      jsonpathPlus: coldImport('jsonpath-plus', settings.imports),
    },
  };
}

function timeEvaluate(path: CompiledPath, document: unknown, settings: JsonPathSettings): number {
  const rounds: number[] = [];
  let sink = 0;
  // Round -1 warms the JIT up and is not counted.
  for (let r = -1; r < settings.rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < settings.evaluations; i++) sink += path.evaluate(document).length;
    if (r >= 0) rounds.push(((performance.now() - start) * 1000) / settings.evaluations);
  }
  if (sink < 0) throw new Error('unreachable');
  return median(rounds);
}

function timeCompile(compile: () => CompiledPath, settings: JsonPathSettings): number {
  const count = settings.evaluations;
  const rounds: number[] = [];
  for (let r = -1; r < settings.rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < count; i++) compile();
    if (r >= 0) rounds.push(((performance.now() - start) * 1000) / count);
  }
  return median(rounds);
}

/** Median time to import `specifier` in a fresh process, from the package root. */
function coldImport(specifier: string, processes: number): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < processes; i++) {
    times.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })));
  }
  return median(times);
}

/** The results as Markdown. */
export function formatJsonPathReport(r: JsonPathResults): string {
  const us = (value: number | undefined) => (value === undefined ? '—' : value < 10 ? value.toFixed(2) : value.toFixed(0));
  const ratio = (a: number | undefined, b: number) => (a === undefined ? '—' : `${(a / b).toFixed(1)}×`);
  const lines = [
    '# JSONPath benchmark',
    '',
    `Document: the bench server's \`GET /v2/user\` page of 100 users (${(BODIES.large.length / 1024).toFixed(0)} KiB). Medians of rounds; µs per call. "jsonpath-plus" is how the runtime evaluated every non-chain expression before (safe mode, same options).`,
    '',
    '| expression | matches | evaluate: RFC evaluator | evaluate: jsonpath-plus | speed-up | compile: ours | compile: jsonpath-plus |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.figures.map((f) => `| ${f.case.label}: \`${f.case.expression}\` | ${f.matches} | ${us(f.evaluateUs.rfc)} | ${us(f.evaluateUs.jsonpathPlus)} | ${ratio(f.evaluateUs.jsonpathPlus, f.evaluateUs.rfc)} | ${us(f.compileUs.rfc)} | ${us(f.compileUs.jsonpathPlus)} |`),
    '',
    `Cold import in a fresh process (median of ${r.importMs.processes} processes each, beyond the ${r.importMs.emptyModule.toFixed(1)} ms a one-line module takes): \`runtime/response/jsonPath.js\` with the RFC evaluator ${(r.importMs.jsonPathModule - r.importMs.emptyModule).toFixed(1)} ms, jsonpath-plus being loaded on first use only; jsonpath-plus, which the module used to import eagerly, ${(r.importMs.jsonpathPlus - r.importMs.emptyModule).toFixed(1)} ms.`,
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = formatJsonPathReport(measureJsonPath(FULL));
  process.stdout.write(report);
  const file = join(ROOT, 'bench', 'jsonpath-results.md');
  writeFileSync(file, report);
  process.stderr.write(`written to ${file}\n`);
}
