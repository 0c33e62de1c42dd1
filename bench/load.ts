/**
 * Load cost: reading, validating and compiling capability files, from the 19-operation Junction Users
 * file to the whole real-world corpus and generated files of 500 and 5,000 operations.
 *
 * "Load" is `inspectCapability` / `loadCapability` end to end: read the file, parse the YAML with a
 * position for every node, validate against the schema, compile every operation into its plan.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectCapability } from '../runtime/load/loadCapability.js';
import { collectGarbage } from './gc.js';
import { CORPUS } from './paths.js';
import { median } from './stats.js';

/** Time and retained heap of loading one file or set of files. */
export interface LoadFigure {
  label: string;
  files: number;
  /** Operations compiled, over all files. */
  operations: number;
  /** The first load in this process, JIT not yet warm for this input, ms. */
  firstMs: number;
  /** Median of the later loads, ms. */
  warmMs: number;
  /** Heap still held by one load's result after a full GC, bytes (averaged over several for small files). */
  retainedBytes: number;
}

/** Below this much retained heap a single load's figure is lost in GC noise, so several are held at once. */
const HEAP_SAMPLE_OPERATIONS = 2_000;

/**
 * Loads `files` once (timed as the first load), then `repeats` more times (median), then holds enough
 * loads at once between two full GCs to see the heap one load keeps. Files that are not capabilities
 * (the corpus has two) count as loaded: their diagnostics are the result.
 */
export function measureLoad(label: string, files: string[], repeats: number): LoadFigure {
  const loadAll = () => files.map((file) => inspectCapability(file));
  let started = performance.now();
  const first = loadAll();
  const firstMs = performance.now() - started;
  const operations = first.reduce((n, r) => n + (r.capability?.operations.length ?? 0), 0);

  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    started = performance.now();
    loadAll();
    times.push(performance.now() - started);
  }

  const copies = Math.max(1, Math.ceil(HEAP_SAMPLE_OPERATIONS / Math.max(1, operations)));
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const held = Array.from({ length: copies }, loadAll);
  collectGarbage();
  const retained = process.memoryUsage().heapUsed - before;
  // Counted after the measurement, which also keeps every held load reachable until then.
  const heldOperations = held.flat().reduce((n, r) => n + (r.capability?.operations.length ?? 0), 0);
  if (heldOperations !== operations * copies) throw new Error(`${label}: loads differ (${heldOperations} operations in ${copies} loads of ${operations})`);
  return { label, files: files.length, operations, firstMs, warmMs: median(times), retainedBytes: retained / copies };
}

/** Every file of the corpus, as listed in its INDEX.tsv. */
export function corpusFiles(): string[] {
  return readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => join(CORPUS, line.split('\t')[0]));
}

/** The corpus file with the most consumed operations (by INDEX.tsv's `consumed_ops`). */
export function largestCorpusFile(): { file: string; operations: number } {
  const rows = readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
  const largest = rows.reduce((best, row) => (Number(row[6]) > Number(best[6]) ? row : best));
  return { file: join(CORPUS, largest[0]), operations: Number(largest[6]) };
}

const RESOURCE_SIZE = 5;

/**
 * A capability of `operations` operations in the generated Junction dialect: one namespace with an API
 * key from the environment, resources of five operations (list with paging and an enum filter, get,
 * create with a JSON body, patch, delete), path, query, header and body parameters, and typed outputs,
 * one in five a wildcard JSONPath that needs the library.
 */
export function generateCapability(operations: number): string {
  const lines = [
    'naftiko: 1.0.0-alpha2',
    'info:',
    `  label: Generated ${operations}-operation capability`,
    '  description: Synthetic capability for the load benchmark, shaped like the generated real-world files.',
    'binds:',
    '- namespace: env',
    '  keys:',
    '    GEN_API_KEY: GEN_API_KEY',
    'capability:',
    '  consumes:',
    '  - type: http',
    '    namespace: generated',
    '    baseUri: https://api.example.com',
    '    description: Every operation of the synthetic API.',
    '    resources:',
  ];
  for (let r = 0; r * RESOURCE_SIZE < operations; r++) {
    const thing = `thing${r}`;
    lines.push(`    - name: ${thing}s`, `      path: /v2/${thing}s`, '      operations:');
    const kinds = [listOperation, getOperation, createOperation, patchOperation, deleteOperation];
    for (let k = 0; k < RESOURCE_SIZE && r * RESOURCE_SIZE + k < operations; k++) lines.push(...kinds[k](thing));
  }
  return `${lines.join('\n')}\n`;
}

function parameter(name: string, location: string, type: string, required: boolean, extra: string[] = []): string[] {
  return [
    `        - name: ${name}`,
    `          in: ${location}`,
    `          type: ${type}`,
    `          description: The ${name.replace(/_/g, ' ')}.`,
    `          required: ${required}`,
    ...extra.map((line) => `          ${line}`),
  ];
}

function output(name: string, type: string, value: string): string[] {
  return [`        - name: ${name}`, `          type: ${type}`, `          value: ${value}`];
}

function operation(name: string, method: string, description: string, path: string | undefined, inputs: string[], outputs: string[]): string[] {
  return [
    `      - name: ${name}`,
    `        method: ${method}`,
    `        description: ${description}`,
    ...(path ? [`        path: ${path}`] : []),
    '        outputRawFormat: json',
    '        outputParameters:',
    ...outputs,
    ...(inputs.length > 0 ? ['        inputParameters:', ...inputs] : []),
  ];
}

const listOperation = (thing: string) =>
  operation(
    `list_${thing}s`,
    'GET',
    `List ${thing}s, a page at a time`,
    undefined,
    [
      ...parameter('offset', 'query', 'integer', false, ['default: 0']),
      ...parameter('limit', 'query', 'integer', false, ['default: 50']),
      ...parameter('status', 'query', 'string', false, ['enum:', '- active', '- archived']),
      ...parameter('X-Request-Id', 'header', 'string', false),
    ],
    [...output('ids', 'array', '$.items[*].id'), ...output('total', 'integer', '$.total')],
  );

const getOperation = (thing: string) =>
  operation(
    `get_${thing}`,
    'GET',
    `Get one ${thing}`,
    `/v2/${thing}s/{${thing}_id}`,
    parameter(`${thing}_id`, 'path', 'string', true, ["pattern: '^[0-9a-f-]{36}$'"]),
    [...output('id', 'string', '$.id'), ...output('name', 'string', '$.attributes.name'), ...output('created_on', 'string', '$.created_on')],
  );

const createOperation = (thing: string) =>
  operation(`create_${thing}`, 'POST', `Create a ${thing}`, undefined, parameter('body', 'body', 'object', true), [...output('result', 'object', '$.')]);

const patchOperation = (thing: string) =>
  operation(
    `patch_${thing}`,
    'PATCH',
    `Change some fields of a ${thing}`,
    `/v2/${thing}s/{${thing}_id}`,
    [...parameter(`${thing}_id`, 'path', 'string', true), ...parameter('body', 'body', 'object', true)],
    [...output('result', 'object', '$.')],
  );

const deleteOperation = (thing: string) =>
  operation(`delete_${thing}`, 'DELETE', `Delete a ${thing}`, `/v2/${thing}s/{${thing}_id}`, parameter(`${thing}_id`, 'path', 'string', true), [
    ...output('deleted', 'boolean', '$.deleted'),
  ]);

/** Writes a generated capability of `operations` operations to a temporary file; `remove` deletes it. */
export function writeGeneratedCapability(operations: number): { file: string; bytes: number; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'naftiko-bench-'));
  const file = join(dir, `generated-${operations}.yaml`);
  const text = generateCapability(operations);
  writeFileSync(file, text);
  return { file, bytes: Buffer.byteLength(text), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
