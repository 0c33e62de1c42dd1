/**
 * `naftiko-runtime/openapi`: add an API from its OpenAPI document, or describe a capability as one.
 *
 * ```ts
 * import { importOpenApi, exportOpenApi } from 'naftiko-runtime/openapi';
 * const { yaml, report } = await importOpenApi('petstore.yaml', { namespace: 'pets' });
 * ```
 */
export { importOpenApi, type ImportOptions, type ImportResult } from './importOpenApi.js';
export { exportOpenApi, type ExportOptions, type ExportResult } from './exportOpenApi.js';
export { formatReportEntry, type ReportEntry } from './report.js';
