import { afterEach, describe, expect, test, vi } from 'vitest';
import { compileJsonPath, KeyPath, NO_MATCH } from '../runtime/response/jsonPath.js';

const doc = {
  'get-ship': { name: 'Aurora', dimensions: { length_overall: 120 } },
  'a b': 1,
  'a.b': 2,
  items: [
    { name: 'x', price: 5, tags: ['t1'] },
    { name: 'y', price: 15, meta: { deep: { name: 'z' } } },
    { name: 'w', price: 25 },
  ],
  empty: null,
  n: { '0': 'zero' },
};

describe('root', () => {
  test.each(['$', '$.', ' $. '])('%j selects the whole document', (expression) => {
    const path = compileJsonPath(expression);
    expect(path.expression).toBe(expression);
    expect(path.evaluate(doc)).toEqual([doc]);
    expect(path.evaluate('plain text')).toEqual(['plain text']);
    expect(path.evaluate(null)).toEqual([null]);
  });
});

describe('member chains (KeyPath)', () => {
  test.each<[string, unknown]>([
    ['$.get-ship.name', 'Aurora'],
    ['$.get-ship.dimensions.length_overall', 120],
    ["$['a b']", 1],
    ['$["a b"]', 1],
    ["$['a.b']", 2],
    ['$.items[1].name', 'y'],
    ['$.items[0].tags[0]', 't1'],
    ["$['items'][2]['price']", 25],
    ["$.n['0']", 'zero'],
    ['$.items[-1].name', 'w'],
    ['$.empty', null],
  ])('%s', (expression, expected) => {
    const path = compileJsonPath(expression);
    expect(path).toBeInstanceOf(KeyPath);
    expect(path.evaluate(doc)).toEqual([expected]);
  });

  test('indexes into a root array', () => {
    expect(compileJsonPath('$[1].name').evaluate(doc.items)).toEqual(['y']);
    expect(compileJsonPath('$[3]').evaluate(doc.items)).toEqual([]);
  });

  test('missing members, out-of-range indexes and scalars in the way match nothing', () => {
    // `$.n[0]`: an index selects array items only, even where an object has a member "0".
    for (const expression of ['$.nope', '$.items[9].name', '$.items[-4].name', '$.get-ship.name.first', '$.empty.x', '$.items[0].price.x', '$.n[0]', "$.items['0']"]) {
      expect(compileJsonPath(expression).evaluate(doc)).toEqual([]);
    }
    expect(compileJsonPath('$.a').evaluate(null)).toEqual([]);
    expect(compileJsonPath('$.a').evaluate(42)).toEqual([]);
  });

  test('inherited properties are not members', () => {
    expect(compileJsonPath('$.constructor').evaluate({})).toEqual([]);
    expect(compileJsonPath('$.toString').evaluate({})).toEqual([]);
    expect(compileJsonPath('$.__proto__').evaluate({})).toEqual([]);
  });

  test('XML-style member names', () => {
    const xml = { user: { '@id': '7', '#text': 'Ann', 'ns:tag': 'n' } };
    expect(compileJsonPath('$.user.@id').evaluate(xml)).toEqual(['7']);
    expect(compileJsonPath('$.user.#text').evaluate(xml)).toEqual(['Ann']);
    expect(compileJsonPath('$.user.ns:tag').evaluate(xml)).toEqual(['n']);
  });

  test('lookup returns the node or NO_MATCH', () => {
    const path = compileJsonPath('$.get-ship.name') as KeyPath;
    expect(path.keys).toEqual(['get-ship', 'name']);
    expect(path.lookup(doc)).toBe('Aurora');
    expect(path.lookup({})).toBe(NO_MATCH);
  });
});

describe('other RFC 9535 paths', () => {
  test.each<[string, unknown[]]>([
    ['$.items[*].name', ['x', 'y', 'w']],
    ['$.items.*.price', [5, 15, 25]],
    ['$..name', ['Aurora', 'x', 'y', 'z', 'w']],
    ['$..deep.name', ['z']],
    ['$.items[?(@.price > 10)].name', ['y', 'w']],
    ["$.items[?(@.name == 'x')].price", [5]],
    ['$.items[?(@.meta.deep.name)].name', ['y']],
    ['$.items[0:2].name', ['x', 'y']],
    ['$.items[-1:].name', ['w']],
    ['$.items[?(@.price > 100)]', []],
  ])('%s', (expression, expected) => {
    const path = compileJsonPath(expression);
    expect(path).not.toBeInstanceOf(KeyPath);
    expect(path.evaluate(doc)).toEqual(expected);
  });

  test('scalar and null documents match nothing', () => {
    const path = compileJsonPath('$..name');
    expect(path.evaluate(null)).toEqual([]);
    expect(path.evaluate('name')).toEqual([]);
    expect(path.evaluate(0)).toEqual([]);
  });

  test('evaluating twice gives the same fresh result', () => {
    const path = compileJsonPath('$.items[*].price');
    const first = path.evaluate(doc);
    first.push(99);
    expect(path.evaluate(doc)).toEqual([5, 15, 25]);
  });
});

describe('jsonpath-plus extensions keep their jsonpath-plus meaning', () => {
  test.each<[string, unknown[]]>([
    ["$.items[?(@.name === 'x')].price", [5]],
    ['$.items[(@.length-1)].name', ['w']],
    ["$.items[?(@.name.startsWith('w'))].price", [25]],
    ['$.items[?(@.name.match(/^[xy]$/))].name', ['x', 'y']],
    ['$.items[?(@property === 1)].name', ['y']],
    ['$.items[*]~', [0, 1, 2]],
    ['$.get-ship.name^', [doc['get-ship']]],
  ])('%s', (expression, expected) => {
    expect(compileJsonPath(expression).evaluate(doc)).toEqual(expected);
  });

  test('an RFC 9535 expression never goes to jsonpath-plus, parentheses or not: == stays strict', () => {
    const numbers = [{ n: 1 }, { n: '1' }, { n: 0 }];
    expect(compileJsonPath("$[?(@.n == '1')]").evaluate(numbers)).toEqual([{ n: '1' }]);
    expect(compileJsonPath('$[?(@.n)]').evaluate(numbers)).toEqual(numbers);
    expect(compileJsonPath('$[?(@.n === 1)]').evaluate(numbers)).toEqual([{ n: 1 }]);
  });

  test('a broken extension fails at compile time with both readings', () => {
    expect(() => compileJsonPath('$.items[?(@.a === )]')).toThrow(
      "invalid JSONPath '$.items[?(@.a === )]': jsonpath-plus: Expected expression after === at character 11 (not RFC 9535 either: expected a query, a literal or a function call, found '=' at character 17)",
    );
  });

  test('dot names with -, :, @ or # are accepted in the outer query only', () => {
    expect(compileJsonPath('$.get-ship[?@.length_overall > 100]').evaluate(doc)).toEqual([doc['get-ship'].dimensions]);
    expect(() => compileJsonPath('$.items[?@.get-ship]')).toThrow(/expected ',' or '\]', found '-' at character 15/);
  });
});

describe('invalid expressions throw at compile time, naming the expression', () => {
  test.each<[string, RegExp]>([
    ['items.name', /invalid JSONPath 'items\.name': it must start with '\$'/],
    ['', /invalid JSONPath '': it must start/],
    ['$items', /invalid JSONPath '\$items': '\$' must be followed by '\.' or '\[' at character 2/],
    ['$.items[0', /invalid JSONPath '\$\.items\[0': expected ',' or '\]', found end of expression at character 10/],
    ['$.items]', /unexpected '\]' at character 8/],
    ['$.items[?(@.a == 1]', /expected '\)', found '\]' at character 19/],
    ["$['a]", /unclosed ' string at character 3/],
    ['$.items.1.price', /a member name cannot start with a digit after '\.': write \[1…\] for an index/],
    ['$.items[?(@.price ==)]', /invalid JSONPath '\$\.items\[\?\(@\.price ==\)\]'/],
    ['$[?(@.x == (function(){return 1})())]', /invalid JSONPath/],
  ])('%j', (expression, message) => {
    expect(() => compileJsonPath(expression)).toThrow(message);
  });
});

describe('filters cannot run code', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete (globalThis as Record<string, unknown>).pwned;
  });

  test.each([
    "$..[?(@.constructor.constructor('return process')().exit())]",
    "$[?(@.constructor.constructor('globalThis.pwned = 1')())]",
    "$.items[?(@.name.constructor.constructor('globalThis.pwned = 1')())]",
    "$..[?(@.__proto__.polluted = 1)]",
    "$..[?(@.__lookupGetter__('__proto__').call(@).constructor.constructor('globalThis.pwned = 1')())]",
    '$.items[?(@.price = 0)]',
  ])('%s', (expression) => {
    const before = structuredClone(doc);
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('process.exit was called');
    }) as never);
    let matches: unknown[] = [];
    try {
      matches = compileJsonPath(expression).evaluate(doc);
    } catch (error) {
      // A clear refusal is acceptable; running the code is not.
      expect((error as Error).message).not.toMatch(/process\.exit was called/);
    }
    expect(matches).toEqual([]);
    expect(exit).not.toHaveBeenCalled();
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(doc).toEqual(before);
  });
});
