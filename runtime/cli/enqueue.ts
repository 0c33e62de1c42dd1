import type { Job, Queue } from 'bullmq';
import { UsageError, loadOptions, parseCommandLine, wholeNumber, type Command } from './args.js';
import { commandInputs } from './inputs.js';
import { EXIT, err, outJson, reportError } from './output.js';
import { REDIS_HELP, loadBullmqAdapter, redisUrl } from './queueing.js';

/** `naftiko enqueue FILE OP [name=value ...] --queue NAME`: adds one job for a worker to run. */
export const enqueue: Command = {
  name: 'enqueue',
  usage: 'naftiko enqueue FILE OP [name=value ...] --queue NAME [--redis URL] [--input JSON|@file.json] [--job-id ID] [--idempotency-key KEY] [--attempts N] [--all [--max-pages N] | --poll] [--wait [--timeout MS]] [--json]',
  help: `usage: naftiko enqueue FILE OP [name=value ...] --queue NAME [options]

Adds a job to the BullMQ queue NAME that runs operation OP of the capability
FILE with the given inputs (read as 'naftiko run' reads them), for a
'naftiko worker' to run. Prints { "queue", "jobId", "operation" } as JSON, or
with --wait the operation's outputs once the job has completed. Needs the
bullmq and ioredis packages.

Options:
  --queue NAME          the queue to add the job to (required)
${REDIS_HELP}
  --input JSON|@file    a JSON object of inputs; name=value pairs win over it
  --job-id ID           the job's id: adding a job whose id exists adds
                        nothing, and the idempotency key follows the id
  --idempotency-key KEY the key sent on every attempt (default QUEUE:JOB_ID)
  --attempts N          attempts before the job fails (default 3; backoff
                        exponential from 1 s); non-retryable errors fail at once
  --all                 for an operation declared pagination: walk every page;
                        the job returns { "items" }, its progress after each
                        page is { "pages", "records", "more" }
  --max-pages N         with --all: at most N pages
  --poll                for an operation declared async: submit, then poll
                        until the API's job is done; the job returns the poll
                        operation's outputs
  --wait                wait for the job and print its outputs
  --timeout MS          with --wait: stop waiting after MS (the job goes on)
  --json                print errors as the error's JSON on stderr
  -h, --help            show this help

Exit status (with --wait, as 'naftiko run' for the job's error):
  0    ok: job added (and, with --wait, completed)
  1    invalid capability, unknown operation, or the job failed with an
       invalid or missing input or secret
  2    usage error
  3    the job failed: the API answered with an error status, or its response
       could not be read
  4    Redis cannot be reached, the job failed without an answer from the API
       (network, timeout), or --timeout passed
  5    the job failed otherwise: the API's asynchronous job failed
       (ASYNC_FAILED), or the job failed outside the worker (it stalled too
       often)
  130  interrupted while waiting (the job goes on)`,

  async run(args) {
    const { values, positionals } = parseCommandLine(enqueue, args, {
      queue: { type: 'string' },
      redis: { type: 'string' },
      input: { type: 'string' },
      'job-id': { type: 'string' },
      'idempotency-key': { type: 'string' },
      attempts: { type: 'string' },
      all: { type: 'boolean' },
      'max-pages': { type: 'string' },
      poll: { type: 'boolean' },
      wait: { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    });
    const usage = (message: string) => new UsageError(message, enqueue.usage, enqueue.name);
    if (positionals.length < 2) throw usage('give a capability file and an operation');
    if (values.queue === undefined || values.queue === '') throw usage('--queue NAME is required');
    if (values.timeout !== undefined && !values.wait) throw usage('--timeout needs --wait');
    if (values.all && values.poll) throw usage('--all and --poll cannot be combined');
    if (values['max-pages'] !== undefined && !values.all) throw usage('--max-pages needs --all');
    if (values['idempotency-key'] === '') throw usage('--idempotency-key must not be empty');
    const [file, name, ...pairs] = positionals;
    const queueName = values.queue;
    const url = redisUrl(enqueue, values.redis);
    const inputs = commandInputs(enqueue, values.input, pairs);
    const attempts = values.attempts === undefined ? undefined : wholeNumber(enqueue, 'attempts', values.attempts, 1);
    const timeout = values.timeout === undefined ? undefined : wholeNumber(enqueue, 'timeout', values.timeout, 1);
    const maxPages = values['max-pages'] === undefined ? undefined : wholeNumber(enqueue, 'max-pages', values['max-pages'], 1);

    const adapter = await loadBullmqAdapter(enqueue);
    const { createRuntime, loadCapability, NaftikoError } = await import('../index.js');
    // The operation is checked here (did-you-mean, ambiguity) and sent by id, which any worker loading
    // more capabilities still reads the same way. Inputs are checked by the worker, which has the secrets.
    const capability = await loadCapability(file, loadOptions());
    const lookup = createRuntime(capability, { env: {} });
    const operation = lookup.find(name).id;
    lookup.close();

    const { Queue } = await import('bullmq');
    // A producer fails at once when Redis is not there, rather than retrying without end.
    const queue = new Queue(queueName, { connection: { url, retryStrategy: () => null } });
    queue.on('error', () => {});
    try {
      await queue.waitUntilReady().catch((error: Error) => {
        throw new NaftikoError('NETWORK', `cannot reach Redis: ${error.message}`);
      });
      const options = {
        ...(values['job-id'] === undefined ? {} : { jobId: values['job-id'] }),
        ...(values['idempotency-key'] === undefined ? {} : { idempotencyKey: values['idempotency-key'] }),
        ...(attempts === undefined ? {} : { attempts }),
        ...(values.all ? { all: true } : {}),
        ...(maxPages === undefined ? {} : { maxPages }),
        ...(values.poll ? { wait: true } : {}),
      };
      const job = await adapter.enqueue(queue, operation, inputs, options);
      if (!values.wait) {
        outJson({ queue: queueName, jobId: job.id, operation });
        return EXIT.OK;
      }
      return await waitForOutputs(adapter, queue, job, timeout, values.json === true);
    } finally {
      await queue.close();
    }
  },
};

/** `--wait`: prints the job's outputs; Ctrl-C stops waiting (exit 130), not the job. */
async function waitForOutputs(adapter: typeof import('../bullmq/index.js'), queue: Queue, job: Job, timeout: number | undefined, json: boolean): Promise<number> {
  const { QueueEvents } = await import('bullmq');
  const events = new QueueEvents(queue.name, { connection: queue.opts.connection });
  events.on('error', () => {});
  let interrupt: (() => void) | undefined;
  const interrupted = new Promise<number>((resolve) => {
    interrupt = () => {
      err(`naftiko: interrupted: stopped waiting; job ${job.id} goes on`);
      resolve(EXIT.INTERRUPTED);
    };
    process.once('SIGINT', interrupt);
  });
  try {
    await events.waitUntilReady();
    const done = adapter.waitForJob(queue, job, events, timeout).then(
      (outputs) => {
        outJson(outputs);
        return EXIT.OK;
      },
      (error: unknown) => reportError(error, json),
    );
    return await Promise.race([done, interrupted]);
  } finally {
    process.off('SIGINT', interrupt!);
    await events.close();
  }
}
