/**
 * `naftiko import openapi`: an OpenAPI document → a capability. Reading, modelling and writing are
 * separate steps (readOpenApi → buildModel → writeNaftiko | writeIkanos), so that both formats come
 * from one model and every loss lands in one report.
 */
import { stringify } from 'yaml';
import { buildModel, type ModelOptions } from './buildModel.js';
import { RUNTIME_VOCABULARY, type ApiModel, type Vocabulary } from './model.js';
import { readOpenApi, type ReadOptions } from './readOpenApi.js';
import { Report, type ReportEntry } from './report.js';
import { writeIkanos } from './writeIkanos.js';
import { writeNaftiko } from './writeNaftiko.js';

/** Options of `importOpenApi`. */
export interface ImportOptions extends ModelOptions, ReadOptions {
  /** `naftiko` (1.0.0-alpha2, loaded by this runtime; the default) or `ikanos` (1.0.0-beta5). */
  format?: 'naftiko' | 'ikanos';
  /** Capability vocabulary the writer may use (default: what the runtime accepts today). */
  vocabulary?: Vocabulary;
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
  const vocabulary = options.vocabulary ?? RUNTIME_VOCABULARY;
  const read = await readOpenApi(source, options);
  const model = buildModel(read, options, report);
  reportPendingVocabulary(model, vocabulary, report);
  const document = options.format === 'ikanos' ? writeIkanos(model, vocabulary, report) : writeNaftiko(model, vocabulary);
  const operations = model.resources.reduce((n, r) => n + r.operations.length, 0);
  return { document, yaml: toYaml(document), model, report: report.entries, operations };
}

/** Capability YAML: no anchors or aliases (a schema shared by two operations is written twice), no folding of long lines. */
export function toYaml(document: unknown): string {
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/**
 * What the model holds but the runtime cannot load yet. The message names the switch, so the entry
 * disappears once issue 9 lands and `RUNTIME_VOCABULARY` is updated.
 */
function reportPendingVocabulary(model: ApiModel, vocabulary: Vocabulary, report: Report): void {
  const where = (key: keyof Vocabulary) => `switch: RUNTIME_VOCABULARY.${key} in runtime/openapi/model.ts`;
  for (const resource of model.resources) {
    for (const operation of resource.operations) {
      const subject = `${operation.method} ${resource.path} (${operation.name})`;
      if (operation.pagination && !vocabulary.pagination) report.notExpressibleYet(subject, `pagination ${JSON.stringify(operation.pagination)} (${where('pagination')})`);
      if (operation.async && !vocabulary.async) report.notExpressibleYet(subject, `async ${JSON.stringify(operation.async)}; 'done' must be added by hand (${where('async')})`);
    }
  }
  if (model.auth?.type === 'oauth2' && !vocabulary.oauth2ClientCredentials) {
    report.notExpressibleYet(
      'authentication',
      `OAuth2 client credentials at ${model.auth.tokenEndpoint}: the runtime cannot fetch tokens yet, so an access token is read from ${model.auth.tokenVariable} (${where('oauth2ClientCredentials')})`,
    );
  }
}
