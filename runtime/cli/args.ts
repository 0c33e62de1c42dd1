import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.js';
import type { Capability, LoadOptions, RuntimeOptions } from '../index.js';
import { defaultCacheDir } from '../util/cacheDir.js';
import { cliIO } from './output.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The values `parseArgs` gives for `options`: absent when not given, arrays for `multiple`. */
type Values<O extends OptionsConfig> = {
  [K in keyof O]?: O[K] extends { type: 'string' } ? (O[K] extends { multiple: true } ? string[] : string) : O[K] extends { multiple: true } ? boolean[] : boolean;
};

/**
 * One `naftiko` sub-command. Command modules import the runtime lazily, inside `run`: loading it
 * compiles the capability schema, which `--help`, `--version` and usage errors need not wait for.
 */
export interface Command {
  name: string;
  /** Synopsis, e.g. `naftiko list FILE [--json] [--verbose]`. */
  usage: string;
  /** Everything `naftiko <command> --help` prints. */
  help: string;
  /** Runs the command on the arguments after its name and resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** The command line is wrong: exit 2 with the usage line and a hint to `--help`. */
export class UsageError extends Error {
  /** Synopsis of the command (or of `naftiko` itself) that was misused. */
  readonly usage: string;
  /** The command, to point at `naftiko <command> --help`; absent for top-level mistakes. */
  readonly command?: string;

  constructor(message: string, usage: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
    if (command !== undefined) this.command = command;
  }
}

/**
 * Parses a command's arguments strictly (unknown options are usage errors) with positionals allowed.
 * Node's message for an unknown option goes on to suggest `--`, which no command here needs: only
 * its first sentence is kept.
 */
export function parseCommandLine<O extends OptionsConfig>(command: Command, args: string[], options: O): { values: Values<O>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: values as Values<O>, positionals };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const text = (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? message.split(/\.\s/)[0] : message.replace(/\s*\n\s*/g, ' ')).replace(/\.$/, '');
    throw new UsageError(text.charAt(0).toLowerCase() + text.slice(1), command.usage, command.name);
  }
}

/** True when `flag` is among the arguments before a `--` separator (values after it are positionals). */
export function hasFlag(args: string[], ...flags: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => flags.includes(a));
}

/** Parses `--timeout`/`--retries`-style values: a whole number of at least `min`. */
export function wholeNumber(command: Command, option: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${option} must be a whole number${min > 0 ? ` of at least ${min}` : ''} (got '${value}')`, command.usage, command.name);
  }
  return Number(value);
}

/** How commands load capabilities: with the validation cache of the run's environment. */
export function loadOptions(): LoadOptions {
  const cacheDir = defaultCacheDir(cliIO().env);
  return cacheDir === undefined ? {} : { cacheDir };
}

/**
 * Runtime options of a command: the run's environment, and `--base-uri` values (a bare URL applies to
 * every namespace, `namespace=URL` to one; no URL scheme has '=' before '://'). A namespace no
 * capability consumes is an input error.
 */
export function baseUriOptions(command: Command, capabilities: Capability[], values: string[]): RuntimeOptions {
  const options: RuntimeOptions = { env: cliIO().env };
  const namespaces = [...new Set(capabilities.flatMap((c) => c.operations.map((o) => o.namespace)))];
  for (const value of values) {
    const named = /^([^=:/]+)=(.*)$/.exec(value);
    if (!named) {
      if (options.baseUri !== undefined) throw new UsageError('--base-uri without a namespace is given twice', command.usage, command.name);
      options.baseUri = value;
      continue;
    }
    const [, namespace, url] = named;
    if (!namespaces.includes(namespace)) {
      throw new InputError(`--base-uri ${value}: no namespace '${namespace}' is consumed (there are ${namespaces.map((n) => `'${n}'`).join(', ') || 'none'})`);
    }
    options.baseUris = { ...options.baseUris, [namespace]: url };
  }
  return options;
}
