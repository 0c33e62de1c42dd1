/**
 * Asynchronous jobs of an OpenAPI operation → the `async:` vocabulary of issue 9, in one place.
 * The hint is a `202 Accepted` response with an OpenAPI link to the operation that reads the job:
 * the link parameter taken from the 202 body is the job id, the others come from the submit call's inputs.
 */
import type { AsyncModel } from './model.js';
import { deref, isObject, objectAt, pointerToJsonPath, type Raw } from './document.js';
import type { Report } from './report.js';

/**
 * The async description of `operation`, or undefined when it has none. `operationName` turns a link's
 * `operationId` (or `operationRef`) into the name the target operation got in the capability.
 */
export function mapAsync(document: Raw, operation: Raw, operationName: (link: Raw) => string | undefined, subject: string, report: Report): AsyncModel | undefined {
  const accepted = deref(document, objectAt(operation, 'responses')['202']);
  if (!accepted) return undefined;
  const links = Object.values(objectAt(accepted, 'links')).map((l) => deref(document, l)).filter(isObject);
  if (links.length === 0) {
    if (isObject(objectAt(accepted, 'headers').Location) || isObject(objectAt(accepted, 'headers').location)) {
      report.notExpressible(subject, 'the 202 response points at its job with a Location header; polling a URL has no equivalent (an OpenAPI link to the status operation does)');
    }
    return undefined;
  }
  for (const link of links) {
    const target = operationName(link);
    if (target === undefined) continue;
    let id: string | undefined;
    const withInputs: Record<string, string> = {};
    let unmapped: string | undefined;
    for (const [name, expression] of Object.entries(objectAt(link, 'parameters'))) {
      const text = String(expression);
      const body = /^\$response\.body#(\/.*)?$/.exec(text);
      const input = /^\$request\.(?:path|query|header)[.#/]+(.+)$/.exec(text);
      if (body && id === undefined) {
        id = pointerToJsonPath(body[1] ?? '');
        withInputs[name] = '{{id}}';
      } else if (input) withInputs[name] = `{{${decodeURIComponent(input[1])}}}`;
      else unmapped = `${name}: ${text}`;
    }
    if (unmapped !== undefined) {
      report.notExpressible(subject, `async: link parameter ${unmapped} has no equivalent (the job id from the 202 body and the submit call's inputs do)`);
      return undefined;
    }
    if (id === undefined) continue;
    return { id, poll: { operation: target, with: withInputs } };
  }
  report.notExpressible(subject, 'the 202 response links to no operation of this document that takes the job id from the 202 body');
  return undefined;
}
