import { describe, expect, test } from 'vitest';
import { OutputError } from '../runtime/errors.js';
import { extractOutputs } from '../runtime/response/extractOutputs.js';
import { KeyPath, compileJsonPath } from '../runtime/response/jsonPath.js';
import type { OutputPlan } from '../runtime/compile/plan.js';
import type { ValueType } from '../runtime/types.js';

const out = (name: string, value: string, type?: ValueType): OutputPlan => ({ name, path: compileJsonPath(value), ...(type ? { type } : {}) });
const one = (value: unknown, type: ValueType, path = '$.v') => extractOutputs([out('v', path, type)], { v: value }, 'ships.get').v;

function failure(fn: () => unknown): OutputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OutputError);
    return error as OutputError;
  }
  throw new Error('expected an OutputError');
}

const doc = {
  id: 7,
  'get-ship': { name: 'Aurora' },
  items: [
    { email: 'a@x', n: '1' },
    { email: 'b@x', n: '2' },
  ],
  one: [{ email: 'c@x' }],
};

describe('matching', () => {
  test('one match is the value, several an array, none null', () => {
    expect(
      extractOutputs(
        [out('id', '$.id'), out('name', '$.get-ship.name'), out('emails', '$.items[*].email'), out('only', '$.one[*].email'), out('none', '$.nope'), out('nothing', '$.items[?(@.n == "9")]')],
        doc,
        'ships.get',
      ),
    ).toEqual({ id: 7, name: 'Aurora', emails: ['a@x', 'b@x'], only: 'c@x', none: null, nothing: null });
  });

  test('no outputs declared: the whole document is the result', () => {
    expect(extractOutputs([], doc, 'ships.get')).toEqual({ result: doc });
    expect(extractOutputs([], 'text', 'ships.get')).toEqual({ result: 'text' });
  });

  test('a null node is null, not a miss', () => {
    expect(extractOutputs([out('x', '$.x', 'number')], { x: null }, 'op')).toEqual({ x: null });
  });

  test('the root is the whole document', () => {
    expect(extractOutputs([out('all', '$.')], doc, 'op').all).toBe(doc);
  });
});

describe('coercion', () => {
  test.each<[unknown, ValueType, unknown]>([
    // string
    ['abc', 'string', 'abc'],
    [5, 'string', '5'],
    [5.5, 'string', '5.5'],
    [false, 'string', 'false'],
    ['', 'string', ''],
    // number
    [5, 'number', 5],
    ['5', 'number', 5],
    [' -5.25 ', 'number', -5.25],
    ['1e3', 'number', 1000],
    ['.5', 'number', 0.5],
    ['', 'number', null],
    // integer
    [5, 'integer', 5],
    [5.0, 'integer', 5],
    ['5', 'integer', 5],
    ['5.0', 'integer', 5],
    ['+42', 'integer', 42],
    ['  ', 'integer', null],
    ['12345678901234567890', 'integer', '12345678901234567890'],
    ['12345678901234567890', 'number', '12345678901234567890'],
    // boolean
    [true, 'boolean', true],
    ['true', 'boolean', true],
    ['FALSE', 'boolean', false],
    [' True ', 'boolean', true],
    ['', 'boolean', null],
    // object and array: containers pass, whichever kind
    [{ a: 1 }, 'object', { a: 1 }],
    [[1], 'object', [1]],
    [[1], 'array', [1]],
    [{ a: 1 }, 'array', { a: 1 }],
  ])('%j as %s is %j', (value, type, expected) => {
    expect(one(value, type)).toEqual(expected);
  });

  test.each<ValueType>(['string', 'number', 'integer', 'boolean', 'object', 'array'])('null stays null for %s', (type) => {
    expect(one(null, type)).toBeNull();
    expect(one(undefined, type, '$.missing')).toBeNull();
  });

  test.each<[unknown, ValueType, string]>([
    ['abc', 'number', 'the string "abc"'],
    ['5 apples', 'number', 'the string "5 apples"'],
    ['0x10', 'number', 'the string "0x10"'],
    [true, 'number', 'the boolean true'],
    [{ a: 1 }, 'number', 'an object'],
    ['5.5', 'integer', 'the string "5.5"'],
    [5.5, 'integer', 'the number 5.5'],
    [{ a: 1 }, 'string', 'an object'],
    [[1, 2], 'string', 'an array of 2 items'],
    [[1], 'boolean', 'an array of 1 item'],
    ['yes', 'boolean', 'the string "yes"'],
    [1, 'boolean', 'the number 1'],
    ['abc', 'object', 'the string "abc"'],
    [3, 'array', 'the number 3'],
    ['x'.repeat(100), 'number', `the string "${'x'.repeat(39)}…"`],
  ])('%j as %s is OUTPUT_INVALID', (value, type, description) => {
    const error = failure(() => one(value, type));
    expect(error.code).toBe('OUTPUT_INVALID');
    expect(error.operation).toBe('ships.get');
    expect(error.message).toBe(`ships.get: output 'v' is declared ${type} but the value is ${description}`);
    expect(error.toJSON()).toMatchObject({ output: 'v', operation: 'ships.get' });
  });

  test.each(['$', '$.'])('a root (%s) declared object passes any value through', (root) => {
    for (const document of ['plain answer', 42, true, [1], { a: 1 }]) {
      expect(extractOutputs([out('r', root, 'object')], document, 'op')).toEqual({ r: document });
    }
  });

  test('a root declared as a scalar type is still checked', () => {
    expect(extractOutputs([out('r', '$', 'number')], '42', 'op')).toEqual({ r: 42 });
    expect(failure(() => extractOutputs([out('r', '$', 'array')], 'x', 'op')).message).toBe(`op: output 'r' is declared array but the value is the string "x"`);
  });

  test('several matches: a scalar type applies to each match', () => {
    expect(extractOutputs([out('n', '$.items[*].n', 'integer')], doc, 'op')).toEqual({ n: [1, 2] });
    expect(extractOutputs([out('e', '$.items[*].email', 'string')], doc, 'op')).toEqual({ e: ['a@x', 'b@x'] });
    expect(extractOutputs([out('i', '$.items[*]', 'object'), out('j', '$.items[*]', 'array')], doc, 'op')).toEqual({ i: doc.items, j: doc.items });
    const error = failure(() => extractOutputs([out('n', '$.items[*].email', 'number')], doc, 'op'));
    expect(error.message).toBe(`op: output 'n' is declared number but match 1 of 2 is the string "a@x"`);
  });

  test('several matches keep null items', () => {
    expect(extractOutputs([out('v', '$[*].v', 'number')], [{ v: '1' }, { v: null }], 'op')).toEqual({ v: [1, null] });
  });
});

test('a path that throws while evaluating is OUTPUT_INVALID naming the expression', () => {
  const failing: OutputPlan = {
    name: 'x',
    path: {
      expression: '$.x',
      evaluate() {
        throw new Error('boom');
      },
    },
  };
  const error = failure(() => extractOutputs([failing], {}, 'op'));
  expect(error.message).toBe(`op: output 'x': JSONPath '$.x' failed: boom`);
});

test('simple paths stay cheap: they compile to key walks that never reach the JSONPath library', () => {
  const outputs = [out('id', '$.id', 'string'), out('name', '$.get-ship.name', 'string'), out('root', '$.', 'object')];
  expect(outputs.map((o) => (o.path instanceof KeyPath ? o.path.keys : 'library'))).toEqual([['id'], ['get-ship', 'name'], []]);
  // The speed itself is measured by `npm run bench`, not asserted here.
  expect(extractOutputs(outputs, doc, 'op')).toEqual({ id: '7', name: 'Aurora', root: doc });
});
