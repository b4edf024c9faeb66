/**
 * data_coding → alphabet, and MO user data → text. Policy (PROTOCOL.md §2): 0x00–0x0E per the SMPP
 * table (SMPP 3.4 §5.2.19; 0x00 is a per-link setting), ≥ 0x10 per the 3GPP SMS data coding scheme
 * (3GPP TS 23.038 §4). Reserved codings are read as GSM-7 (23.038 §4: "any reserved codings shall
 * be assumed to be the GSM 7 bit default alphabet") and marked known:false.
 */
import { latin1Decode, ia5Decode } from './latin1.js';
import { iso88595Decode } from './cyrillic.js';
import { ucs2Decode } from './ucs2.js';
import { gsm7Decode, gsm7FillBits, gsm7Unpack } from './gsm7.js';

export type Alphabet = 'gsm7' | 'ascii' | 'latin1' | 'cyrillic' | 'ucs2' | 'binary';

export interface MessageWaiting {
  /** 1100 discard vs 1101/1110 store (3GPP TS 23.038 §4) */
  store: boolean;
  /** bit 3: set indication active */
  active: boolean;
  kind: 'voicemail' | 'fax' | 'email' | 'other';
}

export interface DcsInfo {
  alphabet: Alphabet;
  known: boolean;
  messageClass?: 0 | 1 | 2 | 3;
  compressed?: boolean;
  /** set for the message waiting groups 0xC0–0xEF */
  waiting?: MessageWaiting;
}

export interface LinkTextOptions {
  dc0: 'gsm7' | 'latin1';
  gsm7Packed: boolean;
}

export const DEFAULT_TEXT_OPTIONS: LinkTextOptions = Object.freeze({ dc0: 'gsm7', gsm7Packed: false });

const RESERVED: DcsInfo = { alphabet: 'gsm7', known: false };

/**
 * SMPP 3.4 §5.2.19 data_coding 0x00–0x0E. Character sets scgw cannot decode (0x05 JIS, 0x07
 * ISO-8859-8, 0x09 pictogram, 0x0A ISO-2022-JP, 0x0D JIS X 0212, 0x0E KS C 5601) are handed over as
 * binary with known:false: they are defined, but reading them as GSM-7 would only invent text.
 */
function smppTable(dcs: number, opts: LinkTextOptions): DcsInfo {
  switch (dcs) {
    case 0x00:
      return { alphabet: opts.dc0 === 'latin1' ? 'latin1' : 'gsm7', known: true };
    case 0x01:
      return { alphabet: 'ascii', known: true };
    case 0x02:
    case 0x04:
      return { alphabet: 'binary', known: true };
    case 0x03:
      return { alphabet: 'latin1', known: true };
    case 0x06:
      return { alphabet: 'cyrillic', known: true };
    case 0x08:
      return { alphabet: 'ucs2', known: true };
    case 0x05:
    case 0x07:
    case 0x09:
    case 0x0a:
    case 0x0d:
    case 0x0e:
      return { alphabet: 'binary', known: false };
    default: // 0x0B, 0x0C reserved
      return RESERVED;
  }
}

function messageClass(bits: number): 0 | 1 | 2 | 3 {
  return (bits & 0x03) as 0 | 1 | 2 | 3;
}

const WAITING_KINDS = ['voicemail', 'fax', 'email', 'other'] as const;

/** Classifies a data_coding octet; an out-of-range value is reserved. */
export function classifyDcs(dcs: number, opts: LinkTextOptions): DcsInfo {
  if (!Number.isInteger(dcs) || dcs < 0 || dcs > 0xff) return RESERVED;
  if (dcs <= 0x0e) return smppTable(dcs, opts);
  if (dcs === 0x0f) return RESERVED; // in neither the SMPP table nor the 3GPP general group we apply
  const group = dcs >> 4;
  if (group <= 0x7) {
    // 00xx / 01xx general data coding (01xx = marked for automatic deletion), 23.038 §4:
    // bit 5 compressed, bit 4 class meaningful, bits 3–2 alphabet, bits 1–0 class.
    const alphabets = ['gsm7', 'binary', 'ucs2'] as const;
    const alphabet = alphabets[(dcs >> 2) & 0x03];
    if (alphabet === undefined) return RESERVED; // bits 3–2 = 11 reserved
    const info: DcsInfo = { alphabet, known: true };
    if (dcs & 0x20) info.compressed = true;
    if (dcs & 0x10) info.messageClass = messageClass(dcs);
    return info;
  }
  if (group <= 0xb) return RESERVED; // 1000–1011 reserved coding groups
  if (group <= 0xe) {
    // 1100 discard / 1101 store (GSM-7), 1110 store (UCS-2): message waiting indication, 23.038 §4.
    const kind = WAITING_KINDS[dcs & 0x03] ?? 'other';
    return {
      alphabet: group === 0xe ? 'ucs2' : 'gsm7',
      known: true,
      waiting: { store: group !== 0xc, active: (dcs & 0x08) !== 0, kind },
    };
  }
  // 1111 data coding / message class: bit 2 GSM-7 or 8-bit, bits 1–0 class (bit 3 reserved, ignored).
  return { alphabet: dcs & 0x04 ? 'binary' : 'gsm7', known: true, messageClass: messageClass(dcs) };
}

export type DecodedUserData =
  | { kind: 'text'; text: string; dcs: DcsInfo }
  | { kind: 'binary'; bytes: Uint8Array; dcs: DcsInfo };

type Body = { body: Uint8Array; udhLength: number };

function join(chunks: ReadonlyArray<Uint8Array>): Uint8Array {
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * One part's packed GSM-7 → septets. The fill bits follow the UDH (3GPP TS 23.040 §9.2.3.24). SMPP
 * carries octets, not the septet count, so when the septets fill the octets exactly, a last septet of
 * 0x00 (zero padding) or CR (CR padding, 3GPP TS 23.038 §6.1.2.3.1) is read as padding. Policy: a
 * real "@" or CR in that one position is lost; planMt never puts one there.
 */
export function unpackPart(body: Uint8Array, udhLength: number): Uint8Array {
  const fillBits = gsm7FillBits(udhLength);
  const septets = gsm7Unpack(body, undefined, fillBits);
  const exact = (body.length * 8 - fillBits) % 7 === 0;
  const last = septets[septets.length - 1];
  if (exact && (last === 0x00 || last === 0x0d)) return septets.subarray(0, septets.length - 1);
  return septets;
}

function decodeText(alphabet: Exclude<Alphabet, 'binary'>, bytes: Uint8Array): string {
  switch (alphabet) {
    case 'gsm7':
      return gsm7Decode(bytes);
    case 'ascii':
      return ia5Decode(bytes);
    case 'latin1':
      return latin1Decode(bytes);
    case 'cyrillic':
      return iso88595Decode(bytes);
    case 'ucs2':
      return ucs2Decode(bytes);
  }
}

/**
 * The user data of one message (its parts in seq order, UDH removed) → text or bytes. Raw payloads
 * are joined first and decoded once (PROTOCOL.md §3), so an ESC pair or a surrogate pair split across
 * parts still decodes; packed GSM-7 is unpacked per part, since each part has its own fill bits.
 * Compressed user data (3GPP TS 23.042) is not decompressed: it is returned as binary. Never throws.
 */
export function decodeUserData(bodies: ReadonlyArray<Body>, dcs: number, opts: LinkTextOptions): DecodedUserData {
  const info = classifyDcs(dcs, opts);
  if (info.alphabet === 'binary' || info.compressed) {
    return { kind: 'binary', bytes: join(bodies.map((b) => b.body)), dcs: info };
  }
  const packed = info.alphabet === 'gsm7' && opts.gsm7Packed;
  const raw = join(bodies.map((b) => (packed ? unpackPart(b.body, b.udhLength) : b.body)));
  return { kind: 'text', text: decodeText(info.alphabet, raw), dcs: info };
}
