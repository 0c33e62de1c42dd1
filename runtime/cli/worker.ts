import type { Job } from 'bullmq';
import type { NaftikoWorker } from '../bullmq/index.js';
import { UsageError, baseUriOptions, loadOptions, parseCommandLine, wholeNumber, type Command } from './args.js';
import { EXIT, err, plural, reportWarnings } from './output.js';
import { REDIS_HELP, displayRedisUrl, loadBullmqAdapter, redisUrl } from './queueing.js';

/** `naftiko worker FILE... --queue NAME`: runs the jobs of a BullMQ queue until a signal. */
export const worker: Command = {
  name: 'worker',
  usage: 'naftiko worker FILE... --queue NAME [--redis URL] [--concurrency N] [--base-uri URL|namespace=URL] [--timeout MS] [--lock-duration MS] [--verbose]',
  help: `usage: naftiko worker FILE... --queue NAME [options]

Runs the jobs of the BullMQ queue NAME: each job's data names an operation of
the capability FILEs and its inputs, { "operation", "inputs", "idempotencyKey" },
and the job returns the operation's outputs. Any number of workers, on any
number of machines, can share a queue. Needs the bullmq and ioredis packages.

BullMQ owns retries: a retryable error (network, timeout, 408, 425, 429, 5xx)
fails the attempt and BullMQ retries the job by its attempts and backoff, no
sooner than a Retry-After asks; any other error fails the job at once. Every
attempt sends the same idempotency key: the job's idempotencyKey, else
QUEUE:JOB_ID. A failed job's reason is 'CODE: message', secrets masked.

Options:
  --queue NAME          the queue to take jobs from (required)
${REDIS_HELP}
  --concurrency N       jobs run at once (default 1)
  --base-uri URL        send every consumed namespace to URL
  --base-uri NS=URL     send consumed namespace NS to URL (repeatable)
  --timeout MS          per-call timeout in milliseconds
  --lock-duration MS    how long a job stays locked without renewal, and how
                        often locks are checked: the jobs of a worker that died
                        are repeated by another after 1 to 2 times MS
                        (default 30000)
  --verbose             one line per job attempt on stderr, and the loader's
                        warnings
  -h, --help            show this help

One line on stderr says when the worker is ready. SIGINT or SIGTERM stops
taking jobs, lets the jobs in flight finish, then exits 0; a second signal
aborts the calls in flight and puts their jobs back in the queue (without
using an attempt), then exits 130.

Exit status: 0 stopped cleanly, 1 invalid capability or bullmq missing,
2 usage error, 130 stopped at once by a second signal.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(worker, args, {
      queue: { type: 'string' },
      redis: { type: 'string' },
      concurrency: { type: 'string' },
      'base-uri': { type: 'string', multiple: true },
      timeout: { type: 'string' },
      'lock-duration': { type: 'string' },
      verbose: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('no capability file given', worker.usage, worker.name);
    if (values.queue === undefined || values.queue === '') throw new UsageError('--queue NAME is required', worker.usage, worker.name);
    const queue = values.queue;
    const url = redisUrl(worker, values.redis);
    const concurrency = values.concurrency === undefined ? 1 : wholeNumber(worker, 'concurrency', values.concurrency, 1);
    const timeout = values.timeout === undefined ? undefined : wholeNumber(worker, 'timeout', values.timeout, 1);
    const lockDuration = values['lock-duration'] === undefined ? undefined : wholeNumber(worker, 'lock-duration', values['lock-duration'], 100);

    const { createWorker } = await loadBullmqAdapter(worker);
    const { loadCapability } = await import('../index.js');
    const capabilities = await Promise.all(positionals.map((file) => loadCapability(file, loadOptions())));
    if (values.verbose) for (const capability of capabilities) reportWarnings(capability.warnings);
    const runtimeOptions = baseUriOptions(worker, capabilities, values['base-uri'] ?? []);
    if (timeout !== undefined) runtimeOptions.timeout = timeout;

    const running = await createWorker({
      capabilities,
      queue,
      connection: { url },
      concurrency,
      runtimeOptions,
      workerOptions: lockDuration === undefined ? {} : { lockDuration, stalledInterval: lockDuration },
      onError: repeatedOnce((message) => err(`naftiko worker: ${message}`)),
    });
    const stopped = stopOnSignals(running);
    if (values.verbose) logJobs(running);
    await Promise.race([running.worker.waitUntilReady(), stopped]);
    const operations = capabilities.reduce((sum, c) => sum + c.operations.length, 0);
    if (!running.worker.closing) err(`worker on queue '${queue}' at ${displayRedisUrl(url)} (${plural(operations, 'operation')}, concurrency ${concurrency})`);
    return stopped;
  },
};

/** How long a second signal waits for the connections to close before the process exits anyway. */
const FORCED_EXIT_MS = 10_000;

/**
 * Resolves with the exit status once a signal has stopped the worker: 0 after the jobs in flight
 * finished, 130 when a second signal aborted them. BullMQ's close waits for Redis to store what
 * became of every job, so after a second signal the process exits within {@link FORCED_EXIT_MS}
 * whatever Redis does.
 */
function stopOnSignals(running: NaftikoWorker): Promise<number> {
  return new Promise((resolve) => {
    let forced = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (running.worker.closing) {
        forced = true;
        err(`${signal} again: aborting the calls in flight; their jobs go back to the queue`);
        void running.close({ force: true });
        setTimeout(() => {
          err(`naftiko worker: the connections did not close within ${FORCED_EXIT_MS / 1000} s; exiting`);
          process.exit(EXIT.INTERRUPTED);
        }, FORCED_EXIT_MS).unref();
        return;
      }
      err(`${signal}: finishing the jobs in flight, then stopping (send it again to stop at once)`);
      void running.close().then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(forced ? EXIT.INTERRUPTED : EXIT.OK);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** `--verbose`: one line per attempt, when it ends. */
function logJobs(running: NaftikoWorker): void {
  const name = (job: Job) => `job ${job.id} ${(job.data as { operation?: unknown }).operation ?? job.name}`;
  const took = (job: Job) => `${Math.max(0, (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now()))} ms`;
  running.worker.on('completed', (job) => err(`${name(job)}: completed in ${took(job)} (attempt ${job.attemptsMade})`));
  running.worker.on('failed', (job, error) => {
    if (job === undefined) return err(`a job failed: ${error.message}`);
    const of = `attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}`;
    const next = job.finishedOn === undefined ? `; next attempt in ${job.delay ?? 0} ms` : '';
    err(`${name(job)}: failed in ${took(job)}: ${error.message} (${of}${next})`);
  });
}

/** A logger that drops a message equal to the one before: a lost Redis reports every reconnection. */
function repeatedOnce(log: (message: string) => void): (error: Error) => void {
  let last: string | undefined;
  return (error) => {
    if (error.message === last) return;
    last = error.message;
    log(error.message);
  };
}
