/**
 * GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1, §6.2.1.1), plus septet
 * packing (§6.1.2.1). On SMPP the usual form is unpacked, one septet per octet (PROTOCOL.md §2), so
 * encode/decode work on unpacked septets and packing is a separate step for links that want it.
 */

/** Escape to the extension table (3GPP TS 23.038 §6.2.1.1). */
export const GSM7_ESC = 0x1b;

/**
 * The default alphabet, indexed by septet (3GPP TS 23.038 §6.2.1). Position 0x1B is ESC, never a
 * character; it is written here as a placeholder and excluded from the encoder below.
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ' +
  ' !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Extension table: septet after ESC → character (3GPP TS 23.038 §6.2.1.1). */
const EXTENSION: ReadonlyArray<readonly [number, string]> = [
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
];

/** character code unit → septet (0x00–0x7F) or 0x100 | extension septet. */
const ENCODE: ReadonlyMap<number, number> = new Map<number, number>([
  ...[...BASIC]
    .map((ch, septet) => [ch.charCodeAt(0), septet] as [number, number])
    .filter(([, septet]) => septet !== GSM7_ESC),
  ...EXTENSION.map(([septet, ch]) => [ch.charCodeAt(0), 0x100 | septet] as [number, number]),
]);

/**
 * What "ESC xx" displays, indexed by xx. ESC ESC is reserved and shows a space; an unknown ESC xx
 * shows main-table xx (3GPP TS 23.038 §6.2.1.1, notes to the extension table).
 */
const ESCAPED: string = [...BASIC]
  .map((ch, septet) => {
    if (septet === GSM7_ESC) return ' ';
    return EXTENSION.find(([code]) => code === septet)?.[1] ?? ch;
  })
  .join('');

/** Unpacked septets, extension characters as ESC xx; null if any character is not representable. */
export function gsm7Encode(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length * 2);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = ENCODE.get(text.charCodeAt(i));
    if (code === undefined) return null;
    if (code > 0xff) out[n++] = GSM7_ESC;
    out[n++] = code & 0x7f;
  }
  return out.slice(0, n);
}

/**
 * Unpacked septets → text. Never throws: octets above 0x7F keep their low 7 bits; a trailing lone
 * ESC (a sender that cut an ESC pair, which 3GPP TS 23.040 §9.2.3.24.1 forbids) shows nothing.
 */
export function gsm7Decode(septets: Uint8Array): string {
  let out = '';
  let escaped = false;
  for (const raw of septets) {
    const septet = raw & 0x7f;
    if (escaped) {
      out += ESCAPED.charAt(septet);
      escaped = false;
    } else if (septet === GSM7_ESC) {
      escaped = true;
    } else {
      out += BASIC.charAt(septet);
    }
  }
  return out;
}

/** Septets the text needs (an extension character counts 2), or null if it is not GSM-7. */
export function gsm7SeptetLength(text: string): number | null {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = ENCODE.get(text.charCodeAt(i));
    if (code === undefined) return null;
    n += code > 0xff ? 2 : 1;
  }
  return n;
}

/** True when the character has a GSM-7 encoding (default or extension table). */
export function isGsm7Char(ch: string): boolean {
  return ch.length === 1 && ENCODE.has(ch.charCodeAt(0));
}

/** Fill bits before the first septet, 0..6 (3GPP TS 23.040 §9.2.3.24); anything else counts as 0. */
function fill(fillBits: number | undefined): number {
  return fillBits !== undefined && Number.isInteger(fillBits) && fillBits >= 0 && fillBits <= 6 ? fillBits : 0;
}

/**
 * Fill bits that bring a UDH of `udhLength` octets up to a septet boundary (3GPP TS 23.040
 * §9.2.3.24): 6 octets → 1, 7 octets → 0.
 */
export function gsm7FillBits(udhLength: number): number {
  if (!Number.isInteger(udhLength) || udhLength <= 0) return 0;
  return (7 - ((udhLength * 8) % 7)) % 7;
}

/**
 * Packs septets LSB-first, 8 septets per 7 octets, after `fillBits` zero bits (3GPP TS 23.038
 * §6.1.2.1.1): "hello" → E8 32 9B FD 06. Spare bits in the last octet are zero.
 */
export function gsm7Pack(septets: Uint8Array, fillBits?: number): Uint8Array {
  const first = fill(fillBits);
  const out = new Uint8Array(Math.ceil((first + septets.length * 7) / 8));
  let bit = first;
  for (const raw of septets) {
    const septet = raw & 0x7f;
    const at = bit >> 3;
    const shift = bit & 7;
    out[at] = (out[at] ?? 0) | ((septet << shift) & 0xff);
    if (shift > 1) out[at + 1] = (out[at + 1] ?? 0) | (septet >> (8 - shift));
    bit += 7;
  }
  return out;
}

/**
 * Reverse of gsm7Pack. Without `septetCount`, every whole septet after the fill bits is returned, so
 * 7 spare bits in the last octet come back as one extra septet; callers that know better trim it.
 * Never throws; a count beyond the data is cut to what the data holds.
 */
export function gsm7Unpack(octets: Uint8Array, septetCount?: number, fillBits?: number): Uint8Array {
  const first = fill(fillBits);
  const available = Math.max(0, Math.floor((octets.length * 8 - first) / 7));
  const n =
    septetCount !== undefined && Number.isFinite(septetCount)
      ? Math.max(0, Math.min(available, Math.floor(septetCount)))
      : available;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const bit = first + i * 7;
    const at = bit >> 3;
    const shift = bit & 7;
    let value = (octets[at] ?? 0) >> shift;
    if (shift > 1) value |= (octets[at + 1] ?? 0) << (8 - shift);
    out[i] = value & 0x7f;
  }
  return out;
}
