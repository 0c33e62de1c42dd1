import type { Diagnostic } from '../errors.js';
import { UsageError, loadOptions, parseCommandLine, type Command } from './args.js';
import { EXIT, formatDiagnosticLine, out, outJson, plural } from './output.js';

/** One file's verdict, as `naftiko validate --json` prints it. */
interface FileReport {
  file: string;
  valid: boolean;
  /** Number of operations (0 when invalid). */
  operations: number;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** `naftiko validate FILE...`: checks capability files; exit 1 when any is invalid. */
export const validate: Command = {
  name: 'validate',
  usage: 'naftiko validate FILE... [--json] [--quiet]',
  help: `usage: naftiko validate FILE... [--json] [--quiet]

Checks capability files (and the files they import) without sending anything.
Prints every problem as 'file:line:col: severity: message', then one summary
line per file: 'ok: FILE (N operations, M warnings)' or 'invalid: FILE (N errors)'.

Options:
  --json     print one JSON array of {file, valid, operations, errors, warnings}
  --quiet    do not print warnings (errors and summaries still print)
  -h, --help show this help

Exit status: 0 every file is valid, 1 some file is invalid, 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(validate, args, {
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (positionals.length === 0) throw new UsageError('no capability file given', validate.usage, validate.name);

    const { inspectCapability } = await import('../index.js');

    const reports = positionals.map((file): FileReport => {
      const { capability, diagnostics } = inspectCapability(file, loadOptions());
      return {
        file,
        valid: capability !== undefined,
        operations: capability?.operations.length ?? 0,
        errors: diagnostics.filter((d) => d.severity === 'error'),
        warnings: diagnostics.filter((d) => d.severity === 'warning'),
      };
    });

    if (values.json) outJson(reports);
    else {
      for (const report of reports) {
        const shown = values.quiet ? report.errors : [...report.errors, ...report.warnings].sort(byPosition);
        for (const d of shown) out(formatDiagnosticLine(d));
        const warnings = report.warnings.length > 0 ? `, ${plural(report.warnings.length, 'warning')}` : '';
        out(report.valid ? `ok: ${report.file} (${plural(report.operations, 'operation')}${warnings})` : `invalid: ${report.file} (${plural(report.errors.length, 'error')}${warnings})`);
      }
    }
    return reports.every((r) => r.valid) ? EXIT.OK : EXIT.INVALID;
  },
};

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
}
