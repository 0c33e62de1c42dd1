/**
 * `naftiko import openapi`: an OpenAPI document → a capability. Reading, modelling and writing are
 * separate steps (readOpenApi → buildModel → writeNaftiko | writeIkanos), so that both formats come
 * from one model and every loss lands in one report.
 */
import { stringify } from 'yaml';
import { buildModel, type ModelOptions } from './buildModel.js';
import type { ApiModel } from './model.js';
import { readOpenApi, type ReadOptions } from './readOpenApi.js';
import { Report, type ReportEntry } from './report.js';
import { writeIkanos } from './writeIkanos.js';
import { writeNaftiko } from './writeNaftiko.js';

/** Options of `importOpenApi`. */
export interface ImportOptions extends ModelOptions, ReadOptions {
  /** `naftiko` (1.0.0-alpha2, loaded by this runtime; the default) or `ikanos` (1.0.0-beta5). */
  format?: 'naftiko' | 'ikanos';
}

/** What an import produced. */
export interface ImportResult {
  /** The capability as plain data. */
  document: Record<string, unknown>;
  /** The same, as YAML text. */
  yaml: string;
  /** The model both formats are written from. */
  model: ApiModel;
  /** Everything that could not be carried over, or was chosen among alternatives. */
  report: ReportEntry[];
  /** Number of operations imported. */
  operations: number;
}

/**
 * Reads an OpenAPI document (file path or http(s) URL; Swagger 2.0, OpenAPI 3.0 or 3.1; JSON or YAML)
 * and writes a capability for it.
 *
 * @throws SpecError for an unreadable document, InputError for a `tags`/`operations` filter that
 *   names nothing, NetworkError/TimeoutError/HttpError for a URL that cannot be downloaded.
 */
export async function importOpenApi(source: string, options: ImportOptions = {}): Promise<ImportResult> {
  const report = new Report();
  const read = await readOpenApi(source, options);
  const model = buildModel(read, options, report);
  const document = options.format === 'ikanos' ? writeIkanos(model, report) : writeNaftiko(model);
  const operations = model.resources.reduce((n, r) => n + r.operations.length, 0);
  return { document, yaml: toYaml(document), model, report: report.entries, operations };
}

/** Capability YAML: no anchors or aliases (a schema shared by two operations is written twice), no folding of long lines. */
export function toYaml(document: unknown): string {
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}
