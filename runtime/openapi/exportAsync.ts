/**
 * An operation's `async:` in OpenAPI: the block itself in `x-naftiko-async` (every key, read back first
 * by the import), and the standard hint other tools read: the submit operation answers `202 Accepted`
 * with an OpenAPI link to the poll operation, whose parameters say where each input comes from (the
 * job id from the 202 body, the others from the submit request).
 */
import { KeyPath, type AsyncPlan, type OperationPlan } from '../internal.js';
import { escapeToken } from '../util/jsonPointer.js';
import type { Raw } from './document.js';
import type { Report } from './report.js';

/** `x-naftiko-async` for the submit operation; `pollId` is the poll operation's operationId in the exported document. */
export function asyncExtension(job: AsyncPlan, pollId: string): Raw {
  const block: Raw = { id: job.id.expression, poll: { operation: pollId, ...(job.with.length > 0 ? { with: Object.fromEntries(job.with.map((w) => [w.name, w.value.raw])) } : {}) }, done: job.done.expression };
  if (job.failed) block.failed = job.failed.expression;
  Object.assign(block, { interval: job.interval, maxInterval: job.maxInterval, backoff: job.backoff, timeout: job.timeout });
  return block;
}

/** The links of the 202 response, or undefined (reported) when an input of the poll operation has no runtime expression. */
export function asyncLinks(submit: OperationPlan, job: AsyncPlan, pollId: string, subject: string, report: Report): Raw | undefined {
  const parameters: Raw = {};
  const sources = [...job.with.map((w) => [w.name, w.value.raw] as const), ...job.passOn.map((name) => [name, `{{${name}}}`] as const)];
  for (const [name, value] of sources) {
    const expression = linkExpression(value, submit, job);
    if (expression === undefined) {
      report.note(subject, `the 202 response has no OpenAPI link to '${pollId}': its input '${name}' (${value}) has no runtime expression; x-naftiko-async describes the job`);
      return undefined;
    }
    parameters[name] = expression;
  }
  return { [pollId]: { operationId: pollId, parameters, description: `Poll the job until it is done (${job.done.expression})` } };
}

/** `{{id}}` → `$response.body#/data/id`; `{{group_id}}` → `$request.path.group_id`. */
function linkExpression(value: string, submit: OperationPlan, job: AsyncPlan): string | undefined {
  const whole = /^\{\{\s*([^{}\s]+)\s*\}\}$/.exec(value);
  if (!whole) return undefined;
  if (whole[1] === 'id') {
    const keys = job.id instanceof KeyPath ? job.id.keys : undefined;
    if (keys === undefined || keys.some((k) => typeof k === 'number' && k < 0)) return undefined;
    return `$response.body#${keys.map((k) => `/${escapeToken(k)}`).join('')}`;
  }
  const parameter = submit.parameters.find((p) => p.name === whole[1]);
  if (parameter === undefined || !['path', 'query', 'header'].includes(parameter.in)) return undefined;
  return `$request.${parameter.in}.${parameter.name}`;
}
