/**
 * Asynchronous jobs of an OpenAPI operation → the capability's `async:`, in one place. The first hint
 * found is read:
 * - `x-naftiko-async` on the submitting operation: the capability's own block, as `naftiko export
 *   openapi` writes it;
 * - a `202 Accepted` response with an OpenAPI link to the operation that reads the job: the link
 *   parameter taken from the 202 body is the job id, the others come from the submit call's inputs.
 *   When the job is done, or failed, comes from Speakeasy's `x-speakeasy-polling` on the linked
 *   operation: its success and failure criteria, `intervalSeconds` (polls at a fixed interval) and
 *   `limitCount` (the wait's timeout is that many intervals).
 *
 * OpenAPI itself cannot say when a job is done. Without criteria the operation is imported without
 * `async` (it still submits), and the report gives the block to complete: a guessed `done` would
 * return before the job ends or wait until the timeout.
 */
import type { AsyncModel, OperationModel } from './model.js';
import { deref, isObject, jsonPathProblems, keysToJsonPath, objectAt, pointerTokens, pointerToJsonPath, unknownKeys, type Raw } from './document.js';
import type { Report } from './report.js';

/** An imported operation and the OpenAPI operation it came from. */
export interface ImportedOperation {
  model: OperationModel;
  operation: Raw;
}

/** What the async mapping needs to know about the rest of the import. */
export interface AsyncContext {
  document: Raw;
  report: Report;
  /** The imported operation an OpenAPI link points at (`operationId` or `operationRef`). */
  linked(link: Raw): ImportedOperation | undefined;
  /** The imported operation of this name. */
  named(name: string): ImportedOperation | undefined;
}

type Draft = Partial<AsyncModel> & { poll: AsyncModel['poll'] };

const NUMBERS = ['interval', 'maxInterval', 'backoff', 'timeout'] as const;
const PATHS = ['id', 'done', 'failed'] as const;
const TEMPLATE = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** The async description of `submit`, or undefined when it has none or one that cannot be written (reported). */
export function mapAsync(submit: ImportedOperation, subject: string, ctx: AsyncContext): AsyncModel | undefined {
  const notes: string[] = [];
  const hint = readHint(submit, ctx, notes);
  if (hint === undefined) return undefined;
  const { source, draft } = hint;
  if (typeof draft === 'string') {
    ctx.report.notExpressible(subject, `${source}: ${draft}; the operation is imported without async`);
    return undefined;
  }
  const poller = ctx.named(draft.poll.operation)!;
  const problems = check(draft, submit.model, poller.model);
  if (problems.length > 0) {
    ctx.report.notExpressible(subject, `${source}: ${problems.join('; ')}; the operation is imported without async: add \`async: ${JSON.stringify(withPlaceholders(draft))}\` once completed`);
    return undefined;
  }
  for (const note of notes) ctx.report.note(subject, note);
  return written(draft as AsyncModel, submit.model);
}

/** The first hint of `submit`; what it says that async has no key for goes to `notes`. */
function readHint(submit: ImportedOperation, ctx: AsyncContext, notes: string[]): { source: string; draft: Draft | string } | undefined {
  const own = submit.operation['x-naftiko-async'];
  if (isObject(own)) return { source: 'x-naftiko-async', draft: fromNaftiko(own, ctx) };
  const accepted = deref(ctx.document, objectAt(submit.operation, 'responses')['202']);
  if (!accepted) return undefined;
  const source = 'the 202 response';
  const links = Object.values(objectAt(accepted, 'links')).map((l) => deref(ctx.document, l)).filter(isObject);
  if (links.length === 0) {
    const headers = objectAt(accepted, 'headers');
    if (isObject(headers.Location) || isObject(headers.location)) {
      return { source, draft: 'it points at its job with a Location header; polling a URL has no equivalent (an OpenAPI link to the status operation does)' };
    }
    return undefined;
  }
  for (const link of links) {
    const target = ctx.linked(link);
    if (target === undefined) continue;
    const draft = fromLink(link, target, notes);
    if (typeof draft !== 'string' && draft.id === undefined) continue;
    return { source, draft };
  }
  return { source, draft: 'it links to no imported operation that takes the job id from the 202 body' };
}

/** The capability's own vocabulary: known keys copied, nothing else. */
function fromNaftiko(raw: Raw, ctx: AsyncContext): Draft | string {
  const poll = isObject(raw.poll) ? raw.poll : {};
  if (typeof poll.operation !== 'string' || ctx.named(poll.operation) === undefined) return `poll.operation '${String(poll.operation)}' is not an imported operation`;
  const draft: Draft = { poll: { operation: poll.operation } };
  if (poll.with !== undefined) {
    if (!isObject(poll.with)) return 'poll.with is not an object';
    draft.poll.with = Object.fromEntries(Object.entries(poll.with).map(([k, v]) => [k, String(v)]));
  }
  for (const key of PATHS) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== 'string') return `${key} is not a string`;
    draft[key] = raw[key];
  }
  for (const key of NUMBERS) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== 'number') return `${key} is not a number`;
    draft[key] = raw[key];
  }
  return unknownKeys(raw, ['poll', ...PATHS, ...NUMBERS]) ?? draft;
}

/** A link from the 202 response: the job id and the poll inputs, and when it is done from the target's polling criteria. */
function fromLink(link: Raw, target: ImportedOperation, notes: string[]): Draft | string {
  const draft: Draft = { poll: { operation: target.model.name, with: {} } };
  for (const [name, expression] of Object.entries(objectAt(link, 'parameters'))) {
    const text = String(expression);
    const body = /^\$response\.body#(\/.*)?$/.exec(text);
    const input = /^\$request\.(?:path|query|header)[.#/]+(.+)$/.exec(text);
    if (body && draft.id === undefined) {
      draft.id = pointerToJsonPath(body[1] ?? '');
      draft.poll.with![name] = '{{id}}';
    } else if (input) draft.poll.with![name] = `{{${decodeURIComponent(input[1])}}}`;
    else return `link parameter ${name}: ${text} has no equivalent (the job id from the 202 body and the submit call's inputs do)`;
  }
  const [polling, ...others] = Array.isArray(target.operation['x-speakeasy-polling']) ? target.operation['x-speakeasy-polling'].filter(isObject) : [];
  if (polling === undefined) return draft;
  const about = `x-speakeasy-polling of '${target.model.name}'`;
  if (others.length > 0) notes.push(`${about}: the job waits for ${String(polling.name ?? 'the first entry')}; ${others.map((o) => String(o.name)).join(', ')} ha${others.length > 1 ? 've' : 's'} no equivalent (a submit operation has one async block)`);
  if (polling.delaySeconds !== undefined) notes.push(`${about}: delaySeconds has no equivalent: the first poll comes right after the submit`);
  const done = criteriaPath(polling.successCriteria);
  if (typeof done !== 'string') return `${about}: successCriteria ${done.problem}`;
  draft.done = done;
  if (polling.failureCriteria !== undefined) {
    const failed = criteriaPath(polling.failureCriteria);
    if (typeof failed !== 'string') return `${about}: failureCriteria ${failed.problem}`;
    draft.failed = failed;
  }
  if (typeof polling.intervalSeconds === 'number' && polling.intervalSeconds > 0) {
    draft.interval = Math.max(1, Math.round(polling.intervalSeconds * 1000));
    draft.backoff = 1;
    if (typeof polling.limitCount === 'number' && polling.limitCount > 0) draft.timeout = Math.round(polling.limitCount * draft.interval);
  }
  return draft;
}

/**
 * Speakeasy criteria (all must hold) as one JSONPath that selects a value, neither null nor false,
 * exactly when they do. `$response.body#/data/status == "done"` becomes `$.data[?@ == "done" &&
 * $.data.status == "done"]`: the filter selects the member itself once the whole condition holds. A
 * lone `!= null` is the member's path. A 2xx `$statusCode` always holds: only success answers are read.
 */
function criteriaPath(criteria: unknown): string | { problem: string } {
  const terms: Array<{ keys: string[]; op: '==' | '!='; value: unknown }> = [];
  for (const criterion of Array.isArray(criteria) ? criteria : []) {
    const condition = String(isObject(criterion) ? criterion.condition : criterion).trim();
    const status = /^\$statusCode\s*==\s*(\d{3})$/.exec(condition);
    if (status) {
      if (!status[1].startsWith('2')) return { problem: `'${condition}': only 2xx answers are read for their body` };
      continue;
    }
    const body = /^\$response\.body#(\/\S*)?\s*(==|!=)\s*(.+)$/.exec(condition);
    const value = body ? literal(body[3].trim()) : undefined;
    if (!body || value === undefined) return { problem: `'${condition}' has no equivalent (conditions on $statusCode and on a member of the body compared with a value do)` };
    terms.push({ keys: pointerTokens(body[1] ?? ''), op: body[2] as '==' | '!=', value: value.value });
  }
  if (terms.length === 0) return { problem: 'name no condition on the response body' };
  if (terms.length === 1 && terms[0].op === '!=' && terms[0].value === null) return keysToJsonPath(terms[0].keys);
  const anchor = terms.find((t) => t.op === '==' && t.value !== null && t.value !== false && t.keys.length > 0);
  if (anchor === undefined) return { problem: 'compare no member of the body with a value other than null or false' };
  const conditions = [`@ == ${JSON.stringify(anchor.value)}`, ...terms.map((t) => `${keysToJsonPath(t.keys)} ${t.op} ${JSON.stringify(t.value)}`)];
  return `${keysToJsonPath(anchor.keys.slice(0, -1))}[?${conditions.join(' && ')}]`;
}

/** A scalar literal of a criterion: JSON, or a single-quoted string. */
function literal(text: string): { value: unknown } | undefined {
  const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(text);
  if (quoted) return { value: quoted[1].replace(/\\(.)/g, '$1') };
  try {
    const value: unknown = JSON.parse(text);
    return value === null || typeof value !== 'object' ? { value } : undefined;
  } catch {
    return undefined;
  }
}

/** What keeps the draft from loading, as `compileAsync` would find it. */
function check(draft: Draft, submit: OperationModel, poller: OperationModel): string[] {
  const problems: string[] = [];
  if (draft.id === undefined) problems.push('no JSONPath to the job id (id)');
  if (draft.done === undefined) problems.push(`OpenAPI does not say when the job is done (declare x-speakeasy-polling successCriteria on '${poller.name}', or complete done)`);
  problems.push(...jsonPathProblems(draft, PATHS));
  const pollInputs = poller.parameters.map((p) => p.name);
  const submitInputs = submit.parameters.map((p) => p.name);
  const given = draft.poll.with ?? {};
  for (const [name, value] of Object.entries(given)) {
    if (!pollInputs.includes(name)) problems.push(`poll.with names '${name}', which is not an input of '${poller.name}'`);
    for (const [, ref] of value.matchAll(TEMPLATE)) {
      if (ref !== 'id' && !submitInputs.includes(ref)) problems.push(`poll.with ${name}: {{${ref}}} is neither {{id}} (the job id) nor an input of '${submit.name}'`);
    }
  }
  for (const parameter of poller.parameters) {
    if (!parameter.required || parameter.default !== undefined || parameter.value !== undefined) continue;
    if (given[parameter.name] === undefined && !submitInputs.includes(parameter.name)) problems.push(`'${poller.name}' needs input '${parameter.name}', which neither the link nor '${submit.name}' gives`);
  }
  for (const key of NUMBERS) {
    const value = draft[key];
    const valid = key === 'backoff' ? value === undefined || value >= 1 : value === undefined || (Number.isInteger(value) && value >= 1);
    if (!valid) problems.push(`${key} ${String(value)} is not ${key === 'backoff' ? 'a number of at least 1' : 'a positive whole number of milliseconds'}`);
  }
  if (draft.interval !== undefined && draft.maxInterval !== undefined && draft.maxInterval < draft.interval) problems.push('maxInterval is shorter than interval');
  return problems;
}

/**
 * The block in the order the README writes it. `with` entries that name an input after itself go: the
 * runtime passes the submit call's inputs of the same name on.
 */
function written(job: AsyncModel, submit: OperationModel): AsyncModel {
  const submitInputs = submit.parameters.map((p) => p.name);
  const kept = Object.entries(job.poll.with ?? {}).filter(([name, value]) => !(value === `{{${name}}}` && submitInputs.includes(name)));
  const result: AsyncModel = { id: job.id, poll: { operation: job.poll.operation, ...(kept.length > 0 ? { with: Object.fromEntries(kept) } : {}) }, done: job.done };
  if (job.failed !== undefined) result.failed = job.failed;
  for (const key of NUMBERS) if (job[key] !== undefined) result[key] = job[key];
  return result;
}

/** The draft as the block to complete, a placeholder for each missing key. */
function withPlaceholders(draft: Draft): Raw {
  return {
    id: draft.id ?? '<JSONPath to the job id in the 202 body>',
    ...draft,
    done: draft.done ?? '<JSONPath that selects a value, neither null nor false, once the job is done>',
  };
}
