/**
 * Single-octet character sets named by SMPP data_coding (SMPP 3.4 §5.2.19): 0x01 IA5 (ASCII) and
 * 0x03 ISO-8859-1. ISO-8859-5 (0x06) lives in cyrillic.ts.
 */
import { stringFromCodeUnits } from './code-units.js';

/** ISO-8859-1 octets, or null if any character is above U+00FF. */
export function latin1Encode(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) return null;
    out[i] = code;
  }
  return out;
}

/** ISO-8859-1: every octet is the code point of the same value (0x80–0x9F are C1 controls). */
export function latin1Decode(bytes: Uint8Array): string {
  return stringFromCodeUnits(bytes);
}

/** IA5 / US-ASCII (ITU-T T.50); an octet above 0x7F is not ASCII and shows as U+FFFD. */
export function ia5Decode(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    units[i] = b > 0x7f ? 0xfffd : b;
  }
  return stringFromCodeUnits(units);
}
