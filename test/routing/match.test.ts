import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoutes, explainMatch, matchRoute } from '../../src/routing/index.js';
import { route, SEEDED_ROUTES } from './seeded-routes.js';

const seeded = compileRoutes(SEEDED_ROUTES);
const actionFor = (shortCode: string, text: string): string | undefined => matchRoute(seeded.table, shortCode, text).route?.action;

describe('the seeded routes', () => {
  it('compile without problems', () => {
    expect(seeded.problems).toEqual([]);
    expect([...seeded.table.shortCodes].sort()).toEqual(['111', '1234', '232']);
  });

  it.each(['ON', 'on', ' On ', 'ОН', 'он', 'PER', 'пер', 'ПЕР', 'Пер'])('switches the archive on for 232 %j', (text) => {
    expect(actionFor('232', text)).toBe('archive.activate');
  });

  it.each(['OFF', 'stop', 'Stop', 'СТОП', 'стоп', 'S\u200BTOP'])('switches the archive off for 232 %j', (text) => {
    expect(actionFor('232', text)).toBe('archive.deactivate');
  });

  it.each(['hello', '', 'ON please', 'ONN', '25'])('replies with 232 help when the keyword is unknown (%j)', (text) => {
    expect(actionFor('232', text)).toBe('help');
  });

  it('issues an account password for 25 to 111, and help for anything else', () => {
    expect(actionFor('111', ' 25 ')).toBe('account.password');
    expect(actionFor('111', '2 5')).toBe('help');
    expect(actionFor('111', 'ON')).toBe('help');
  });

  it('sends MMS settings for any text to 1234, even the empty text', () => {
    expect(actionFor('1234', '')).toBe('mms.settings');
    expect(actionFor('1234', 'anything at all')).toBe('mms.settings');
    expect(matchRoute(seeded.table, '1234', '').route?.params).toEqual({ apn: 'mms.operator' });
  });

  it('compares the short code after trimming it', () => {
    expect(actionFor(' 232 ', 'on')).toBe('archive.activate');
  });

  it('reports an unknown short code instead of picking a route', () => {
    const result = matchRoute(seeded.table, '9999', 'ON');
    expect(result.shortCodeKnown).toBe(false);
    expect(result.route).toBeNull();
    expect(result.normalised).toBe('ON');
  });

  it('reports the normalised text and its forms', () => {
    const result = matchRoute(seeded.table, '232', '  он ');
    expect(result.normalised).toBe('ОН');
    expect(result.forms).toEqual(['OH', 'ON']);
    expect(result.args).toBe('');
    expect(result.candidates).toEqual([]);
  });
});

describe('prefix routes', () => {
  const { table } = compileRoutes([
    route('pass', { kind: 'prefix', keywords: ['PASS'] }),
    route('pass-word', { kind: 'prefix', keywords: ['pass word'] }),
    route('login', { kind: 'prefix', keywords: ['ВХОД'] }),
    route('help', { kind: 'any', priority: -1 }),
  ]);

  it('passes the words after the keyword as args, in their original case', () => {
    const result = matchRoute(table, '500', '  pass  abC   12 ');
    expect(result.route?.id).toBe('pass');
    expect(result.args).toBe('abC 12');
  });

  it('matches the keyword alone with empty args', () => {
    expect(matchRoute(table, '500', 'Pass')).toMatchObject({ args: '', route: { id: 'pass' } });
  });

  it('needs a space after the keyword', () => {
    expect(matchRoute(table, '500', 'PASSWORD 1').route?.id).toBe('help');
  });

  it('tries the longer keyword first at the same priority', () => {
    expect(matchRoute(table, '500', 'pass word Secret')).toMatchObject({ route: { id: 'pass-word' }, args: 'Secret' });
  });

  it('matches a Cyrillic keyword typed in Cyrillic', () => {
    expect(matchRoute(table, '500', 'вход Иван Петров')).toMatchObject({ route: { id: 'login' }, args: 'Иван Петров' });
  });

  it('takes args by words when the keyword matched through transliteration, which changes lengths', () => {
    const { table: spelled } = compileRoutes([route('shield', { kind: 'prefix', keywords: ['SHCHIT'] })]);
    const result = matchRoute(spelled, '500', 'Щит  Иван Ъ Петров');
    expect(result.forms).toContain('SHCHIT IVAN  PETROV');
    expect(result).toMatchObject({ route: { id: 'shield' }, args: 'Иван Ъ Петров' });
  });
});

describe('regex routes', () => {
  const { table, problems } = compileRoutes([
    route('order', { kind: 'regex', pattern: '^order (?<id>\\d{4,8})(?: (?<note>\\w+))?$' }),
    route('help', { kind: 'any', priority: -1 }),
  ]);

  it('compile', () => expect(problems).toEqual([]));

  it('matches case-insensitively against the normalised text and returns named captures', () => {
    const result = matchRoute(table, '500', ' Order  12345 ');
    expect(result.route?.id).toBe('order');
    expect(result.captures).toEqual({ id: '12345' });
    expect(result.args).toBe('');
    expect(matchRoute(table, '500', 'ORDER 1234 rush').captures).toEqual({ id: '1234', note: 'RUSH' });
  });

  it('falls through when the pattern does not match', () => {
    expect(matchRoute(table, '500', 'order 12').route?.id).toBe('help');
  });
});

describe('priorities', () => {
  it('tries a higher priority first, whatever the kind', () => {
    const { table } = compileRoutes([
      route('exact-low', { kind: 'exact', keywords: ['PASS 1'], priority: 1 }),
      route('prefix-high', { kind: 'prefix', keywords: ['PASS'], priority: 5 }),
    ]);
    expect(matchRoute(table, '500', 'pass 1').route?.id).toBe('prefix-high');
  });

  it('orders exact, prefix, regex, then any within one priority', () => {
    const routes = [
      route('any', { kind: 'any' }),
      route('regex', { kind: 'regex', pattern: '^PASS' }),
      route('prefix', { kind: 'prefix', keywords: ['PASS'] }),
      route('exact', { kind: 'exact', keywords: ['PASS'] }),
    ];
    const { table } = compileRoutes(routes);
    expect(matchRoute(table, '500', 'pass').route?.id).toBe('exact');
    expect(matchRoute(table, '500', 'pass 1').route?.id).toBe('prefix');
    expect(matchRoute(table, '500', 'passage').route?.id).toBe('regex');
    expect(matchRoute(table, '500', 'nothing').route?.id).toBe('any');
  });

  it('lets a higher-priority regex beat an exact keyword', () => {
    const { table } = compileRoutes([
      route('exact', { keywords: ['STOP'] }),
      route('regex', { kind: 'regex', pattern: '^STOP$', priority: 10 }),
    ]);
    expect(matchRoute(table, '500', 'stop').route?.id).toBe('regex');
  });

  it('breaks a tie by route id, whatever the input order', () => {
    const a = route('a', { keywords: ['X'] });
    const b = route('b', { keywords: ['X'] });
    expect(matchRoute(compileRoutes([a, b]).table, '500', 'x').route?.id).toBe('a');
    expect(matchRoute(compileRoutes([b, a]).table, '500', 'x').route?.id).toBe('a');
  });
});

describe('explainMatch', () => {
  it('lists every route of the short code in decision order, saying why', () => {
    const result = explainMatch(seeded.table, '232', 'стоп');
    expect(result.route?.id).toBe('232-off');
    expect(result.candidates.map((c) => [c.routeId, c.matched])).toEqual([
      ['232-off', true],
      ['232-on', false],
      ['232-help', true],
    ]);
    expect(result.candidates[0]?.why).toMatch(/^chosen: /);
    expect(result.candidates[2]?.why).toMatch(/but 232-off comes first/);
  });

  it('says the short code is unknown with no candidates', () => {
    expect(explainMatch(seeded.table, '77', 'x')).toMatchObject({ shortCodeKnown: false, route: null, candidates: [] });
  });

  it('decides exactly as matchRoute does', () => {
    const { table } = compileRoutes([
      ...SEEDED_ROUTES,
      route('p', { shortCode: '232', kind: 'prefix', keywords: ['ON', 'ПАРОЛЬ'], priority: 100 }),
      route('r', { shortCode: '232', kind: 'regex', pattern: '^(?<n>\\d+)$', priority: 50 }),
    ]);
    const word = fc.constantFrom('on', 'ОН', 'стоп', 'пароль', 'PER', 'x', '12', '');
    const text = fc.array(word, { maxLength: 3 }).map((w) => w.join(' '));
    fc.assert(fc.property(text, (t) => {
      const matched = matchRoute(table, '232', t);
      const explained = explainMatch(table, '232', t);
      expect({ ...explained, candidates: [] }).toEqual(matched);
      expect(explained.candidates.find((c) => c.routeId === matched.route?.id)?.matched).toBe(true);
    }));
  });
});
