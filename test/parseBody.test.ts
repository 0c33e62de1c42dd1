import { describe, expect, test } from 'vitest';
import { ResponseError } from '../runtime/errors.js';
import { parseBody } from '../runtime/response/parseBody.js';
import { binaryDocument } from '../runtime/response/looseBody.js';
import type { RawFormat as AnyFormat } from '../runtime/types.js';

type RawFormat = Exclude<AnyFormat, 'binary'>;

const buf = (text: string) => Buffer.from(text, 'utf8');
const parse = (text: string, format: RawFormat, contentType?: string) => parseBody(buf(text), format, contentType, 'users.list');

function failure(fn: () => unknown): ResponseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ResponseError);
    return error as ResponseError;
  }
  throw new Error('expected a ResponseError');
}

describe('empty bodies', () => {
  const formats: RawFormat[] = ['json', 'yaml', 'xml', 'csv', 'tsv', 'psv', 'text', 'html', 'markdown', 'avro', 'protobuf'];
  test.each(formats)('no bytes is null for %s', (format) => {
    expect(parseBody(Buffer.alloc(0), format, 'application/json', 'op')).toBeNull();
  });
  test.each(formats.filter((f) => f !== 'avro' && f !== 'protobuf'))('whitespace and a lone BOM are null for %s', (format) => {
    expect(parse(' \r\n\t ', format)).toBeNull();
    expect(parse('\uFEFF', format)).toBeNull();
  });
});

describe('json', () => {
  test('parses values of every kind', () => {
    expect(parse('{"a":[1,2.5,"x",true,null]}', 'json', 'application/json')).toEqual({ a: [1, 2.5, 'x', true, null] });
    expect(parse('[1]', 'json')).toEqual([1]);
    expect(parse('"s"', 'json')).toBe('s');
    expect(parse('null', 'json')).toBeNull();
  });

  test('a byte-order mark is dropped', () => {
    expect(parseBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf('{"é":"ü"}')]), 'json', undefined, 'op')).toEqual({ é: 'ü' });
  });

  test('valid JSON parses whatever the content type says', () => {
    expect(parse('{"a":1}', 'json', 'text/plain')).toEqual({ a: 1 });
  });

  test('non-JSON under a non-JSON content type is returned as text', () => {
    expect(parse('Service unavailable\n', 'json', 'text/plain; charset=utf-8')).toBe('Service unavailable\n');
    expect(parse('<html><body>oops</body></html>', 'json', 'text/html')).toBe('<html><body>oops</body></html>');
  });

  test.each([undefined, 'application/json', 'application/problem+json; charset=utf-8', ''])(
    'invalid JSON with content type %j is RESPONSE_INVALID naming the operation',
    (contentType) => {
      const error = failure(() => parse('{"a": 1,, oops', 'json', contentType));
      expect(error.code).toBe('RESPONSE_INVALID');
      expect(error.operation).toBe('users.list');
      expect(error.message).toBe('users.list: the response is not valid json; it starts with "{\\"a\\": 1,, oops"');
      expect(error.cause).toBeInstanceOf(SyntaxError);
      expect(error.toJSON()).toMatchObject({ code: 'RESPONSE_INVALID', operation: 'users.list', format: 'json' });
    },
  );

  test('the excerpt is at most 80 characters, on one line', () => {
    const body = `{${'x'.repeat(50)}\n${'y'.repeat(500)}`;
    const error = failure(() => parse(body, 'json'));
    const quoted = /it starts with "(.*)"$/.exec(error.message)![1];
    expect(quoted).toBe(`{${'x'.repeat(50)} ${'y'.repeat(27)}…`);
    expect(quoted.length).toBe(80);
  });
});

describe('yaml', () => {
  test('parses a mapping', () => {
    expect(parse('name: Ann\nage: 42\ntags:\n  - a\n  - b\nok: true\n', 'yaml', 'application/yaml')).toEqual({ name: 'Ann', age: 42, tags: ['a', 'b'], ok: true });
  });
  test('invalid YAML is RESPONSE_INVALID with the reason', () => {
    const error = failure(() => parse('a: [1, 2\nb: }', 'yaml'));
    expect(error.message).toMatch(/^users\.list: the response is not valid yaml \(.+\); it starts with "a: \[1, 2 b: }"$/);
  });
});

describe('xml', () => {
  test('repeated elements become an array of objects with string values (tutorial shape)', () => {
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<root>\n  <user><id>1</id><name>Ann</name><email>ann@example.com</email></user>\n  <user><id>2</id><name>Bob &amp; Co</name><email>bob@example.com</email></user>\n</root>';
    expect(parse(body, 'xml', 'application/xml')).toEqual({
      root: {
        user: [
          { id: '1', name: 'Ann', email: 'ann@example.com' },
          { id: '2', name: 'Bob & Co', email: 'bob@example.com' },
        ],
      },
    });
  });

  test('a single element is an object', () => {
    expect(parse('<root><user><id>1</id></user></root>', 'xml')).toEqual({ root: { user: { id: '1' } } });
  });

  test('attributes under @name, text beside attributes under #text, values kept as strings', () => {
    expect(parse('<item sku="A-1" qty="007"><price currency="USD"> 5.50 </price><empty/><note><![CDATA[a < b]]></note></item>', 'xml')).toEqual({
      item: { '@sku': 'A-1', '@qty': '007', price: { '@currency': 'USD', '#text': '5.50' }, empty: '', note: 'a < b' },
    });
  });

  test('namespace prefixes are kept', () => {
    expect(parse('<s:Envelope xmlns:s="urn:x"><s:Body>1</s:Body></s:Envelope>', 'xml')).toEqual({ 's:Envelope': { '@xmlns:s': 'urn:x', 's:Body': '1' } });
  });

  test('malformed XML is RESPONSE_INVALID with the reason', () => {
    const error = failure(() => parse('<a><b></a>', 'xml', 'application/xml'));
    expect(error.message).toMatch(/^users\.list: the response is not valid xml \(Expected closing tag 'b'.*line 1\)\); it starts with "<a><b><\/a>"$/);
  });

  test('non-XML under a non-XML content type is returned as text', () => {
    expect(parse('Not found', 'xml', 'text/plain')).toBe('Not found');
  });
});

describe('delimited', () => {
  test('csv with quotes, escaped quotes, embedded delimiters and newlines, CRLF', () => {
    const body = 'id,name,comment\r\n1,"Smith, Ann","said ""hi""\r\nthen left"\r\n2,Bob,\r\n';
    expect(parse(body, 'csv', 'text/csv')).toEqual([
      { id: '1', name: 'Smith, Ann', comment: 'said "hi"\r\nthen left' },
      { id: '2', name: 'Bob', comment: '' },
    ]);
  });

  test('csv without a final newline, with LF, blank lines and a BOM', () => {
    expect(parse('\uFEFFa,b\n1,2\n\n3,4', 'csv')).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ]);
  });

  test('values keep their spaces and quotes inside unquoted fields', () => {
    expect(parse('a,b\n 1 ,5" screen\n"x"y,', 'csv')).toEqual([
      { a: ' 1 ', b: '5" screen' },
      { a: 'xy', b: '' },
    ]);
  });

  test('short rows get empty strings, empty trailing fields beyond the header are dropped', () => {
    expect(parse('a,b,c\n1\n2,3,4,,\n', 'csv')).toEqual([
      { a: '1', b: '', c: '' },
      { a: '2', b: '3', c: '4' },
    ]);
  });

  test('a row with extra values is RESPONSE_INVALID', () => {
    const error = failure(() => parse('a,b\n1,2,3\n', 'csv'));
    expect(error.message).toMatch(/^users\.list: the response is not valid csv \(record 2 has 3 fields but the header has 2\)/);
  });

  test('an unclosed quote is RESPONSE_INVALID', () => {
    expect(failure(() => parse('a\n"open', 'csv')).message).toMatch(/not valid csv \(unclosed quote in record 2\)/);
  });

  test('repeated header names are suffixed; __proto__ is an ordinary column', () => {
    const [row] = parse('name,name,__proto__\nx,y,z\n', 'csv') as Array<Record<string, string>>;
    expect(row).toEqual({ name: 'x', name_2: 'y', ['__proto__']: 'z' });
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.hasOwn(row, '__proto__')).toBe(true);
  });

  test('header only gives an empty array', () => {
    expect(parse('a,b\r\n', 'csv')).toEqual([]);
  });

  test('tsv', () => {
    expect(parse('id\tname\n1\tAnn, Smith\n2\t"Tab\there"\n', 'tsv')).toEqual([
      { id: '1', name: 'Ann, Smith' },
      { id: '2', name: 'Tab\there' },
    ]);
  });

  test('psv', () => {
    expect(parse('id|name\r1|Ann\r2|"a|b"', 'psv')).toEqual([
      { id: '1', name: 'Ann' },
      { id: '2', name: 'a|b' },
    ]);
  });
});

describe('text formats', () => {
  test.each<RawFormat>(['text', 'html', 'markdown'])('%s is the decoded text, untouched', (format) => {
    expect(parse('  # Título\n\n<b>x</b>\n', format)).toBe('  # Título\n\n<b>x</b>\n');
  });
  test('a BOM is dropped from text', () => {
    expect(parse('\uFEFFhello', 'text')).toBe('hello');
  });
});

test('binary is its content type, size and base64; empty is null', () => {
  expect(binaryDocument(Buffer.from([0, 1, 254, 255]), 'image/png')).toEqual({ contentType: 'image/png', size: 4, base64: 'AAH+/w==' });
  expect(binaryDocument(Buffer.from([0]), undefined)).toEqual({ contentType: 'application/octet-stream', size: 1, base64: 'AA==' });
  expect(binaryDocument(Buffer.alloc(0), 'image/png')).toBeNull();
});

test.each<RawFormat>(['avro', 'protobuf'])('%s is RESPONSE_INVALID: not supported', (format) => {
  const error = failure(() => parse('\x00\x01', format));
  expect(error.code).toBe('RESPONSE_INVALID');
  expect(error.message).toBe(`users.list: outputRawFormat '${format}' is not supported: the response cannot be decoded without its schema`);
});
