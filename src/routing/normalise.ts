/** Message text and keywords brought to the forms the matcher compares (the folding lives in text/fold.ts). */
import {
  foldHomoglyphs,
  keywordFormsOfNormalised,
  normaliseText,
  normaliseTextKeepingCase,
} from '../text/fold.js';

export interface MessageText {
  /** The text as given, for the case-kept prefix arguments. */
  readonly original: string;
  /** normaliseText: what regex routes see. */
  readonly normalised: string;
  /** keywordForms: what exact and prefix keywords are compared with. */
  readonly forms: readonly string[];
}

export function readMessageText(text: string): MessageText {
  const normalised = normaliseText(text);
  return { original: text, normalised, forms: keywordFormsOfNormalised(normalised) };
}

/** Keywords are stored folded, the same way a text's first form is made. */
export function normaliseKeyword(keyword: string): string {
  return foldHomoglyphs(normaliseText(keyword));
}

export function firstWord(s: string): string {
  const space = s.indexOf(' ');
  return space === -1 ? s : s.slice(0, space);
}

export function countWords(keyword: string): number {
  let words = 1;
  for (let i = 0; i < keyword.length; i++) if (keyword.charCodeAt(i) === 32) words++;
  return words;
}

/** True when `form` is the keyword alone or the keyword followed by a space and arguments. */
export function startsWithKeyword(form: string, keyword: string): boolean {
  return form.startsWith(keyword) && (form.length === keyword.length || form.charCodeAt(keyword.length) === 32);
}

/**
 * The words after the keyword's `keywordWords` words. Counting words rather than characters works
 * for every form: transliteration changes lengths ("Щ" → "SHCH") but never adds or removes a space.
 * Case is kept, so a password or a name arrives as typed; if upper-casing split a word differently
 * (never seen, but Unicode is large) the upper-case text is used rather than guessing.
 */
export function argsAfter(message: MessageText, keywordWords: number): string {
  const caseKept = normaliseTextKeepingCase(message.original);
  const source = spaceCount(caseKept) === spaceCount(message.normalised) ? caseKept : message.normalised;
  let at = 0;
  for (let words = 0; words < keywordWords; words++) {
    const space = source.indexOf(' ', at);
    if (space === -1) return '';
    at = space + 1;
  }
  return source.slice(at);
}

function spaceCount(s: string): number {
  return countWords(s) - 1;
}
