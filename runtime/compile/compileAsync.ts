/**
 * `async:` on a submitting operation, compiled once every operation of its namespace is: the poll
 * operation resolved, `poll.with` checked against the poll operation's inputs and the submit call's,
 * every input the poll operation needs accounted for, the JSONPaths compiled.
 */
import { isObject } from '../util/isObject.js';
import { suggest } from '../util/suggest.js';
import { compileJsonPath } from '../response/jsonPath.js';
import type { AsyncPlan, CompiledPath, OperationPlan, Template } from './plan.js';
import { compileTemplate, type TemplateScope } from './template.js';
import type { DiagnosticSink } from './diagnostics.js';

/** Waiting defaults: a poll every 2 s, growing by half each time up to 30 s, for 30 minutes at most. */
const ASYNC_DEFAULTS = { interval: 2_000, maxInterval: 30_000, backoff: 1.5, timeout: 1_800_000 } as const;

/** The name `{{id}}` refers to in `poll.with`: the job id read from the submit response. */
export const JOB_ID = 'id';

/** Compiles `raw` for `submit`; undefined when it is unusable (the errors are in `sink`). */
export function compileAsync(raw: unknown, pointer: string, submit: OperationPlan, namespacePlans: OperationPlan[], scope: TemplateScope, sink: DiagnosticSink): AsyncPlan | undefined {
  if (!isObject(raw)) return undefined;
  const where = `operation '${submit.id}'`;
  let ok = true;
  const path = (key: string, value: unknown): CompiledPath | undefined => {
    if (typeof value !== 'string') return undefined;
    try {
      return compileJsonPath(value);
    } catch (error) {
      sink.error(`${pointer}/${key}`, `${where}: async.${key}: ${(error as Error).message}`);
      ok = false;
      return undefined;
    }
  };
  const id = path('id', raw.id);
  const done = path('done', raw.done);
  const failed = path('failed', raw.failed);
  if (id === undefined || done === undefined) ok = false;

  const poll = isObject(raw.poll) ? raw.poll : {};
  const poller = findPollOperation(poll.operation, `${pointer}/poll/operation`, submit, namespacePlans, sink);
  if (poller === undefined) return undefined;

  const withs: AsyncPlan['with'] = [];
  const given = isObject(poll.with) ? poll.with : {};
  for (const [name, value] of Object.entries(given)) {
    const at = `${pointer}/poll/with/${name}`;
    if (!poller.inputNames.has(name)) {
      const hint = suggest(name, [...poller.inputNames]);
      sink.error(at, `${where}: async.poll.with names '${name}', which is not an input of '${poller.id}' (${hint.length > 0 ? `did you mean '${hint[0]}'? ` : ''}inputs: ${[...poller.inputNames].join(', ') || 'none'})`);
      ok = false;
      continue;
    }
    const template = compileTemplate(String(value), scope);
    if (!checkWithTemplate(template, submit, where, at, sink)) ok = false;
    withs.push({ name, value: template });
  }
  const named = new Set(withs.map((w) => w.name));
  const passOn = [...poller.inputNames].filter((name) => !named.has(name) && submit.inputNames.has(name));
  for (const param of poller.parameters) {
    if (!param.required || param.default !== undefined || param.value !== undefined || named.has(param.name) || passOn.includes(param.name)) continue;
    sink.error(
      `${pointer}/poll`,
      `${where}: async.poll: operation '${poller.id}' needs input '${param.name}': name it under poll.with ('{{${JOB_ID}}}' is the job id), or give '${submit.name}' an input of that name`,
    );
    ok = false;
  }

  const interval = positive(raw.interval, ASYNC_DEFAULTS.interval);
  const maxInterval = positive(raw.maxInterval, Math.max(ASYNC_DEFAULTS.maxInterval, interval));
  if (maxInterval < interval) {
    sink.error(`${pointer}/maxInterval`, `${where}: async.maxInterval (${maxInterval} ms) is shorter than async.interval (${interval} ms)`);
    ok = false;
  }
  if (!ok || id === undefined || done === undefined) return undefined;
  const plan: AsyncPlan = {
    id,
    pollOperation: poller.id,
    with: withs,
    passOn,
    done,
    interval,
    maxInterval,
    backoff: typeof raw.backoff === 'number' && raw.backoff >= 1 ? raw.backoff : ASYNC_DEFAULTS.backoff,
    timeout: positive(raw.timeout, ASYNC_DEFAULTS.timeout),
  };
  if (failed !== undefined) plan.failed = failed;
  return plan;
}

/** The poll operation by name (or `namespace.name`, `resource.name`) among the namespace's operations. */
function findPollOperation(name: unknown, pointer: string, submit: OperationPlan, plans: OperationPlan[], sink: DiagnosticSink): OperationPlan | undefined {
  const where = `operation '${submit.id}'`;
  if (typeof name !== 'string' || name === '') return undefined;
  const local = name.startsWith(`${submit.namespace}.`) ? name.slice(submit.namespace.length + 1) : name;
  const found = plans.filter((p) => p.name === local || `${p.resource}.${p.name}` === local || p.id === name);
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    sink.error(pointer, `${where}: async.poll.operation '${name}' is ambiguous in namespace '${submit.namespace}': write one of ${found.map((p) => `${p.resource}.${p.name}`).join(', ')}`);
    return undefined;
  }
  const hint = suggest(local, plans.map((p) => p.name));
  sink.error(pointer, `${where}: async.poll.operation '${name}' is not an operation of namespace '${submit.namespace}'${hint.length > 0 ? `; did you mean '${hint[0]}'?` : ''}`);
  return undefined;
}

/** A `poll.with` value may use the job id and the submit call's inputs, nothing bound: a job handle is handed out. */
function checkWithTemplate(template: Template, submit: OperationPlan, where: string, pointer: string, sink: DiagnosticSink): boolean {
  for (const part of template.parts) {
    if (part.kind === 'secret') {
      sink.error(pointer, `${where}: async.poll.with: ${part.ref} is a bound variable; poll inputs are handed out with the job, so they may use only {{${JOB_ID}}} and the submit call's inputs`);
      return false;
    }
    if (part.kind === 'input' && part.name !== JOB_ID && !submit.inputNames.has(part.name)) {
      const hint = suggest(part.name, [JOB_ID, ...submit.inputNames]);
      sink.error(pointer, `${where}: async.poll.with: {{${part.name}}} is neither {{${JOB_ID}}} (the job id) nor an input of '${submit.name}'${hint.length > 0 ? `; did you mean {{${hint[0]}}}?` : ''}`);
      return false;
    }
  }
  return true;
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
