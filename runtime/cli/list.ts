import { UsageError, loadOptions, parseCommandLine, type Command } from './args.js';
import { EXIT, firstLine, formatTable, out, outJson, reportWarnings } from './output.js';

/** Longest description shown in the table; `describe` shows it whole. */
const DESCRIPTION_WIDTH = 60;

/** `naftiko list FILE`: the operations of a capability, as a table or as JSON. */
export const list: Command = {
  name: 'list',
  usage: 'naftiko list FILE [--json] [--verbose]',
  help: `usage: naftiko list FILE [--json] [--verbose]

Lists the operations of a capability (including imported ones): id, method,
path and the first line of the description.

Options:
  --json       print the operations as a JSON array (OperationInfo objects)
  --verbose    also print the loader's warnings on stderr
  -h, --help   show this help

Exit status: 0 ok, 1 invalid capability, 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(list, args, {
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no capability file given' : 'give exactly one capability file', list.usage, list.name);

    const { loadCapability } = await import('../index.js');
    const capability = await loadCapability(positionals[0], loadOptions());
    if (values.verbose) reportWarnings(capability.warnings);
    if (values.json) outJson(capability.operations);
    else {
      const rows = capability.operations.map((op) => [op.id, op.method, op.path, firstLine(op.description, DESCRIPTION_WIDTH)]);
      out(...formatTable([['ID', 'METHOD', 'PATH', 'DESCRIPTION'], ...rows]));
    }
    return EXIT.OK;
  },
};
