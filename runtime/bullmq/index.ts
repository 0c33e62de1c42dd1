/**
 * naftiko-runtime/bullmq: run the operations of capabilities as BullMQ jobs, on any number of worker
 * processes sharing a Redis queue. Needs the `bullmq` and `ioredis` packages (optional peers).
 *
 * The job format is the contract, so producers in other services can use plain BullMQ: job `data` is
 * `{ operation, inputs, idempotencyKey? }`, the job's return value is the operation's outputs, and a
 * failed job's `failedReason` starts with the error code (`HTTP_ERROR: …`), secrets masked.
 *
 * ```ts
 * import { Queue } from 'bullmq';
 * import { createWorker, enqueueAndWait } from 'naftiko-runtime/bullmq';
 *
 * const connection = { url: 'redis://127.0.0.1:6379' };
 * await createWorker({ capabilities: 'capabilities/vital-users.yaml', queue: 'vital', connection, concurrency: 16 });
 * const queue = new Queue('vital', { connection });
 * const outputs = await enqueueAndWait(queue, 'create_user_v2_user_post', { body: { client_user_id: 'c-42' } });
 * ```
 */
export { createWorker, type CapabilitySource, type NaftikoWorker, type WorkerOptions } from './worker.js';
export { DEFAULT_JOB_OPTIONS, JobFailedError, enqueue, enqueueAndWait, jobFailedError, waitForJob, type EnqueueOptions, type WaitOptions } from './producer.js';
export { readJobData, type OperationJobData } from './jobData.js';
export { jobIdempotencyKey, type JobResult } from './processJob.js';
