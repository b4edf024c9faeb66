import { describe, expect, it } from 'vitest';
import { compileRoutes, matchRoute, type RouteProblem } from '../../src/routing/index.js';
import { route } from './seeded-routes.js';

const codes = (problems: RouteProblem[]): Array<[string, string]> => problems.map((p) => [p.routeId, p.code]);

describe('compileRoutes: invalid routes are reported and left out', () => {
  it('keeps the first route of a duplicated id', () => {
    const { table, problems } = compileRoutes([route('a', { keywords: ['X'] }), route('a', { keywords: ['Y'] })]);
    expect(codes(problems)).toEqual([['a', 'duplicate-id']]);
    expect(matchRoute(table, '500', 'x').route?.keywords).toEqual(['X']);
    expect(matchRoute(table, '500', 'y').route).toBeNull();
  });

  it('drops empty keywords, and the route when none is left', () => {
    const { table, problems } = compileRoutes([
      route('some', { keywords: ['OK', ' \u200B '] }),
      route('none', { kind: 'prefix', keywords: [''] }),
      route('bare', { keywords: [] }),
    ]);
    expect(codes(problems)).toEqual([['some', 'empty-keyword'], ['none', 'empty-keyword'], ['none', 'empty-keyword'], ['bare', 'empty-keyword']]);
    expect(matchRoute(table, '500', 'ok').route?.id).toBe('some');
    expect(table.byShortCode.get('500')?.routes.map((r) => r.def.id)).toEqual(['some']);
  });

  it('reports a regex that does not compile', () => {
    const { table, problems } = compileRoutes([
      route('bad', { kind: 'regex', pattern: '^(ORDER' }),
      route('missing', { kind: 'regex' }),
      route('null', { kind: 'regex', pattern: null }),
    ]);
    expect(codes(problems)).toEqual([['bad', 'bad-regex'], ['missing', 'bad-regex'], ['null', 'bad-regex']]);
    expect(table.shortCodes.size).toBe(0);
  });

  it.each(['(a+)+', '(a|a)*', '(?=x)', '\\1'])('rejects the unsafe regex %s', (pattern) => {
    const { table, problems } = compileRoutes([route('r', { kind: 'regex', pattern })]);
    expect(codes(problems)).toEqual([['r', 'unsafe-regex']]);
    expect(table.shortCodes.has('500')).toBe(false);
  });

  it('folds keywords so look-alike aliases are one keyword', () => {
    const { table, problems } = compileRoutes([route('on', { keywords: ['ON', 'ОN', 'on'] })]);
    expect(problems).toEqual([]);
    expect(table.byShortCode.get('500')?.routes[0]?.keywords).toEqual(['ON']);
  });
});

describe('compileRoutes: ties', () => {
  it('reports the same exact keyword twice at one priority, and the id decides', () => {
    const { table, problems } = compileRoutes([route('b', { keywords: ['X', 'Y'] }), route('a', { keywords: ['x'] })]);
    expect(codes(problems)).toEqual([['b', 'tie']]);
    expect(problems[0]?.message).toMatch(/ties with a .* on keyword X; a wins by id/);
    expect(matchRoute(table, '500', 'X').route?.id).toBe('a');
    expect(matchRoute(table, '500', 'Y').route?.id).toBe('b');
  });

  it('reports the same prefix keyword twice at one priority', () => {
    const { problems } = compileRoutes([route('a', { kind: 'prefix', keywords: ['PASS'] }), route('b', { kind: 'prefix', keywords: ['pass'] })]);
    expect(codes(problems)).toContainEqual(['b', 'tie']);
  });

  it('reports two any routes at one priority', () => {
    const { problems } = compileRoutes([route('a', { kind: 'any' }), route('b', { kind: 'any' })]);
    expect(codes(problems)).toEqual([['b', 'tie'], ['b', 'shadowed']]);
  });

  it('reports two regexes at one priority unless their anchored literals keep them apart', () => {
    const { problems } = compileRoutes([
      route('order', { kind: 'regex', pattern: '^ORDER (\\d+)$' }),
      route('balance', { kind: 'regex', pattern: '^BAL\\w*$' }),
      route('order-any', { kind: 'regex', pattern: '^ORD.*' }),
      route('loose', { kind: 'regex', pattern: '\\d{5}', priority: 3 }),
    ]);
    expect(codes(problems).sort()).toEqual([['order-any', 'tie']]);
  });

  it('is not a tie when priorities or kinds differ', () => {
    const { problems } = compileRoutes([
      route('a', { keywords: ['X'], priority: 2 }),
      route('b', { kind: 'prefix', keywords: ['X'], priority: 2 }),
      route('c', { kind: 'prefix', keywords: ['Y'], priority: 1 }),
      route('d', { kind: 'prefix', keywords: ['Y'], priority: 0 }),
    ]);
    expect(codes(problems).filter(([, code]) => code === 'tie')).toEqual([]);
  });

  it('does not mix short codes', () => {
    const { problems } = compileRoutes([route('a', { keywords: ['X'] }), route('b', { shortCode: '600', keywords: ['X'] })]);
    expect(problems).toEqual([]);
  });
});

describe('compileRoutes: shadowed routes', () => {
  it('finds every route below a higher-priority any', () => {
    const { problems } = compileRoutes([
      route('catch-all', { kind: 'any', priority: 10 }),
      route('exact', { keywords: ['X'] }),
      route('regex', { kind: 'regex', pattern: '^X' }),
    ]);
    expect(codes(problems)).toEqual([['exact', 'shadowed'], ['regex', 'shadowed']]);
    expect(problems[0]?.message).toBe('never matches: catch-all always matches first');
  });

  it('does not count an any of equal priority, which is tried last', () => {
    const { problems } = compileRoutes([route('help', { kind: 'any' }), route('x', { keywords: ['X'] })]);
    expect(problems).toEqual([]);
  });

  it('finds an exact route whose keywords are all taken first', () => {
    const { problems } = compileRoutes([
      route('high', { keywords: ['ON'], priority: 5 }),
      route('pass', { kind: 'prefix', keywords: ['PASS'], priority: 5 }),
      route('low', { keywords: ['on', 'pass word'] }),
      route('partly', { keywords: ['ON', 'OFF'], priority: 1 }),
    ]);
    expect(codes(problems)).toEqual([['low', 'shadowed']]);
    expect(problems[0]?.message).toBe('never matches: high, pass always match first');
  });

  it('finds a prefix whose keyword starts with a higher-priority prefix keyword and a space', () => {
    const { problems } = compileRoutes([
      route('pass', { kind: 'prefix', keywords: ['PASS'], priority: 1 }),
      route('pass-word', { kind: 'prefix', keywords: ['PASS WORD'] }),
      route('password', { kind: 'prefix', keywords: ['PASSWORD'] }),
    ]);
    expect(codes(problems)).toEqual([['pass-word', 'shadowed']]);
  });

  it('keeps a longer prefix keyword of equal priority reachable, since it is tried first', () => {
    const { problems } = compileRoutes([
      route('pass', { kind: 'prefix', keywords: ['PASS'] }),
      route('pass-word', { kind: 'prefix', keywords: ['PASS WORD'] }),
    ]);
    expect(problems).toEqual([]);
  });

  it('reports a route that loses a tie on its only keyword as shadowed too', () => {
    const { problems } = compileRoutes([route('a', { keywords: ['X'] }), route('b', { keywords: ['X'] })]);
    expect(codes(problems)).toEqual([['b', 'tie'], ['b', 'shadowed']]);
  });
});
