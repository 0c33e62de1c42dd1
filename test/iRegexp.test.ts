import { describe, expect, test } from 'vitest';
import { iRegexp, translate } from '../runtime/response/jsonpath/iRegexp.js';

describe('I-Regexp (RFC 9485) to JavaScript', () => {
  test.each<[string, string]>([
    ['a.c', 'a[^\\n\\r]c'],
    ['[a-z]+', '[a-z]+'],
    ['[^-a]', '[^\\-a]'],
    ['[a-]', '[a\\-]'],
    ['(ab|cd){2,3}', '(?:ab|cd){2,3}'],
    ['x{2,}', 'x{2,}'],
    ['\\p{Lu}\\P{Nd}', '\\p{Lu}\\P{Nd}'],
    ['[\\p{L}_]', '[\\p{L}_]'],
    ['\\.\\-\\n', '\\.-\\n'],
    ['[\\-\\]]', '[\\-\\]]'],
    ['é😀', 'é😀'],
    ['', ''],
  ])('%j becomes %j', (pattern, source) => {
    expect(translate(pattern)).toBe(source);
    expect(() => new RegExp(source, 'u')).not.toThrow();
  });

  test.each(['\\d', '\\w', '\\s', '(?:a)', 'a(?=b)', '\\1', 'a*?', 'a**', '[b-a]', 'x{3,2}', '[a-b-c]', '\\p{IsBasicLatin}', '(a', 'a)', '[a', '{1}', '\\'])(
    '%j is not an I-Regexp',
    (pattern) => {
      expect(translate(pattern)).toBeUndefined();
      expect(iRegexp(pattern, true)).toBeNull();
    },
  );

  test('match() is anchored at both ends, search() is not', () => {
    expect(iRegexp('b.', true)!.test('abc')).toBe(false);
    expect(iRegexp('b.', false)!.test('abc')).toBe(true);
    expect(iRegexp('a|b', true)!.test('ab')).toBe(false);
  });

  test('the dot matches U+2028 and U+2029 but not CR or LF, and whole characters', () => {
    const dot = iRegexp('.', true)!;
    expect(['\u2028', '\u2029', '😀'].map((s) => dot.test(s))).toEqual([true, true, true]);
    expect(['\n', '\r'].map((s) => dot.test(s))).toEqual([false, false]);
  });
});
