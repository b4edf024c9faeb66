import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseYaml, toYaml } from '../../../src/web/admin/yaml.js';

const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)), fc.string({ unit: 'binary' }), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }).filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 4 }),
}));

describe('config YAML', () => {
  it('reads back whatever it writes', () => {
    fc.assert(fc.property(json.object, (v) => { expect(parseYaml(toYaml(v))).toEqual(v); }), { numRuns: 500 });
  });

  it('reads hand-written block YAML with comments, quotes and [lists]', () => {
    const text = [
      '# routes for 232',
      'routes:',
      '- id: "232-on"   # the main one',
      '  keywords: [ON, "PER", \'ПЕР\']',
      '  priority: 100',
      '  params: {}',
      '  pattern: ~',
      'help: Use *111# for the menu',
      "quote: 'it''s'",
    ].join('\n');
    expect(parseYaml(text)).toEqual({
      routes: [{ id: '232-on', keywords: ['ON', 'PER', 'ПЕР'], priority: 100, params: {}, pattern: null }],
      help: 'Use *111# for the menu',
      quote: "it's",
    });
  });

  it('refuses what it does not support, with the line number', () => {
    expect(() => parseYaml('a: 1\nb: &x 2')).toThrow(/line 2: "&" starts an anchor/);
    expect(() => parseYaml('body: |\n  text')).toThrow(/line 1: .*block scalar/);
    expect(() => parseYaml('body: {password}')).toThrow(/flow mappings/);
    expect(() => parseYaml('a: 1\na: 2')).toThrow(/line 2: key "a" repeats/);
    expect(() => parseYaml('a:\n  just text\n  more')).toThrow(/multi-line/);
  });
});
