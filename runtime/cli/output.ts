/**
 * Everything the CLI writes goes through here. Results go to stdout (JSON is always pretty-printed
 * with 2 spaces, whether stdout is a terminal or a pipe: `jq` and `JSON.parse` read both, and one
 * format is easier to document and test); errors, `--verbose` traces and the loader warnings of
 * list, describe and run go to stderr, one line each. The diagnostics of `validate` are its result,
 * so they go to stdout.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { relative, isAbsolute } from 'node:path';
import { NaftikoError, formatDiagnostic, type Diagnostic, type ErrorCode } from '../errors.js';
import { UsageError } from './args.js';

/** Where a run of the command line writes and what environment it reads. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** Progress lines are written only to a terminal. */
  stderrIsTTY?: boolean;
}

/** The process's own streams and environment, as the binary runs. */
export const PROCESS_IO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stderrIsTTY: process.stderr.isTTY === true,
};

/** The IO of the run in progress: runs in one process (tests) do not mix their output. */
const current = new AsyncLocalStorage<CliIO>();

/** Runs `work` with `io` as the command line's streams and environment. */
export function withCliIO<T>(io: CliIO, work: () => Promise<T>): Promise<T> {
  return current.run(io, work);
}

/** The streams and environment of the run in progress. */
export function cliIO(): CliIO {
  return current.getStore() ?? PROCESS_IO;
}

/** Exit statuses of `naftiko`. */
export const EXIT = {
  OK: 0,
  /** Invalid capability or input; nothing was sent. */
  INVALID: 1,
  USAGE: 2,
  /** The API answered, but with an error status or a response that cannot be used. */
  RESPONSE: 3,
  /** No answer: network failure, timeout, or aborted. */
  NO_RESPONSE: 4,
  /** The asynchronous job the call waited for finished as failed. */
  JOB_FAILED: 5,
  /** A bug: a non-Naftiko error escaped (BSD `EX_SOFTWARE`). */
  INTERNAL: 70,
  /** Interrupted by SIGINT (128 + 2, as shells report it). */
  INTERRUPTED: 130,
} as const;

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  SPEC_INVALID: EXIT.INVALID,
  INPUT_INVALID: EXIT.INVALID,
  SECRET_MISSING: EXIT.INVALID,
  OPERATION_NOT_FOUND: EXIT.INVALID,
  NOT_SUPPORTED: EXIT.INVALID,
  HTTP_ERROR: EXIT.RESPONSE,
  // The authorization server answered, refusing a token: the API was not called.
  AUTH_FAILED: EXIT.RESPONSE,
  ASYNC_FAILED: EXIT.JOB_FAILED,
  // These happen after a response arrived: the request had its effect, as with an HTTP error.
  RESPONSE_INVALID: EXIT.RESPONSE,
  OUTPUT_INVALID: EXIT.RESPONSE,
  TIMEOUT: EXIT.NO_RESPONSE,
  NETWORK: EXIT.NO_RESPONSE,
  ABORTED: EXIT.NO_RESPONSE,
};

/** Writes one line (or several, joined) to stdout. */
export function out(...lines: string[]): void {
  cliIO().stdout(`${lines.join('\n')}\n`);
}

/** Writes one line (or several, joined) to stderr. */
export function err(...lines: string[]): void {
  cliIO().stderr(`${lines.join('\n')}\n`);
}

/** Writes `value` to stdout as JSON indented with 2 spaces. */
export function outJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** A path as the user would type it: relative to the working directory when it is below it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** `file:line:col: severity: message`, with the file shown as `displayPath` does. */
export function formatDiagnosticLine(diagnostic: Diagnostic): string {
  return formatDiagnostic({ ...diagnostic, file: displayPath(diagnostic.file) });
}

/** `1 operation`, `3 operations`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Rows of cells as aligned columns (two spaces apart), without trailing blanks. */
export function formatTable(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

/** The first line of `text`, whitespace collapsed, cut to `max` characters with an ellipsis. */
export function firstLine(text: string | undefined, max = Infinity): string {
  const line = (text ?? '').trim().split('\n')[0].replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Multi-line messages (a SpecError lists one diagnostic per line) folded into one line. */
function oneLine(message: string): string {
  return message
    .trim()
    .replace(/:\s*\n\s*/g, ': ')
    .replace(/\s*\n\s*/g, '; ');
}

/**
 * Reports an error on stderr and returns the exit code it maps to. Naftiko errors print as
 * `naftiko: CODE: message`, or with `json` as the error's `toJSON()` on one line; usage errors add
 * the usage line and a `--help` hint; anything else is a bug and prints `naftiko: internal error`.
 */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof UsageError) {
    err(`naftiko: ${error.message}`, `usage: ${error.usage}`, `Run 'naftiko ${error.command ? `${error.command} ` : ''}--help' for details.`);
    return EXIT.USAGE;
  }
  if (error instanceof NaftikoError) {
    err(json ? JSON.stringify(error.toJSON()) : `naftiko: ${error.code}: ${oneLine(error.message)}`);
    return EXIT_BY_CODE[error.code];
  }
  err(`naftiko: internal error: ${oneLine(error instanceof Error ? error.message : String(error))}`);
  return EXIT.INTERNAL;
}

/** Prints loader warnings on stderr (list, describe and run do so only with `--verbose`). */
export function reportWarnings(diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) if (d.severity === 'warning') err(formatDiagnosticLine(d));
}
