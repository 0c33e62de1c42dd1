import type { JsonSchema, OperationInfo } from '../index.js';
import { UsageError, parseCommandLine, type Command } from './args.js';
import { EXIT, cliIO, firstLine, formatTable, out, outJson, reportWarnings } from './output.js';

/** `naftiko describe FILE OP`: everything needed to call one operation. */
export const describe: Command = {
  name: 'describe',
  usage: 'naftiko describe FILE OP [--json] [--verbose]',
  help: `usage: naftiko describe FILE OP [--json] [--verbose]

Describes one operation: method, path, base URI, description, inputs (name,
location, type, required, default, enum, description) and outputs (name, type,
JSONPath). OP is an operation id (namespace.name), a bare name, or
namespace.resource.name; an unknown OP suggests close names.

The base URI shown is NAFTIKO_BASE_URI_<NAMESPACE> when that is set, otherwise
the file's.

Options:
  --json       print the OperationInfo (its 'inputs' is the input JSON Schema)
               plus 'baseUri' as JSON
  --verbose    also print the loader's warnings on stderr
  -h, --help   show this help

Exit status: 0 ok, 1 invalid capability or unknown operation, 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(describe, args, {
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
    });
    if (positionals.length !== 2) throw new UsageError(positionals.length < 2 ? 'give a capability file and an operation' : `unexpected argument '${positionals[2]}'`, describe.usage, describe.name);

    const { createRuntime, loadCapability } = await import('../index.js');
    const capability = await loadCapability(positionals[0]);
    if (values.verbose) reportWarnings(capability.warnings);
    // The runtime's lookup accepts every form of name and phrases the did-you-mean.
    const runtime = createRuntime(capability, { env: cliIO().env });
    let info: OperationInfo;
    try {
      info = runtime.find(positionals[1]);
    } finally {
      runtime.close();
    }
    const base = baseUriOf(info);

    if (values.json) {
      outJson({ ...info, baseUri: base.uri ?? null });
      return EXIT.OK;
    }
    const description = (info.description ?? '').trim().split('\n');
    out(
      info.id,
      ...formatTable([
        ['method:', info.method],
        ['path:', info.path],
        ['base URI:', base.uri === undefined ? `(none: give one with --base-uri or ${base.variable})` : `${base.uri}${base.fromEnv ? ` (from ${base.variable})` : ''}`],
        ['description:', description[0]],
        ...description.slice(1).map((line) => ['', line.trim()]),
        ...(info.pagination ? [['pages:', `${info.pagination.type} pagination, at most ${info.pagination.maxPages} pages (run --all)`]] : []),
        ...(info.async ? [['job:', `asynchronous, polled with ${info.async.pollOperation} for at most ${info.async.timeout / 1000} s (run --wait)`]] : []),
      ]),
      '',
      'inputs:',
      ...indent(inputRows(info.inputs), '(none)'),
      'outputs:',
      ...indent(
        info.outputs.length === 0 ? [] : formatTable([['NAME', 'TYPE', 'JSONPATH'], ...info.outputs.map((o) => [o.name, o.type ?? '', o.value])]),
        "(none declared: the whole response body is output 'result')",
      ),
    );
    return EXIT.OK;
  },
};

/** The effective base URI of an operation's namespace, before any `--base-uri` of a run. */
function baseUriOf(info: OperationInfo): { uri?: string; fromEnv: boolean; variable: string } {
  const variable = info.baseUriVariable;
  const fromEnv = cliIO().env[variable];
  if (fromEnv) return { uri: fromEnv, fromEnv: true, variable };
  return info.baseUri ? { uri: info.baseUri, fromEnv: false, variable } : { fromEnv: false, variable };
}

function inputRows(schema: JsonSchema): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(properties).map(([name, p]) => [
    name,
    String(p['x-in'] ?? ''),
    p.type === undefined ? '' : String(p.type),
    required.has(name) ? 'yes' : 'no',
    p.default === undefined ? '' : JSON.stringify(p.default),
    Array.isArray(p.enum) ? p.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('|') : '',
    firstLine(typeof p.description === 'string' ? p.description : ''),
  ]);
  return rows.length === 0 ? [] : formatTable([['NAME', 'IN', 'TYPE', 'REQUIRED', 'DEFAULT', 'ENUM', 'DESCRIPTION'], ...rows]);
}

function indent(lines: string[], empty: string): string[] {
  return (lines.length === 0 ? [empty] : lines).map((line) => `  ${line}`);
}
