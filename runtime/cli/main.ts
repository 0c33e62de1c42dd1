#!/usr/bin/env node
/**
 * The `naftiko` binary: runs the command line with the process's streams and environment, and maps
 * anything that escapes to an exit status instead of a stack trace.
 */
import { PROCESS_IO, reportError } from './output.js';
import { runCli } from './runCli.js';

const argv = process.argv.slice(2);
const json = argv.slice(1).includes('--json');
const fail = (error: unknown) => {
  process.exitCode = reportError(error, json);
};
process.on('uncaughtException', (error) => {
  fail(error);
  process.exit();
});
process.on('unhandledRejection', fail);
// A reader that goes away (`naftiko list x.yaml | head`) is not an error worth reporting.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit();
  fail(error);
});
runCli(argv, PROCESS_IO).then((code) => {
  process.exitCode = code;
}, fail);
