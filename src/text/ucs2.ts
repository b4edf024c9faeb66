/**
 * UCS-2 as sent on SMPP data_coding 0x08: 16-bit big-endian (3GPP TS 23.038 §6.2.3). Characters above
 * U+FFFF travel as UTF-16 surrogate pairs, two units each, which phones render (PROTOCOL.md §2).
 */
import { stringFromCodeUnits } from './code-units.js';

/** UTF-16BE code units; a surrogate pair becomes two units. */
export function ucs2Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

/** UTF-16BE → text. Never throws: lone surrogates pass through, an odd trailing octet shows U+FFFD. */
export function ucs2Decode(bytes: Uint8Array): string {
  const pairs = bytes.length >> 1;
  const units = new Uint16Array(pairs + (bytes.length & 1));
  for (let i = 0; i < pairs; i++) units[i] = ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0);
  if (bytes.length & 1) units[pairs] = 0xfffd;
  return stringFromCodeUnits(units);
}

/** True for a UTF-16 high (leading) surrogate, the half that must not end a segment. */
export function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
