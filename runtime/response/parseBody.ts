/**
 * Turns a raw response body into the JSON tree that output JSONPaths run against, according to the
 * operation's `outputRawFormat`.
 */
import type { XMLParser } from 'fast-xml-parser';
import { ResponseError } from '../errors.js';
import type { RawFormat } from '../types.js';
import { lazyModule } from '../util/lazyModule.js';

/** Parsers of the formats few operations declare, loaded on first use. */
const xml = lazyModule<typeof import('fast-xml-parser')>('fast-xml-parser');
const yaml = lazyModule<typeof import('yaml')>('yaml');

let xmlParser: XMLParser | undefined;

/**
 * Attributes are kept under `@name` and text next to attributes under `#text`, so
 * `<price currency="USD">5</price>` gives `{ price: { '@currency': 'USD', '#text': '5' } }`. Values stay
 * strings, as in CSV: declared output types convert them, and `007` or `1e3` are not mangled. A repeated
 * element becomes an array and a single one an object, as the parser cannot know which elements repeat.
 */
function xmlToTree(text: string): unknown {
  xmlParser ??= new (xml().XMLParser)({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
  return xmlParser.parse(text);
}

const DELIMITERS: Partial<Record<RawFormat, string>> = { csv: ',', tsv: '\t', psv: '|' };

/**
 * Parses a response body into a JSON tree.
 *
 * - An empty body (no bytes, or only whitespace) is `null` whatever the format.
 * - `json`: parsed; a body that is not JSON but comes with a non-JSON content type (`text/plain`,
 *   `text/html`) is returned as a string, since APIs often answer in plain text.
 * - `yaml`: parsed.
 * - `xml`: `{ root: { user: [{ id: '1' }, { id: '2' }] } }` for repeated elements, an object for a single
 *   one; attributes as `@name`, text beside attributes as `#text`, every value a string.
 * - `csv`, `tsv`, `psv`: an array of objects keyed by the header row, values as strings (RFC 4180 quoting).
 * - `text`, `html`, `markdown`: the text. (`binary` bodies are not parsed: see `binaryDocument`.)
 * - `avro`, `protobuf`: not supported.
 *
 * `body` is the raw bytes, or the text {@link decodeText} made of them. A UTF-8 byte-order mark is dropped. Throws `ResponseError` (RESPONSE_INVALID) naming the operation
 * and the format when the body cannot be read as declared.
 */
export function parseBody(body: Buffer | string, format: Exclude<RawFormat, 'binary'>, contentType: string | undefined, operation: string): unknown {
  if (body.length === 0) return null;
  if (format === 'avro' || format === 'protobuf') {
    throw new ResponseError(`${operation}: outputRawFormat '${format}' is not supported: the response cannot be decoded without its schema`, {
      operation,
      details: { format },
    });
  }

  const text = typeof body === 'string' ? body : decodeText(body);
  if (!/\S/.test(text)) return null;

  switch (format) {
    case 'json':
      try {
        return JSON.parse(text);
      } catch (error) {
        if (declaresOther(contentType, 'json')) return text;
        throw unreadable(operation, format, contentType, text, error);
      }
    case 'yaml':
      try {
        return yaml().parse(text);
      } catch (error) {
        throw unreadable(operation, format, contentType, text, error);
      }
    case 'xml': {
      // Validating first is what rejects non-XML text: the parser alone accepts almost anything.
      const valid = xml().XMLValidator.validate(text);
      if (valid !== true) {
        if (declaresOther(contentType, 'xml')) return text;
        throw unreadable(operation, format, contentType, text, new Error(`${valid.err.msg} (line ${valid.err.line})`));
      }
      try {
        return xmlToTree(text);
      } catch (error) {
        throw unreadable(operation, format, contentType, text, error);
      }
    }
    case 'ndjson':
      return parseJsonLines(text, contentType, operation);
    case 'csv':
    case 'tsv':
    case 'psv':
      return parseDelimited(text, DELIMITERS[format]!, format, contentType, operation);
    case 'text':
    case 'html':
    case 'markdown':
      return text;
  }
}

/** A body's bytes as UTF-8 text, without a byte-order mark. */
export function decodeText(body: Buffer): string {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Newline-delimited JSON (one record a line, blank lines skipped) → the array of records. */
function parseJsonLines(text: string, contentType: string | undefined, operation: string): unknown[] {
  return text
    .split(/\r?\n/)
    .filter((line) => /\S/.test(line))
    .map((line) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (error) {
        throw unreadable(operation, 'ndjson', contentType, line, error);
      }
    });
}

/** True when the content type names a format other than `family` (a JSON or XML media type contains its family name). */
function declaresOther(contentType: string | undefined, family: string): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media !== '' && !media.includes(family);
}

function unreadable(operation: string, format: RawFormat, contentType: string | undefined, text: string, cause: unknown): ResponseError {
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  // The parser's own message can quote long stretches of the body, so only ours goes into `message`.
  const why = format === 'json' ? '' : ` (${reason})`;
  return new ResponseError(`${operation}: the response is not valid ${format}${why}; it starts with ${JSON.stringify(excerpt(text))}`, {
    operation,
    details: { format, ...(contentType ? { contentType } : {}) },
    cause,
  });
}

/** At most 80 characters of the start of the body, on one line. */
function excerpt(text: string): string {
  const line = text.slice(0, 200).replace(/\s+/g, ' ').trim();
  return line.length <= 80 ? line : `${line.slice(0, 79)}…`;
}

/**
 * RFC 4180 records: fields may be quoted with `"`, a quote inside is doubled, and quoted fields may hold
 * delimiters and line breaks; records end with CRLF, LF or CR. Blank lines are skipped. The first record
 * names the columns; a short row gets `''` for its missing columns, and a row with more non-empty fields
 * than the header is an error rather than silently losing data.
 */
function parseDelimited(text: string, delimiter: string, format: RawFormat, contentType: string | undefined, operation: string): Array<Record<string, string>> {
  const records: string[][] = [];
  const sep = delimiter.charCodeAt(0);
  const n = text.length;
  let record: string[] = [];
  let i = 0;
  for (;;) {
    let start = i;
    let value = '';
    if (text.charCodeAt(i) === 0x22) {
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) {
          throw unreadable(operation, format, contentType, text, new Error(`unclosed quote in record ${records.length + 1}`));
        }
        if (text.charCodeAt(q + 1) === 0x22) {
          value += text.slice(from, q + 1);
          from = q + 2;
        } else {
          value += text.slice(from, q);
          start = q + 1;
          break;
        }
      }
    }
    // Unquoted field, or (leniently) stray text after a closing quote.
    i = start;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === sep || c === 0x0a || c === 0x0d) break;
      i++;
    }
    record.push(value + text.slice(start, i));

    if (i < n && text.charCodeAt(i) === sep) {
      i++;
      continue;
    }
    if (record.length > 1 || record[0] !== '') records.push(record);
    if (i >= n) break;
    i += text.charCodeAt(i) === 0x0d && text.charCodeAt(i + 1) === 0x0a ? 2 : 1;
    if (i >= n) break;
    record = [];
  }

  const [header, ...rows] = records;
  if (!header) return [];
  const columns = uniqueNames(header);
  return rows.map((fields, r) => {
    for (let f = columns.length; f < fields.length; f++) {
      if (fields[f] !== '') {
        throw unreadable(operation, format, contentType, text, new Error(`record ${r + 2} has ${fields.length} fields but the header has ${columns.length}`));
      }
    }
    // fromEntries defines own properties, so a `__proto__` column cannot change the prototype.
    return Object.fromEntries(columns.map((name, f) => [name, fields[f] ?? '']));
  });
}

/** Header names with repeats suffixed (`name`, `name_2`), so no column is lost. */
function uniqueNames(header: string[]): string[] {
  const seen = new Set<string>();
  return header.map((name) => {
    let unique = name;
    for (let k = 2; seen.has(unique); k++) unique = `${name}_${k}`;
    seen.add(unique);
    return unique;
  });
}
