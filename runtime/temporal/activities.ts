/**
 * The operations of a runtime as Temporal activities. Temporal owns retries, so the runtime's own are
 * off; each activity heartbeats while its call is in flight (so a cancellation reaches it, and a
 * worker that died is noticed), aborts the call on the activity's cancellation signal, and sends
 * the same idempotency key on every attempt: the request's, else `WORKFLOW_ID:ACTIVITY_ID`.
 */
import { Context } from '@temporalio/activity';
import type { AsyncJobHandle, InvokeOptions, JobProgress, OperationInfo, Page, PollResult, Runtime } from '../index.js';
import { runtimeInternals, type Redactor } from '../internal.js';
import { UniqueNames } from '../util/uniqueNames.js';
import { activityFailure } from './failure.js';

/** What `invokeOperation` takes: one call of an operation. */
export interface InvokeOperationRequest {
  /** The operation, by name, `namespace.name` or id. */
  operation: string;
  inputs?: Record<string, unknown>;
  /** Default: `WORKFLOW_ID:ACTIVITY_ID`, the same on every attempt of the activity. */
  idempotencyKey?: string;
  /**
   * For an operation declared `async:`: submit, then poll inside the activity until the API's job is
   * done, heartbeating `{ state, polls, elapsedMs, asyncJobId }`. For long jobs prefer `startJob` and
   * `pollJob` with a durable `sleep` in the workflow between polls.
   */
  wait?: boolean;
}

/** What `invokePage` takes: one page; `pageToken` is the previous page's `nextPageToken`. */
export interface InvokePageRequest {
  operation: string;
  inputs?: Record<string, unknown>;
  pageToken?: string | null;
  /** Pages the walk reads at most, counted across tokens (default: the operation's `pagination.maxPages`). */
  maxPages?: number;
}

/** What `startJob` takes: the submitting call of an operation declared `async:`. */
export interface StartJobRequest {
  operation: string;
  inputs?: Record<string, unknown>;
  /** Default: `WORKFLOW_ID:ACTIVITY_ID`. */
  idempotencyKey?: string;
}

/** The activity of one operation: its inputs in, its outputs out. */
export type OperationActivity = (inputs?: Record<string, unknown>, options?: { idempotencyKey?: string }) => Promise<Record<string, unknown>>;

/** The activities every runtime gets. */
export interface NaftikoActivities {
  /** Calls an operation and returns its outputs. */
  invokeOperation(request: InvokeOperationRequest): Promise<Record<string, unknown>>;
  /** Reads one page of a paginated operation: one page per activity, resumable from `nextPageToken` after a crash. */
  invokePage(request: InvokePageRequest): Promise<Page>;
  /** Submits an operation declared `async:` and returns its handle (JSON, kept in the workflow's history). */
  startJob(request: StartJobRequest): Promise<AsyncJobHandle>;
  /** Polls a submitted job once; the workflow sleeps between polls (`retryAfterMs`, when the API said). */
  pollJob(handle: AsyncJobHandle): Promise<PollResult>;
}

/** {@link NaftikoActivities}, plus one activity per operation named as {@link activityNames} says. */
export type Activities = NaftikoActivities & Record<string, OperationActivity>;

/** Options of {@link createActivities}. */
export interface ActivityOptions {
  /**
   * How often an activity heartbeats while its call is in flight, in ms. Default: a third of the
   * activity's `heartbeatTimeout`; without one the activity does not heartbeat, as the SDK asks (a
   * cancellation then reaches it only between calls). The SDK throttles what it sends to the server.
   */
  heartbeatInterval?: number;
}

const FIXED = ['invokeOperation', 'invokePage', 'startJob', 'pollJob'];

/**
 * The activities of `runtime`, for `Worker.create({ activities })`:
 *
 * ```ts
 * const runtime = createRuntime(await loadCapability('capabilities/vital-users.yaml'));
 * const worker = await Worker.create({ taskQueue: 'vital', workflowsPath, activities: createActivities(runtime) });
 * ```
 */
export function createActivities(runtime: Runtime, options: ActivityOptions = {}): Activities {
  const redactor = runtimeInternals(runtime).secrets.redactor;
  const activity = <T>(work: (call: InvokeOptions, context: Context, progress: (details: unknown) => void) => Promise<T>) => inActivity(redactor, options, work);
  const fixed: NaftikoActivities = {
    invokeOperation: (request) =>
      activity((call, context, progress) => {
        const keyed: InvokeOptions = { ...call, idempotencyKey: request.idempotencyKey ?? activityIdempotencyKey(context) };
        if (!request.wait) return runtime.invoke(request.operation, request.inputs ?? {}, keyed);
        const onProgress = ({ state, polls, elapsedMs, handle }: JobProgress) => progress({ state, polls, elapsedMs, asyncJobId: handle.id });
        return runtime.invoke(request.operation, request.inputs ?? {}, { ...keyed, wait: true, onProgress });
      }),
    invokePage: (request) =>
      activity((call) => runtime.invokePage(request.operation, request.inputs ?? {}, { ...call, pageToken: request.pageToken ?? null, ...(request.maxPages === undefined ? {} : { maxPages: request.maxPages }) })),
    startJob: (request) => activity((call, context) => runtime.start(request.operation, request.inputs ?? {}, { ...call, idempotencyKey: request.idempotencyKey ?? activityIdempotencyKey(context) })),
    pollJob: (handle) => activity((call) => runtime.poll(handle, call)),
  };
  const perOperation: Record<string, OperationActivity> = {};
  for (const [id, name] of Object.entries(activityNames(runtime))) {
    perOperation[name] = (inputs, call) => fixed.invokeOperation({ operation: id, inputs: inputs ?? {}, ...(call?.idempotencyKey === undefined ? {} : { idempotencyKey: call.idempotencyKey }) });
  }
  return { ...perOperation, ...fixed } as Activities;
}

/**
 * The name of each operation's activity, by operation id: the operation's name in lowerCamelCase
 * (`create_user_v2_user_post` → `createUserV2UserPost`), with the namespace in front where two
 * namespaces share a name or the name is one of the four fixed activities, numbered if still taken.
 */
export function activityNames(runtime: Pick<Runtime, 'operations'>): Record<string, string> {
  const count = new Map<string, number>();
  for (const op of runtime.operations) count.set(camelCase(op.name), (count.get(camelCase(op.name)) ?? 0) + 1);
  const taken = new UniqueNames('', FIXED);
  const names: Record<string, string> = {};
  for (const op of runtime.operations) names[op.id] = taken.take(preferredName(op, count));
  return names;
}

/**
 * The default idempotency key of an activity: its workflow's id and its own id, the same on every
 * attempt (an activity started outside a workflow has only its own id).
 */
export function activityIdempotencyKey(context: Pick<Context, 'info'>): string {
  const { workflowExecution, activityId } = context.info;
  return workflowExecution === undefined ? activityId : `${workflowExecution.workflowId}:${activityId}`;
}

function preferredName(op: OperationInfo, count: Map<string, number>): string {
  const plain = camelCase(op.name);
  return count.get(plain) === 1 && !FIXED.includes(plain) ? plain : camelCase(`${op.namespace} ${op.name}`);
}

function camelCase(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const joined = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() : w.charAt(0).toUpperCase()) + w.slice(1)).join('');
  return /^[A-Za-z]/.test(joined) ? joined : `op${joined.charAt(0).toUpperCase()}${joined.slice(1)}`;
}

/**
 * Runs `work` as the current activity: the runtime's retries off, the activity's cancellation signal
 * passed on, a heartbeat on an interval meanwhile (carrying the last progress `work` reported), and
 * errors turned into Temporal failures.
 */
async function inActivity<T>(redactor: Redactor, options: ActivityOptions, work: (call: InvokeOptions, context: Context, progress: (details: unknown) => void) => Promise<T>): Promise<T> {
  const context = Context.current();
  const signal = context.cancellationSignal;
  const timeout = context.info.heartbeatTimeoutMs;
  const interval = options.heartbeatInterval ?? (timeout ? Math.max(100, Math.floor(timeout / 3)) : undefined);
  let details: unknown;
  const progress = (report: unknown) => {
    details = report;
    if (interval !== undefined) context.heartbeat(report);
  };
  const timer = interval === undefined ? undefined : setInterval(() => context.heartbeat(details), interval);
  try {
    return await work({ signal, retry: { limit: 0 } }, context, progress);
  } catch (error) {
    throw activityFailure(error, signal, redactor);
  } finally {
    clearInterval(timer);
  }
}
