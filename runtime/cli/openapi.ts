/**
 * `naftiko import openapi` and `naftiko export openapi`. The capability (import) or the OpenAPI
 * document (export) goes to stdout or `--output FILE`; what could not be carried over is reported on
 * stderr, one line an item, and never changes the exit status.
 */
import { writeFileSync } from 'node:fs';
import { UsageError, loadOptions, parseCommandLine, type Command } from './args.js';
import { EXIT, cliIO, err, plural } from './output.js';
import type { ReportEntry } from '../openapi/report.js';

/** `naftiko import openapi SPEC`: a capability from an OpenAPI document. */
export const importCommand: Command = {
  name: 'import',
  usage: 'naftiko import openapi SPEC [--namespace NS] [--secret-env VAR] [--output FILE] [--format naftiko|ikanos] [--tag T ...] [--operation ID ...]',
  help: `usage: naftiko import openapi SPEC [--namespace NS] [--secret-env VAR] [--output FILE]
                             [--format naftiko|ikanos] [--tag T ...] [--operation ID ...]

Writes a capability for an OpenAPI document: Swagger 2.0, OpenAPI 3.0 or 3.1,
JSON or YAML, a file or an http(s) URL. One operation per path and method,
named by operationId; parameters with their types and checks; JSON bodies as
a 'body' input with their JSON Schema; the whole response as output 'result';
authentication read from environment variables, never written in the file.
What the capability cannot express is listed on stderr.

Options:
  --namespace NS      namespace of the API (default: from info.title)
  --secret-env VAR    environment variable holding the secret (default:
                      <NAMESPACE>_API_KEY, _TOKEN…); the prefix when there
                      are several (VAR_USERNAME, VAR_PASSWORD)
  --output FILE       write the capability to FILE instead of stdout
  --format F          naftiko (1.0.0-alpha2, run by this runtime; default)
                      or ikanos (1.0.0-beta5)
  --tag T             only operations tagged T (repeatable)
  --operation ID      only this operation, by operationId or name (repeatable);
                      with --tag, operations matching either are kept
  -h, --help          show this help

Exit status: 0 written, 1 unreadable or invalid document, or a filter that
matches nothing, 2 usage error, 3 the URL answered with an error status,
4 the URL could not be reached.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(importCommand, args, {
      namespace: { type: 'string' },
      'secret-env': { type: 'string' },
      output: { type: 'string', short: 'o' },
      format: { type: 'string' },
      tag: { type: 'string', multiple: true },
      operation: { type: 'string', multiple: true },
    });
    const spec = openapiArgument(importCommand, positionals, 'OpenAPI document');
    const format = values.format ?? 'naftiko';
    if (format !== 'naftiko' && format !== 'ikanos') throw new UsageError(`--format must be naftiko or ikanos (got '${format}')`, importCommand.usage, importCommand.name);

    const { importOpenApi } = await import('../openapi/index.js');
    const result = await importOpenApi(spec, {
      format,
      ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
      ...(values['secret-env'] !== undefined ? { secretEnv: values['secret-env'] } : {}),
      ...(values.tag ? { tags: values.tag } : {}),
      ...(values.operation ? { operations: values.operation } : {}),
    });
    await printReport(result.report);
    write(values.output, result.yaml);
    err(`imported ${plural(result.operations, 'operation')} from ${spec}${values.output ? ` into ${values.output}` : ''}${summary(result.report)}`);
    return EXIT.OK;
  },
};

/** `naftiko export openapi FILE`: an OpenAPI 3.1 document of a capability. */
export const exportCommand: Command = {
  name: 'export',
  usage: 'naftiko export openapi FILE [--output F] [--exposes]',
  help: `usage: naftiko export openapi FILE [--output F] [--exposes]

Writes an OpenAPI 3.1 document describing the operations a capability
consumes, as the runtime sends them. JSON on stdout; with --output, YAML
unless F ends in .json. What OpenAPI cannot express is listed on stderr.

Options:
  --output F     write the document to F instead of stdout
  --exposes      also describe the REST APIs the capability exposes
  -h, --help     show this help

Exit status: 0 written, 1 invalid capability, 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(exportCommand, args, {
      output: { type: 'string', short: 'o' },
      exposes: { type: 'boolean' },
    });
    const file = openapiArgument(exportCommand, positionals, 'capability file');
    const [{ loadCapability }, { exportOpenApi }] = await Promise.all([import('../index.js'), import('../openapi/index.js')]);
    const { toYaml } = await import('../openapi/importOpenApi.js');
    const result = exportOpenApi(await loadCapability(file, loadOptions()), { exposes: values.exposes === true });
    await printReport(result.report);
    const json = values.output === undefined || values.output.toLowerCase().endsWith('.json');
    write(values.output, json ? `${JSON.stringify(result.document, null, 2)}\n` : toYaml(result.document));
    if (values.output) err(`exported ${plural(Object.keys(result.document.paths as object).length, 'path')} of ${file} into ${values.output}${summary(result.report)}`);
    return EXIT.OK;
  },
};

/** Checks `openapi SOURCE` (the only kind there is today) and returns SOURCE. */
function openapiArgument(command: Command, positionals: string[], what: string): string {
  const [kind, source, ...rest] = positionals;
  if (kind === undefined) throw new UsageError(`what to ${command.name}? ('openapi')`, command.usage, command.name);
  if (kind !== 'openapi') throw new UsageError(`unknown format '${kind}' (only 'openapi' can be ${command.name}ed)`, command.usage, command.name);
  if (source === undefined) throw new UsageError(`no ${what} given`, command.usage, command.name);
  if (rest.length > 0) throw new UsageError(`give exactly one ${what} (got also '${rest[0]}')`, command.usage, command.name);
  return source;
}

async function printReport(entries: ReportEntry[]): Promise<void> {
  const { formatReportEntry } = await import('../openapi/index.js');
  for (const entry of entries) err(formatReportEntry(entry));
}

function summary(entries: ReportEntry[]): string {
  const lost = entries.filter((e) => e.kind !== 'note').length;
  return lost > 0 ? `; ${plural(lost, 'item')} not expressible (listed above)` : '';
}

function write(output: string | undefined, text: string): void {
  if (output === undefined) cliIO().stdout(text);
  else writeFileSync(output, text);
}
