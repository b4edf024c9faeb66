/**
 * ISO-8859-5 (SMPP 3.4 §5.2.19 data_coding 0x06), the other form Russian MO arrives in besides
 * UCS-2 (PROTOCOL.md §2). Octets 0x00–0xA0 equal Latin-1; 0xA1–0xFF are Cyrillic at U+0360 + octet,
 * except 0xAD soft hyphen, 0xF0 numero sign and 0xFD section sign (ISO/IEC 8859-5:1999 table).
 */
import { stringFromCodeUnits } from './code-units.js';

const OFFSET = 0x0360;
const EXCEPTIONS: ReadonlyMap<number, number> = new Map([
  [0xad, 0x00ad], // SOFT HYPHEN
  [0xf0, 0x2116], // NUMERO SIGN №
  [0xfd, 0x00a7], // SECTION SIGN §
]);
const REVERSE: ReadonlyMap<number, number> = new Map([...EXCEPTIONS].map(([octet, code]) => [code, octet]));

function decodeOctet(b: number): number {
  if (b <= 0xa0) return b;
  return EXCEPTIONS.get(b) ?? b + OFFSET;
}

/** ISO-8859-5 octets → text; never throws (every octet has a character). */
export function iso88595Decode(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) units[i] = decodeOctet(bytes[i] ?? 0);
  return stringFromCodeUnits(units);
}

/** Text → ISO-8859-5 octets, or null if any character is not in the set. */
export function iso88595Encode(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let octet: number | undefined;
    if (code <= 0xa0) octet = code;
    else if (REVERSE.has(code)) octet = REVERSE.get(code);
    else if (code >= 0xa1 + OFFSET && code <= 0xff + OFFSET && !EXCEPTIONS.has(code - OFFSET)) octet = code - OFFSET;
    if (octet === undefined) return null;
    out[i] = octet;
  }
  return out;
}
