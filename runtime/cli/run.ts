import type { JobProgress, PageProgress, Runtime, RuntimeEvent, RuntimeOptions } from '../index.js';
import { UsageError, baseUriOptions, loadOptions, parseCommandLine, wholeNumber, type Command } from './args.js';
import { commandInputs } from './inputs.js';
import { EXIT, cliIO, err, outJson, plural, reportError, reportWarnings } from './output.js';

/** `naftiko run FILE OP [name=value ...]`: invokes one operation and prints its outputs. */
export const run: Command = {
  name: 'run',
  usage: 'naftiko run FILE OP [name=value ...] [--input JSON|@file.json] [--base-uri URL|namespace=URL] [--timeout MS] [--retries N] [--idempotency-key KEY] [--all [--max-pages N] | --wait] [--dry-run] [--verbose] [--json]',
  help: `usage: naftiko run FILE OP [name=value ...] [options]

Invokes operation OP of the capability FILE and prints its outputs as JSON
(indented with 2 spaces) on stdout; with --all, every record of every page,
one JSON object per line.

Inputs:
  name=value            a value stays a string (the runtime converts it to the
                        declared type: limit=10 is a number) unless it starts
                        with '{' or '[': then it is parsed as JSON
  name=@path            the text of a file; parsed as JSON when path ends in .json
  --input JSON|@file    a JSON object of inputs; name=value pairs win over it
                        (use it for a string value that starts with '@', '{' or '[')

Options:
  --base-uri URL        send every namespace to URL (sandbox, region, stand-in)
  --base-uri NS=URL     send namespace NS to URL (repeatable)
                        (env NAFTIKO_BASE_URI_<NAMESPACE> works too: namespace
                        upper-cased, other characters than A-Z and 0-9 as '_')
  --timeout MS          per-call timeout in milliseconds
  --retries N           retries after the first attempt (0 disables them)
  --idempotency-key KEY send KEY in the operation's idempotency header (the
                        same on every attempt): the server can deduplicate
                        the call, so a POST or PATCH is retried too
  --all                 read every page of a paginated operation and write each
                        record as one JSON line (NDJSON) as pages arrive
  --max-pages N         with --all: read at most N pages (default: the file's
                        pagination.maxPages, else 1000); a warning on stderr
                        tells when more pages exist
  --wait                for an operation that submits a job (async): poll it
                        until it is done and print the poll operation's final
                        outputs; a status line on stderr when it is a terminal
  --dry-run             print the request that would be sent (secrets shown as
                        ***) and send nothing
  --verbose             print '→ METHOD URL' and '← STATUS (N ms, K attempts)'
                        and the loader's warnings on stderr (secrets masked)
  --json                print errors as the error's JSON on stderr
  -h, --help            show this help

Exit status:
  0    ok
  1    invalid capability, unknown operation, invalid or missing input or
       secret, unsupported feature: nothing was sent
  2    usage error
  3    the API answered with an error status (HTTP_ERROR), or its response
       cannot be read (RESPONSE_INVALID) or converted (OUTPUT_INVALID), or
       the authorization server refused a token (AUTH_FAILED)
  4    no answer: network error, timeout
  5    the asynchronous job --wait waited for finished as failed
  130  interrupted (Ctrl-C aborts the call)`,

  async run(args) {
    const { values, positionals } = parseCommandLine(run, args, {
      input: { type: 'string' },
      'base-uri': { type: 'string', multiple: true },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      'idempotency-key': { type: 'string' },
      all: { type: 'boolean' },
      'max-pages': { type: 'string' },
      wait: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      verbose: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length < 2) throw new UsageError('give a capability file and an operation', run.usage, run.name);
    const [file, operation, ...pairs] = positionals;
    const timeout = values.timeout === undefined ? undefined : wholeNumber(run, 'timeout', values.timeout, 1);
    const retries = values.retries === undefined ? undefined : wholeNumber(run, 'retries', values.retries, 0);
    if (values['max-pages'] !== undefined && !values.all) throw new UsageError('--max-pages needs --all', run.usage, run.name);
    if (values.all && values.wait) throw new UsageError('--all and --wait cannot be combined', run.usage, run.name);
    const maxPages = values['max-pages'] === undefined ? undefined : wholeNumber(run, 'max-pages', values['max-pages'], 1);
    const inputs = commandInputs(run, values.input, pairs);

    const { createRuntime, loadCapability } = await import('../index.js');
    const capability = await loadCapability(file, loadOptions());
    if (values.verbose) reportWarnings(capability.warnings);
    const options: RuntimeOptions = baseUriOptions(run, [capability], values['base-uri'] ?? []);
    if (timeout !== undefined) options.timeout = timeout;
    if (retries !== undefined) options.retry = { limit: retries };
    if (values.verbose) options.onEvent = trace;

    const runtime = createRuntime(capability, options);
    try {
      const idempotencyKey = values['idempotency-key'];
      if (values['dry-run']) {
        outJson(runtime.prepare(operation, inputs, { idempotencyKey }));
        return EXIT.OK;
      }
      const controller = new AbortController();
      const interrupt = () => controller.abort();
      process.once('SIGINT', interrupt);
      try {
        if (values.all) await writeAllRecords(runtime, operation, inputs, { signal: controller.signal, maxPages });
        else if (values.wait) outJson(await waitForJob(runtime, operation, inputs, { signal: controller.signal, idempotencyKey }));
        else outJson(await runtime.invoke(operation, inputs, { signal: controller.signal, idempotencyKey }));
        return EXIT.OK;
      } catch (error) {
        if (!controller.signal.aborted) throw error;
        reportError(error, values.json === true);
        return EXIT.INTERRUPTED;
      } finally {
        process.off('SIGINT', interrupt);
      }
    } finally {
      runtime.close();
    }
  },
};

/**
 * `--all`: each record as one line of JSON on stdout as its page arrives (NDJSON, for `jq -c` and
 * line-by-line readers); pages and records on stderr when it is a terminal; a warning when the walk
 * stopped at its page bound with more pages left.
 */
async function writeAllRecords(runtime: Runtime, operation: string, inputs: Record<string, unknown>, options: { signal: AbortSignal; maxPages: number | undefined }): Promise<void> {
  const io = cliIO();
  let last: PageProgress | undefined;
  const onPage = (progress: PageProgress) => {
    last = progress;
    if (io.stderrIsTTY) io.stderr(`\r${plural(progress.pages, 'page')}, ${plural(progress.records, 'record')}${progress.more ? '…' : ''}`);
  };
  try {
    for await (const record of runtime.items(operation, inputs, { signal: options.signal, onPage, ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }) })) {
      io.stdout(`${JSON.stringify(record)}\n`);
    }
  } finally {
    if (io.stderrIsTTY && last !== undefined) io.stderr('\n');
  }
  if (last?.more) {
    const bound = options.maxPages === undefined ? "the file's pagination.maxPages" : `--max-pages ${options.maxPages}`;
    err(`naftiko: warning: stopped after ${plural(last.pages, 'page')} (${bound}); more pages exist`);
  }
}

/** `--wait`: the job's final outputs; a status line on stderr, rewritten after each poll, when it is a terminal. */
async function waitForJob(runtime: Runtime, operation: string, inputs: Record<string, unknown>, options: { signal: AbortSignal; idempotencyKey: string | undefined }): Promise<Record<string, unknown>> {
  const io = cliIO();
  let shown = false;
  const onProgress = (progress: JobProgress) => {
    if (!io.stderrIsTTY) return;
    shown = true;
    io.stderr(`\rjob ${progress.handle.id}: ${progress.state} (${plural(progress.polls, 'poll')}, ${(progress.elapsedMs / 1000).toFixed(1)} s)`);
  };
  try {
    return await runtime.invoke(operation, inputs, { ...options, wait: true, onProgress });
  } finally {
    if (shown) io.stderr('\n');
  }
}

function trace(event: RuntimeEvent): void {
  if (event.type === 'request') err(`→ ${event.method} ${event.url}`);
  else err(`← ${event.status} (${Math.round(event.durationMs)} ms, ${plural(event.attempts, 'attempt')})`);
}
