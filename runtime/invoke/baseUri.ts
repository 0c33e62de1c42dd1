import { InputError, SpecError } from '../errors.js';
import type { OperationPlan } from '../compile/plan.js';
import { baseUriVariable } from '../compile/compileCapability.js';
import { isLiteral } from '../compile/template.js';
import type { RuntimeOptions } from '../types.js';
import { encodePathSegment, type BaseUrl } from './buildRequest.js';
import { renderTemplate, stringify } from './renderTemplate.js';
import type { SecretStore } from './secretStore.js';

const HTTP_URL = /^https?:\/\/[^/]/i;

/**
 * The base URL of a namespace when it is known before any call: an override (`baseUris`, `baseUri`,
 * `NAFTIKO_BASE_URI_<NAMESPACE>`, in that order) or a literal `baseUri` in the file. Undefined when the
 * file's base URI is a template, which is rendered per call.
 */
export function fixedBaseUrl(plan: OperationPlan, options: RuntimeOptions, env: Record<string, string | undefined>): BaseUrl | undefined {
  const override = options.baseUris?.[plan.namespace] ?? options.baseUri ?? env[baseUriVariable(plan.namespace)];
  if (override !== undefined && override !== '') {
    if (!HTTP_URL.test(override)) throw new InputError(`base URI '${override}' for namespace '${plan.namespace}' is not an http(s) URL`);
    return { value: override, masked: override };
  }
  if (isLiteral(plan.baseUri) && plan.baseUri.raw !== '') return { value: plan.baseUri.raw, masked: plan.baseUri.raw };
  return undefined;
}

/**
 * Renders a templated base URI for one call. Secrets are masked in the masked twin; a caller's input is
 * encoded as one path segment, so that no input can change the scheme, the host or the port (bound
 * values come from the operator and are used as written).
 */
export function renderBaseUrl(plan: OperationPlan, secrets: SecretStore, inputs: Record<string, unknown>): BaseUrl {
  const url = renderTemplate(plan.baseUri, secrets, plan.id, (name) => {
    const value = inputs[name];
    if (value === undefined || value === null) throw new InputError(`${plan.id}: missing input '${name}', used by the base URI`, { operation: plan.id, parameter: name });
    return encodePathSegment(stringify(value), plan.id, name);
  });
  if (url.value === '') {
    throw new SpecError(`${plan.id}: namespace '${plan.namespace}' has no baseUri; give one with --base-uri, the baseUris option or ${baseUriVariable(plan.namespace)}`);
  }
  if (!HTTP_URL.test(url.value)) throw new SpecError(`${plan.id}: baseUri of namespace '${plan.namespace}' is not an http(s) URL`);
  return { value: url.value, masked: url.masked };
}
