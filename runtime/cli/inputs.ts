/**
 * The inputs of an operation on the command line, for `run` and `enqueue`: `name=value` pairs over an
 * optional `--input` object (see `naftiko run --help` for how values are read).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { UsageError, type Command } from './args.js';

/** `--input` (absent when not given) under the `name=value` pairs of `command`. */
export function commandInputs(command: Command, input: string | undefined, pairs: string[]): Record<string, unknown> {
  return { ...(input === undefined ? {} : inputObject(input)), ...pairInputs(command, pairs) };
}

/** `--input '{...}'` or `--input @file.json`: a JSON object. */
function inputObject(text: string): Record<string, unknown> {
  const source = text.startsWith('@') ? `file ${text.slice(1)}` : 'the value';
  const parsed = parseJson(text.startsWith('@') ? readInputFile(text.slice(1)) : text, `--input: ${source} is not valid JSON`);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InputError(`--input: ${source} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

/** `name=value` pairs; see the help text for how values are read. */
function pairInputs(command: Command, pairs: string[]): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected an input as name=value, got '${pair}'`, command.usage, command.name);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    if (name in inputs) throw new UsageError(`input '${name}' is given twice`, command.usage, command.name);
    let value: unknown = raw;
    if (raw.startsWith('@')) {
      const path = raw.slice(1);
      const text = readInputFile(path, name);
      value = path.toLowerCase().endsWith('.json') ? parseJson(text, `input '${name}': file ${path} is not valid JSON`, name) : text;
    } else if (raw.startsWith('{') || raw.startsWith('[')) {
      value = parseJson(raw, `input '${name}': value is not valid JSON`, name);
    }
    inputs[name] = value;
  }
  return inputs;
}

/** Reads the file of an `@path` value given for `input` (absent: for `--input`). */
function readInputFile(path: string, input?: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InputError(`${input === undefined ? '--input' : `input '${input}'`}: cannot read ${path}: ${reason}`, input === undefined ? {} : { parameter: input });
  }
}

function parseJson(text: string, problem: string, parameter?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${problem} (${(error as Error).message})`, parameter === undefined ? {} : { parameter });
  }
}
