/**
 * Output parameters: each compiled JSONPath is run against the parsed response and its value given the
 * declared type. This runs on every call, so simple paths are walked without the JSONPath library and
 * nothing is allocated beyond the result.
 */
import { NaftikoError, OutputError } from '../errors.js';
import type { OutputPlan } from '../compile/plan.js';
import { KeyPath, NO_MATCH } from './jsonPath.js';
import { NOT_CONVERTIBLE, convertOutput, describeValue } from './convertOutput.js';

/**
 * Extracts the outputs of an operation from its parsed response.
 *
 * A path that matches one node gives that node, several give an array (the declared type then applies
 * to each item, as in `type: string` with `$.items[*].email`), none gives `null`. With no outputs
 * declared the whole document is returned as `result`.
 *
 * Declared types convert without loss (see `convertOutput`); a value that cannot take its declared type
 * throws `OutputError` (OUTPUT_INVALID).
 */
export function extractOutputs(outputs: OutputPlan[], document: unknown, operation: string): Record<string, unknown> {
  if (outputs.length === 0) return { result: document };
  const result: Record<string, unknown> = {};
  for (let i = 0; i < outputs.length; i++) {
    const output = outputs[i];
    const path = output.path;
    if (path instanceof KeyPath) {
      const node = path.lookup(document);
      result[output.name] = node === NO_MATCH ? null : typed(node, output, path.keys.length === 0, operation);
      continue;
    }
    let matches: unknown[];
    try {
      matches = path.evaluate(document);
    } catch (error) {
      if (error instanceof NaftikoError) throw error;
      throw new OutputError(`${operation}: output '${output.name}': JSONPath '${path.expression}' failed: ${(error as Error).message}`, {
        operation,
        output: output.name,
      });
    }
    if (matches.length === 0) result[output.name] = null;
    else if (matches.length === 1) result[output.name] = typed(matches[0], output, false, operation);
    else if (output.type === undefined || output.type === 'array' || output.type === 'object') result[output.name] = matches;
    else result[output.name] = matches.map((match, m) => typed(match, output, false, operation, ` match ${m + 1} of ${matches.length}`));
  }
  return result;
}

function typed(value: unknown, output: OutputPlan, root: boolean, operation: string, position = ''): unknown {
  if (output.type === undefined || value === null) return value;
  const converted = convertOutput(value, output.type, root);
  if (converted !== NOT_CONVERTIBLE) return converted;
  throw new OutputError(`${operation}: output '${output.name}' is declared ${output.type} but${position || ' the value'} is ${describeValue(value)}`, {
    operation,
    output: output.name,
  });
}
