import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoutes, explainMatch, matchRoute, normaliseKeyword, type MatchKind, type RouteDef } from '../../src/routing/index.js';
import { keywordForms, normaliseText } from '../../src/text/fold.js';

const KIND_ORDER: Record<MatchKind, number> = { exact: 0, prefix: 1, regex: 2, any: 3 };

/** The decision rule written out plainly: try every (route, keyword) in order, first match wins. */
function decideSlowly(routes: readonly RouteDef[], text: string): string | null {
  const forms = keywordForms(text);
  const normalised = normaliseText(text);
  const tries = routes.flatMap((r) => {
    if (r.kind === 'any' || r.kind === 'regex') return [{ r, k: '' }];
    return [...new Set(r.keywords.map(normaliseKeyword))].filter((k) => k !== '').map((k) => ({ r, k }));
  });
  tries.sort((a, b) =>
    b.r.priority - a.r.priority ||
    KIND_ORDER[a.r.kind] - KIND_ORDER[b.r.kind] ||
    (a.r.kind === 'prefix' ? b.k.length - a.k.length : 0) ||
    (a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : 0));
  const hit = tries.find(({ r, k }) => {
    switch (r.kind) {
      case 'any': return true;
      case 'regex': return new RegExp(r.pattern ?? '', 'iu').test(normalised);
      case 'exact': return forms.includes(k);
      case 'prefix': return forms.some((f) => f === k || f.startsWith(`${k} `));
    }
  });
  return hit?.r.id ?? null;
}

const keyword = fc.constantFrom('ON', 'он', 'OH', 'pass', 'PASS WORD', 'стоп', 'STOP', '25', 'ПЕР');
const routeArb = fc.record({
  kind: fc.constantFrom<MatchKind>('exact', 'exact', 'prefix', 'prefix', 'regex', 'any'),
  keywords: fc.array(keyword, { minLength: 1, maxLength: 3 }),
  pattern: fc.constantFrom('^PASS', '^(?<d>\\d+)$', 'O', '^СТОП$'),
  priority: fc.integer({ min: 0, max: 3 }),
});
const routesArb = fc.array(routeArb, { maxLength: 8 }).map((list) =>
  list.map((r, i): RouteDef => ({ id: `r${(i * 7) % 10}${i}`, shortCode: '500', action: 'a', params: {}, ...r })),
);
const textArb = fc
  .array(fc.constantFrom('on', 'ОН', 'Oh', 'pass', 'word', 'стоп', 'stop', '25', 'пер', 'x'), { maxLength: 3 })
  .map((words) => words.join(' '));

describe('decision order', () => {
  it('picks the first matching keyword in order of priority, kind, prefix length and id', () => {
    fc.assert(fc.property(routesArb, textArb, (routes, text) => {
      const { table } = compileRoutes(routes);
      const expected = decideSlowly(routes, text);
      expect(matchRoute(table, '500', text).route?.id ?? null).toBe(expected);
      expect(explainMatch(table, '500', text).route?.id ?? null).toBe(expected);
    }), { numRuns: 500 });
  });

  it('does not depend on the order routes are listed in', () => {
    fc.assert(fc.property(routesArb, textArb, fc.infiniteStream(fc.integer()), (routes, text, shuffle) => {
      const shuffled = routes
        .map((r) => ({ r, key: shuffle.next().value as number }))
        .sort((a, b) => a.key - b.key)
        .map(({ r }) => r);
      expect(matchRoute(compileRoutes(shuffled).table, '500', text).route?.id).toBe(matchRoute(compileRoutes(routes).table, '500', text).route?.id);
    }), { numRuns: 200 });
  });

  it('never lets a route reported as shadowed win', () => {
    fc.assert(fc.property(routesArb, textArb, (routes, text) => {
      const { table, problems } = compileRoutes(routes);
      const shadowed = new Set(problems.filter((p) => p.code === 'shadowed').map((p) => p.routeId));
      const winner = matchRoute(table, '500', text).route?.id;
      return winner === undefined || !shadowed.has(winner);
    }), { numRuns: 1000 });
  });
});
