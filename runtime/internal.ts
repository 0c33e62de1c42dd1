/**
 * The one door for adapters that need more than the public API (`index.ts`): the orchestration engine
 * compiles `exposes` from a capability's document and positions, resolves bound values through the
 * runtime's own secret store, and shares the compiler's rules (templates, value checks, input schemas,
 * JSONPath, output typing) instead of writing them again. Nothing here is part of the package's public
 * API or its semver promises.
 */
export { capabilityInternals, type CapabilityInternals } from './compile/capabilityInternals.js';
export { runtimeInternals } from './invoke/runtimeInternals.js';
export { DiagnosticSink } from './compile/diagnostics.js';
export { compileTemplate, isLiteral } from './compile/template.js';
export { compileValueCheck, type ValueCheck } from './compile/valueChecks.js';
export { buildInputSchema } from './compile/inputSchema.js';
export type { AsyncPlan, AuthPlan, BindPlan, CompiledPath, OperationPlan, PaginationPlan, ParameterPlan, SourceRef, Template } from './compile/plan.js';
export { renderTemplate, stringify } from './invoke/renderTemplate.js';
export { coerce, preview } from './invoke/coerce.js';
export type { SecretStore } from './invoke/secretStore.js';
export type { Redactor } from './invoke/redactor.js';
export { compileJsonPath, KeyPath } from './response/jsonPath.js';
export { selectValue } from './response/select.js';
export { NOT_CONVERTIBLE, convertOutput, describeValue } from './response/convertOutput.js';
export { headerText, parseLooseBody } from './response/looseBody.js';
export { parseYaml } from './load/parseYaml.js';
export { NEWEST } from './load/dialects.js';
export { createHttpClient } from './http/client.js';
