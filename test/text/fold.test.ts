import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldHomoglyphs, keywordForms, normaliseText, normaliseTextKeepingCase, transliterate } from '../../src/text/fold.js';

// Latin, Russian and Greek letters (both cases), digits, punctuation and assorted whitespace and zero-width chars.
const keywordChar = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*#.-',
  ...'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ',
  ...'αβεζηικμνοπρτυχΑΒΕΖΗΙΚΜΝΟΠΡΤΥΧ',
  ' ', '\t', '\n', '\u00A0', '\u3000', '\u200B', '\uFEFF',
);
const keywordText = fc.string({ unit: keywordChar, maxLength: 20 });
const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\r\n', '\u00A0', '\u200B'), maxLength: 4 });

describe('normaliseText', () => {
  it('trims, collapses whitespace runs and upper-cases', () => {
    expect(normaliseText('  pass \t word\n\n12  ')).toBe('PASS WORD 12');
  });

  it('removes zero-width characters inside a keyword', () => {
    expect(normaliseText('O\u200BN\u200C\u200D\uFEFF')).toBe('ON');
  });

  it('applies NFKC, so full-width and ligature forms read as plain letters', () => {
    expect(normaliseText('ＯＮ')).toBe('ON');
    expect(normaliseText('ﬁx')).toBe('FIX');
    expect(normaliseText('Е\u0308')).toBe('Ё');
  });

  it('upper-cases without the Turkish locale rule', () => {
    expect(normaliseText('list')).toBe('LIST');
  });

  it('is idempotent for any Unicode text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => normaliseText(normaliseText(s)) === normaliseText(s)));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => normaliseText(normaliseText(s)) === normaliseText(s)));
  });

  it('differs from the case-kept form only in case', () => {
    expect(normaliseTextKeepingCase('  Pass\u200B  abc ')).toBe('Pass abc');
    fc.assert(fc.property(keywordText, (s) => normaliseText(normaliseTextKeepingCase(s)) === normaliseText(s)));
  });
});

describe('foldHomoglyphs', () => {
  it('turns Cyrillic look-alikes into Latin capitals', () => {
    expect(foldHomoglyphs('АВЕЁКМНОРСТУХ')).toBe('ABEEKMHOPCTYX');
  });

  it('turns Greek look-alikes into Latin capitals', () => {
    expect(foldHomoglyphs('ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ')).toBe('ABEZHIKMNOPTYX');
  });

  it('leaves letters without a Latin twin alone', () => {
    expect(foldHomoglyphs('ПЕР')).toBe('ПEP');
    expect(foldHomoglyphs('СТОП')).toBe('CTOП');
  });

  it('is idempotent', () => {
    fc.assert(fc.property(keywordText, (s) => {
      const once = foldHomoglyphs(normaliseText(s));
      return foldHomoglyphs(once) === once;
    }));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => foldHomoglyphs(foldHomoglyphs(s)) === foldHomoglyphs(s)));
  });
});

describe('transliterate', () => {
  it('spells Russian by sound', () => {
    expect(transliterate('ОН')).toBe('ON');
    expect(transliterate('ПЕР')).toBe('PER');
    expect(transliterate('СТОП')).toBe('STOP');
    expect(transliterate('ЖЁЛТЫЙ ЩИТ')).toBe('ZHELTYI SHCHIT');
    expect(transliterate('ОБЪЁМ ЦЕНЫ ЧАЙ ЭХО ЮЛЯ МЯЧ ЛЬВОВ')).toBe('OBEM TSENY CHAI EKHO YULYA MYACH LVOV');
  });

  it('leaves Latin, digits and symbols alone', () => {
    expect(transliterate('*111*25# ON')).toBe('*111*25# ON');
  });
});

describe('keywordForms', () => {
  it('gives one form for plain Latin text', () => {
    expect(keywordForms(' on ')).toEqual(['ON']);
  });

  it('reaches ON from a Cyrillic-typed ОН through transliteration', () => {
    expect(keywordForms('ОН')).toEqual(['OH', 'ON']);
    expect(keywordForms('он')).toEqual(['OH', 'ON']);
  });

  it('reaches ON from a mix of Cyrillic О and Latin N through folding', () => {
    expect(keywordForms('Оn')).toContain('ON');
  });

  it('folds Greek look-alikes left in the transliterated form', () => {
    expect(keywordForms('ΟН')).toContain('ON');
  });

  it('is stable under case change and surrounding whitespace', () => {
    fc.assert(fc.property(keywordText, whitespace, whitespace, (s, before, after) => {
      const forms = keywordForms(s);
      expect(keywordForms(s.toLowerCase())).toEqual(forms);
      expect(keywordForms(s.toUpperCase())).toEqual(forms);
      expect(keywordForms(before + s + after)).toEqual(forms);
    }));
  });

  it('never yields duplicate forms', () => {
    fc.assert(fc.property(keywordText, (s) => {
      const forms = keywordForms(s);
      return new Set(forms).size === forms.length;
    }));
  });
});
