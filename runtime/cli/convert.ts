import { readFileSync, writeFileSync } from 'node:fs';
import { UsageError, parseCommandLine, type Command } from './args.js';
import { EXIT, err, out } from './output.js';

const TARGETS = ['ikanos', 'naftiko'] as const;

/** `naftiko convert FILE --to ikanos|naftiko`: rewrites a capability in the other shape of the format. */
export const convert: Command = {
  name: 'convert',
  usage: 'naftiko convert FILE --to ikanos|naftiko [--output F]',
  help: `usage: naftiko convert FILE --to ikanos|naftiko [--output F]

Rewrites the capability FILE in the other shape of the format, keeping its
comments, key order and quoting:

  --to ikanos    Naftiko (named lists, 'label', 'location' imports, 'functions')
                 to Ikanos 1.0.0-beta5 (maps keyed by name, 'display', 'from',
                 'flows')
  --to naftiko   back to Naftiko 1.0.0-alpha2, when nothing is lost: a file
                 using tunnel, binary content, MCP caching, info.version or
                 exposes/aggregates/binds imports is refused, with each reason

Only FILE is converted; the files it imports keep their own shape (the runtime
reads every shape, so a converted file still loads).

Options:
  --to D          ikanos or naftiko (required)
  --output F, -o  write to F instead of stdout
  -h, --help      show this help

Exit status: 0 converted, 1 the file cannot be read or converted (reasons on
stderr as FILE:line:col: error: message), 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(convert, args, {
      to: { type: 'string' },
      output: { type: 'string', short: 'o' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no capability file given' : 'give exactly one capability file', convert.usage, convert.name);
    const to = values.to as (typeof TARGETS)[number] | undefined;
    if (to === undefined || !TARGETS.includes(to)) throw new UsageError(`--to must be ${TARGETS.join(' or ')}${values.to === undefined ? '' : ` (got '${values.to}')`}`, convert.usage, convert.name);

    const [file] = positionals;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      err(`${file}: error: cannot read capability file: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
      return EXIT.INVALID;
    }
    const { convertDocument } = await import('../convert/convertDocument.js');
    const result = convertDocument(text, to);
    if (!result.ok) {
      for (const p of result.problems) err(`${file}:${p.line}:${p.col}: error: ${p.message}`);
      return EXIT.INVALID;
    }
    for (const note of result.notes) err(`${file}:${note.line}:${note.col}: warning: ${note.message}`);
    if (values.output !== undefined) writeFileSync(values.output, result.text);
    else out(result.text.replace(/\n$/, ''));
    return EXIT.OK;
  },
};
