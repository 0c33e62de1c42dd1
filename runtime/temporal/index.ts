/**
 * naftiko-runtime/temporal: the operations of capabilities as Temporal activities. Needs the
 * `@temporalio/activity` and `@temporalio/common` packages (optional peers), which a Temporal worker
 * has anyway.
 *
 * ```ts
 * import { Worker } from '@temporalio/worker';
 * import { createRuntime, loadCapability } from 'naftiko-runtime';
 * import { createActivities } from 'naftiko-runtime/temporal';
 *
 * const runtime = createRuntime(await loadCapability('capabilities/vitable-groups.yaml'));
 * const worker = await Worker.create({ taskQueue: 'vitable', workflowsPath, activities: createActivities(runtime) });
 * ```
 */
export {
  activityIdempotencyKey,
  activityNames,
  createActivities,
  type ActivityOptions,
  type Activities,
  type InvokeOperationRequest,
  type InvokePageRequest,
  type NaftikoActivities,
  type OperationActivity,
  type StartJobRequest,
} from './activities.js';
export { activityFailure } from './failure.js';
