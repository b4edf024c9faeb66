/** Shared fast-check arbitraries for test/text, written from the spec tables rather than from src/. */
import fc from 'fast-check';

/** 3GPP TS 23.038 §6.2.1 default alphabet, without ESC (0x1B). */
export const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** 3GPP TS 23.038 §6.2.1.1 extension table characters. */
export const GSM_EXTENSION = '\f^{}\\[~]|€';

/**
 * Strings whose length is uniform in 0..maxLength. fc.string alone keeps to a few characters by
 * default, which would never reach a second segment.
 */
function textOf(unit: fc.Arbitrary<string> | 'grapheme', maxLength: number): fc.Arbitrary<string> {
  return fc.integer({ min: 0, max: maxLength }).chain((n) => fc.string({ unit, minLength: n, maxLength: n }));
}

const gsmChar = fc.constantFrom(...GSM_BASIC, ...GSM_EXTENSION);
/** Mostly default-table characters, so extension characters appear at realistic density. */
const gsmCharWeighted = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...GSM_BASIC) }, { weight: 1, arbitrary: gsmChar });

export function gsmText(maxLength = 500): fc.Arbitrary<string> {
  return textOf(gsmCharWeighted, maxLength);
}

/** Russian letters, space and punctuation: UCS-2 text of one unit per character. */
export function cyrillicText(maxLength = 300): fc.Arbitrary<string> {
  const chars = 'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя .,!?';
  return textOf(fc.constantFrom(...chars), maxLength);
}

/** Text that needs UCS-2 and mixes BMP characters with surrogate pairs (emoji). */
export function emojiText(maxLength = 300): fc.Arbitrary<string> {
  const unit = fc.oneof(fc.constantFrom('😀', '👍🏽', '🇷🇺', '€', 'ж', 'a', ' ', '𝄞'), fc.constantFrom('@', '{'));
  return textOf(unit, maxLength);
}

/** Any MT text: GSM-7, Cyrillic, emoji, or arbitrary valid Unicode. */
export function anyText(maxLength = 600): fc.Arbitrary<string> {
  return fc.oneof(gsmText(maxLength), cyrillicText(maxLength), emojiText(maxLength), textOf('grapheme', maxLength));
}

export const bytes = (maxLength = 400): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

export function fromHex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}
