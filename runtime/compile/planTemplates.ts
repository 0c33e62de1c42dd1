import type { OperationPlan, SecretPart } from './plan.js';
import { authTemplates } from './compileAuth.js';
import { bodyTemplates } from './compileBody.js';

/** Every secret reference an operation can resolve: base URI, path, parameters, body and authentication. */
export function* planSecretParts(plan: OperationPlan): Generator<SecretPart> {
  for (const part of [...plan.pathParts, ...plan.queryParts]) if (part.kind === 'secret') yield part;
  const templates = [plan.baseUri, ...authTemplates(plan.auth), ...bodyTemplates(plan.body)];
  for (const param of plan.parameters) if (param.valueTemplate) templates.push(param.valueTemplate);
  for (const template of templates) for (const part of template.parts) if (part.kind === 'secret') yield part;
}
