import { describe, expect, it } from 'vitest';
import { compileRoutes, matchRoute } from '../../src/routing/index.js';
import { compileRouteRegex, MAX_MATCHED_TEXT } from '../../src/routing/regex.js';
import { route } from '../routing/seeded-routes.js';

// Issue 10 item 7: `.*.*.*.*.*.*=` passed the safe-pattern check and V8's backtracking engine took
// over a second on 60 characters. Route regexes now run on RE2 semantics (linear in the text).
describe('regex routes cannot stall the gateway', () => {
  it('compiles a pattern with many sibling wildcards to a linear-time (RE2) matcher, not a backtracking RegExp', () => {
    const verdict = compileRouteRegex('.*.*.*.*.*.*=');
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    // Checked before matching: on a backtracking RegExp the match below would not return at all.
    expect(verdict.regex).not.toBeInstanceOf(RegExp);
    expect(verdict.regex.engine).toBe('re2');
    expect(verdict.regex.test('a'.repeat(10_000))).toBe(false);
    expect(verdict.regex.test('a'.repeat(MAX_MATCHED_TEXT - 1) + '=')).toBe(true);
  });

  it('routes a 10k-character MO past such a regex route to the fallback', () => {
    const { table, problems } = compileRoutes([
      route('stall', { kind: 'regex', pattern: '.*.*.*.*.*.*=', priority: 10 }),
      route('help', { kind: 'any', priority: 0 }),
    ]);
    expect(problems).toEqual([]);
    expect(matchRoute(table, '500', 'a'.repeat(10_000)).route?.id).toBe('help');
  });

  it('matches only the first MAX_MATCHED_TEXT characters of the text', () => {
    const { table } = compileRoutes([
      route('tail', { kind: 'regex', pattern: '=END$', priority: 10 }),
      route('help', { kind: 'any', priority: 0 }),
    ]);
    const within = 'x'.repeat(MAX_MATCHED_TEXT - 4) + '=END';
    const beyond = 'x'.repeat(MAX_MATCHED_TEXT) + '=END';
    expect(matchRoute(table, '500', within).route?.id).toBe('tail');
    expect(matchRoute(table, '500', beyond).route?.id).toBe('help');
  });

  it('keeps the route semantics: case-insensitive, Unicode, named groups', () => {
    const { table } = compileRoutes([route('pass', { kind: 'regex', pattern: '^пароль (?<n>\\p{L}+)$', priority: 1 })]);
    const r = matchRoute(table, '500', 'ПАРОЛЬ Ёж');
    expect(r.route?.id).toBe('pass');
    expect(r.captures).toEqual({ n: 'ЁЖ' });
  });
});
