/**
 * `naftiko`: validate, list, describe and run the operations of capability files; serve their
 * exposes, or their operations as MCP tools. Parses the command line, dispatches to one module per
 * command and maps every error to an exit status (see `output.ts`); a stack trace is never printed.
 *
 * `runCli` is what the binary runs, and what tests run in-process with their own streams and
 * environment. Command modules load the runtime lazily, inside `run`, so `--help` and `--version`
 * cost little more than starting Node.
 */
import { suggest } from '../util/suggest.js';
import { packageVersion } from '../util/version.js';
import { UsageError, hasFlag, type Command } from './args.js';
import { convert } from './convert.js';
import { describe } from './describe.js';
import { enqueue } from './enqueue.js';
import { list } from './list.js';
import { mcp } from './mcp.js';
import { exportCommand, importCommand } from './openapi.js';
import { EXIT, out, reportError, withCliIO, type CliIO } from './output.js';
import { run } from './run.js';
import { serve } from './serve.js';
import { validate } from './validate.js';
import { worker } from './worker.js';

export type { CliIO };

const COMMANDS: Command[] = [validate, list, describe, run, serve, mcp, worker, enqueue, convert, importCommand, exportCommand];

const USAGE = `naftiko <command> [arguments] (commands: ${COMMANDS.map((c) => c.name).join(', ')})`;

const HELP = `usage: naftiko <command> [arguments]

Commands:
${COMMANDS.map((c) => `  ${c.usage}`).join('\n')}

Run 'naftiko <command> --help' for the details of a command.

Options:
  -h, --help    show this help
  --version     print the version

Exit status: 0 ok, 1 invalid capability or input (nothing sent), 2 usage error,
3 HTTP error response, 4 network error or timeout, 5 asynchronous job failed,
69 cannot listen (serve, mcp), 70 internal error, 130 interrupted.`;

/** Runs `naftiko ARGV` with `io` as its streams and environment; resolves to the exit status. */
export function runCli(argv: string[], io: CliIO): Promise<number> {
  // Decided before parsing, so that errors of every kind follow the flag; values after `--` are not flags.
  const json = hasFlag(argv.slice(1), '--json');
  return withCliIO(io, () => dispatch(argv).catch((error: unknown) => reportError(error, json)));
}

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) throw new UsageError('no command given', USAGE);
  if (name === '--version') {
    out(packageVersion());
    return EXIT.OK;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && args[0] !== undefined ? findCommand(args[0]) : undefined;
    out(topic?.help ?? HELP);
    return EXIT.OK;
  }
  const command = findCommand(name);
  if (hasFlag(args, '--help', '-h')) {
    out(command.help);
    return EXIT.OK;
  }
  return command.run(args);
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command) return command;
  const hint = suggest(name, COMMANDS.map((c) => c.name));
  throw new UsageError(`unknown command '${name}'${hint.length > 0 ? `; did you mean '${hint[0]}'?` : ''}`, USAGE);
}
