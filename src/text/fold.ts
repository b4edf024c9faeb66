/**
 * Text folding for keyword matching (SPEC "Route"): `ON`, `on` and `ОН` typed in Cyrillic must all
 * reach the same keyword. Pure; imports nothing.
 *
 * Two match forms exist because look-alike folding and transliteration disagree: Cyrillic Н looks
 * like Latin H, so folding alone turns a Cyrillic-typed "ОН" into "OH", while transliteration by
 * sound gives "ON". Keywords are stored folded; a text matches if any of its forms equals one.
 */

// Zero-width space, non-joiner and joiner, BOM; plus U+2060 WORD JOINER, which replaced U+FEFF as
// the in-text "no break" mark. Phones and copy-paste from web pages leave these inside keywords.
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const WHITESPACE_RUN = /\s+/g;
// Fast paths: most MO text is plain ASCII, which neither folding nor transliteration changes.
const ASCII_ONLY = /^[\x00-\x7F]*$/;

/**
 * NFKC, zero-width characters removed, trimmed, whitespace runs collapsed to one space; case kept.
 * Routing takes prefix arguments from this form so a password or a name keeps its case.
 */
export function normaliseTextKeepingCase(s: string): string {
  // Strip before NFKC so a zero-width char between a letter and its combining mark cannot block composition.
  return collapseSpace(s.replace(ZERO_WIDTH, '').normalize('NFKC'));
}

/** normaliseTextKeepingCase, then upper case: the form regex routes see and keywords are built from. */
export function normaliseText(s: string): string {
  // toUpperCase uses the Unicode default mapping (no locale, so no Turkish dotless-i surprises). It
  // can emit decomposed sequences (ΐ → Ι + U+0308 + U+0301), hence the second NFKC, which keeps
  // normaliseText idempotent.
  return collapseSpace(normaliseTextKeepingCase(s).toUpperCase().normalize('NFKC'));
}

function collapseSpace(s: string): string {
  return s.replace(WHITESPACE_RUN, ' ').trim();
}

// Upper-case Cyrillic and Greek letters drawn like a Latin capital. Ё is written Е in everyday
// Russian, so it folds with it. І, Ј, Ѕ (Ukrainian, Serbian, Macedonian) look exactly like I, J, S.
const HOMOGLYPHS: ReadonlyMap<number, string> = new Map(
  [
    ['А', 'A'], ['В', 'B'], ['Е', 'E'], ['Ё', 'E'], ['К', 'K'], ['М', 'M'], ['Н', 'H'], ['О', 'O'],
    ['Р', 'P'], ['С', 'C'], ['Т', 'T'], ['У', 'Y'], ['Х', 'X'], ['І', 'I'], ['Ј', 'J'], ['Ѕ', 'S'],
    ['Α', 'A'], ['Β', 'B'], ['Ε', 'E'], ['Ζ', 'Z'], ['Η', 'H'], ['Ι', 'I'], ['Κ', 'K'], ['Μ', 'M'],
    ['Ν', 'N'], ['Ο', 'O'], ['Ρ', 'P'], ['Τ', 'T'], ['Υ', 'Y'], ['Χ', 'X'],
  ].map(([from, to]) => [(from as string).charCodeAt(0), to as string]),
);

// Russian letters by sound (a simplified BGN/PCGN: Й → I, Ъ and Ь dropped), upper case only.
const RUSSIAN_SOUNDS: ReadonlyMap<number, string> = new Map(
  [
    ['А', 'A'], ['Б', 'B'], ['В', 'V'], ['Г', 'G'], ['Д', 'D'], ['Е', 'E'], ['Ё', 'E'], ['Ж', 'ZH'],
    ['З', 'Z'], ['И', 'I'], ['Й', 'I'], ['К', 'K'], ['Л', 'L'], ['М', 'M'], ['Н', 'N'], ['О', 'O'],
    ['П', 'P'], ['Р', 'R'], ['С', 'S'], ['Т', 'T'], ['У', 'U'], ['Ф', 'F'], ['Х', 'KH'], ['Ц', 'TS'],
    ['Ч', 'CH'], ['Ш', 'SH'], ['Щ', 'SHCH'], ['Ъ', ''], ['Ы', 'Y'], ['Ь', ''], ['Э', 'E'], ['Ю', 'YU'],
    ['Я', 'YA'],
  ].map(([from, to]) => [(from as string).charCodeAt(0), to as string]),
);

/** Cyrillic and Greek capitals that look like Latin capitals become those Latin capitals. Input is upper case. */
export function foldHomoglyphs(s: string): string {
  return mapCodeUnits(s, HOMOGLYPHS);
}

/** Russian Cyrillic capitals to Latin by sound: "ОН" → "ON", "СТОП" → "STOP". Input is upper case. */
export function transliterate(s: string): string {
  return mapCodeUnits(s, RUSSIAN_SOUNDS);
}

// Every mapped letter is a single BMP code unit, so walking code units is safe: surrogate pairs
// never match a table entry and are copied through unchanged.
function mapCodeUnits(s: string, table: ReadonlyMap<number, string>): string {
  if (ASCII_ONLY.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    const mapped = table.get(unit);
    out += mapped ?? s[i];
  }
  return out;
}

/**
 * The distinct match forms of a text: look-alikes folded, and Russian transliterated. The second form
 * is folded too, so Greek or non-Russian look-alikes mixed into Russian text still reach Latin;
 * transliteration leaves no Russian letter behind, so this only widens matches towards Latin.
 */
export function keywordForms(s: string): string[] {
  return keywordFormsOfNormalised(normaliseText(s));
}

/** keywordForms for text that is already normaliseText output (saves normalising twice per message). */
export function keywordFormsOfNormalised(normalised: string): string[] {
  const folded = foldHomoglyphs(normalised);
  const transliterated = foldHomoglyphs(transliterate(normalised));
  return folded === transliterated ? [folded] : [folded, transliterated];
}
