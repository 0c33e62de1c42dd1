import type { RuntimeEvent, RuntimeOptions } from '../index.js';
import { UsageError, baseUriOptions, parseCommandLine, wholeNumber, type Command } from './args.js';
import { commandInputs } from './inputs.js';
import { EXIT, err, outJson, plural, reportError, reportWarnings } from './output.js';

/** `naftiko run FILE OP [name=value ...]`: invokes one operation and prints its outputs. */
export const run: Command = {
  name: 'run',
  usage: 'naftiko run FILE OP [name=value ...] [--input JSON|@file.json] [--base-uri URL|namespace=URL] [--timeout MS] [--retries N] [--idempotency-key KEY] [--dry-run] [--verbose] [--json]',
  help: `usage: naftiko run FILE OP [name=value ...] [options]

Invokes operation OP of the capability FILE and prints its outputs as JSON
(indented with 2 spaces) on stdout.

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
      'dry-run': { type: 'boolean' },
      verbose: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length < 2) throw new UsageError('give a capability file and an operation', run.usage, run.name);
    const [file, operation, ...pairs] = positionals;
    const timeout = values.timeout === undefined ? undefined : wholeNumber(run, 'timeout', values.timeout, 1);
    const retries = values.retries === undefined ? undefined : wholeNumber(run, 'retries', values.retries, 0);
    const inputs = commandInputs(run, values.input, pairs);

    const { createRuntime, loadCapability } = await import('../index.js');
    const capability = await loadCapability(file);
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
        outJson(await runtime.invoke(operation, inputs, { signal: controller.signal, idempotencyKey }));
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

function trace(event: RuntimeEvent): void {
  if (event.type === 'request') err(`→ ${event.method} ${event.url}`);
  else err(`← ${event.status} (${Math.round(event.durationMs)} ms, ${plural(event.attempts, 'attempt')})`);
}
