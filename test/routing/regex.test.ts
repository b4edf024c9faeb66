import { describe, expect, it } from 'vitest';
import { anchoredLiteral, compileRouteRegex, findUnsafeConstruct } from '../../src/routing/regex.js';

describe('findUnsafeConstruct', () => {
  it.each([
    ['(a+)+', /nested quantifier/],
    ['(?:\\w*\\d)*', /nested quantifier/],
    ['((ab)+c){2,}', /nested quantifier/],
    ['(a?a?){3}', /nested quantifier/],
    ['(a|a)*', /containing \|/],
    ['(?:x|(y))+', /containing \|/],
    ['(?=x)', /lookahead/],
    ['a(?!b)', /lookahead/],
    ['(?<=a)b', /lookbehind/],
    ['(?<!a)b', /lookbehind/],
    ['\\1', /backreference/],
    ['(a)\\1', /backreference/],
    ['(?<x>a)\\k<x>', /named backreference/],
  ])('rejects %s', (pattern, why) => {
    expect(findUnsafeConstruct(pattern)).toMatch(why);
  });

  it.each([
    '^ORDER (?<id>\\d{4,8})$',
    '^(?:PASS|PAROL) (\\w+)$',
    '^(ab)+$',
    '^(?:a+)?$',
    '^(?:\\d{3}){1}$',
    '^[(+*)|]+$',
    '^\\(a\\)+$',
    '^\\p{L}+ \\u{41}*$',
    '^a+?b*?$',
    '^(?<name>x)(?:y)?$',
  ])('accepts %s', (pattern) => {
    expect(findUnsafeConstruct(pattern)).toBeNull();
  });

  it('never throws on malformed patterns', () => {
    for (const pattern of ['(', ')', '[', '\\', '{', 'a{', '(?<', '(?', '))((']) expect(() => findUnsafeConstruct(pattern)).not.toThrow();
  });
});

describe('compileRouteRegex', () => {
  it('compiles with the u and i flags', () => {
    const verdict = compileRouteRegex('^стоп$');
    expect(verdict.ok && verdict.regex.flags).toBe('iu');
    expect(verdict.ok && verdict.regex.test('СТОП')).toBe(true);
  });

  it('tells a syntax error from an unsafe construct', () => {
    expect(compileRouteRegex('a{2')).toMatchObject({ ok: false, code: 'bad-regex' });
    expect(compileRouteRegex('(a+)+')).toMatchObject({ ok: false, code: 'unsafe-regex' });
  });
});

describe('anchoredLiteral', () => {
  it.each([
    ['^ORDER (\\d+)$', 'ORDER '],
    ['^order', 'ORDER'],
    ['^AB?C', 'A'],
    ['ORDER', ''],
    ['^A|B', ''],
    ['^\\d+', ''],
  ])('%s starts every match with %j', (pattern, literal) => {
    expect(anchoredLiteral(pattern)).toBe(literal);
  });
});
