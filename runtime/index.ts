/**
 * naftiko-runtime: load Naftiko capability files and invoke their HTTP operations by name.
 *
 * ```ts
 * import { loadCapability, createRuntime } from 'naftiko-runtime';
 * const users = await loadCapability('capabilities/vital-users.yaml');
 * const runtime = createRuntime(users);
 * const { result } = await runtime.invoke('get_user_v2_user__user_id__get', { user_id });
 * ```
 */
export { loadCapability, inspectCapability, type Inspection } from './load/loadCapability.js';
export {
  createRuntime,
  type Runtime,
  type RuntimeOptions,
  type RuntimeEvent,
  type InvokeOptions,
  type InvocationResult,
  type PreparedRequest,
} from './runtime.js';
export * from './errors.js';
export type { Capability, OperationInfo, RetryOptions, JsonSchema, ValueType, ParameterLocation } from './types.js';
export { importOpenApi, type ImportOptions, type ImportResult } from './openapi/importOpenApi.js';
export { exportOpenApi, type ExportOptions, type ExportResult } from './openapi/exportOpenApi.js';
export { formatReportEntry, type ReportEntry } from './openapi/report.js';
