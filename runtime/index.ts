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
export { loadCapability, inspectCapability, type Inspection, type LoadOptions } from './load/loadCapability.js';
export { defaultCacheDir } from './util/cacheDir.js';
export { createRuntime } from './invoke/createRuntime.js';
export * from './errors.js';
export type {
  AsyncJobHandle,
  Capability,
  ForwardRequest,
  InvocationResult,
  InvokeOptions,
  JobProgress,
  ItemsOptions,
  JsonSchema,
  OperationHints,
  OperationInfo,
  Page,
  PageOptions,
  PageProgress,
  PaginationType,
  PollResult,
  ParameterLocation,
  PreparedRequest,
  PrepareOptions,
  RawFormat,
  RetryOptions,
  Runtime,
  RuntimeEvent,
  RuntimeOptions,
  ValueType,
  WireResponse,
} from './types.js';
