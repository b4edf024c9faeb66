import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guessLocale } from '../../src/actions/locale-set.js';

describe('guessLocale: what a text MO says about the subscriber\'s language', () => {
  it('says ru for any Cyrillic, en for Latin letters, nothing for digits and symbols', () => {
    expect(guessLocale('СТОП')).toBe('ru');
    expect(guessLocale('ON ПЕР')).toBe('ru');
    expect(guessLocale('OFF')).toBe('en');
    expect(guessLocale('25')).toBeNull();
    expect(guessLocale('*111#')).toBeNull();
    expect(guessLocale('')).toBeNull();
  });

  it('never guesses from a text without letters', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9*#+ .,!?-]*$/), (text) => guessLocale(text) === null));
  });
});
