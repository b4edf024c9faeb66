/**
 * MT text → segments. GSM-7 when every character is in the default or extension table, else UCS-2
 * (SPEC; PROTOCOL.md §2). Per-segment limits are PROTOCOL.md §2's table (3GPP TS 23.040 §9.2.3.24):
 * a segment never splits an ESC pair or a surrogate pair (23.040 §9.2.3.24.1).
 */
import { GSM7_ESC, gsm7Encode, gsm7FillBits, gsm7Pack } from './gsm7.js';
import { isHighSurrogate, ucs2Encode } from './ucs2.js';
import { concatUdh } from './udh.js';

export type ConcatMode = 'udh8' | 'udh16' | 'sar' | 'payload';

export interface MtSegment {
  /** UDH included in udh modes */
  shortMessage: Uint8Array;
  udhi: boolean;
  sar?: { ref: number; total: number; seq: number };
}

export interface MtPlan {
  dataCoding: 0 | 8;
  alphabet: 'gsm7' | 'ucs2';
  segments: MtSegment[];
  messagePayload?: Uint8Array;
  /** septets or UCS-2 units of the whole text */
  units: number;
}

export interface PlanMtOptions {
  concat: ConcatMode;
  /** concatenation reference; 8 bits used in udh8, 16 bits in udh16 and sar */
  ref: number;
  forceUcs2?: boolean;
  /** pack GSM-7 septets (a per-link option, PROTOCOL.md §2); default unpacked, one septet per octet */
  gsm7Packed?: boolean;
}

/** Septets (GSM-7) or 16-bit units (UCS-2) per segment; SAR leaves room for the UDH the SMSC adds. */
export const SEGMENT_LIMITS = {
  gsm7: { single: 160, udh8: 153, udh16: 152, sar: 153 },
  ucs2: { single: 70, udh8: 67, udh16: 66, sar: 67 },
} as const;

/** Octets of the concatenation UDH each mode puts in front of a segment. */
const UDH_LENGTH = { udh8: 6, udh16: 7, sar: 0 } as const;

/** A segment may hold at most this many parts: total is one octet (3GPP TS 23.040 §9.2.3.24.1). */
export const MAX_SEGMENTS = 255;

const CR = 0x0d;

interface Units {
  alphabet: 'gsm7' | 'ucs2';
  count: number;
  /** moves a non-final cut back so it splits nothing */
  cut(start: number, end: number, udhLength: number): number;
  body(start: number, end: number, udhLength: number, room: number): Uint8Array;
}

/**
 * Packed GSM-7 on SMPP carries no septet count, so the reader treats a last 0x00 or CR that fills
 * the octets exactly as padding (data-coding.ts unpackPart). Such an ending is "ambiguous".
 */
function ambiguous(septets: Uint8Array, start: number, end: number, fillBits: number): boolean {
  const last = septets[end - 1];
  return (fillBits + 7 * (end - start)) % 8 === 0 && (last === 0x00 || last === CR);
}

function gsm7Units(septets: Uint8Array, packed: boolean): Units {
  return {
    alphabet: 'gsm7',
    count: septets.length,
    cut(start, end, udhLength) {
      if (end >= septets.length) return end;
      let cut = septets[end - 1] === GSM7_ESC ? end - 1 : end; // never split an ESC pair
      if (packed && ambiguous(septets, start, cut, gsm7FillBits(udhLength))) cut -= 1;
      return cut;
    },
    body(start, end, udhLength, room) {
      const chunk = septets.slice(start, end);
      if (!packed) return chunk;
      const fillBits = gsm7FillBits(udhLength);
      const spare = (8 - ((fillBits + 7 * chunk.length) % 8)) % 8;
      // 7 spare bits: fill them with CR, not zeros (3GPP TS 23.038 §6.1.2.3.1), so readers that
      // count septets from octets show a harmless CR rather than "@".
      // A final ambiguous ending gets an extra CR so its "@"/CR survives (same clause).
      const pad = spare === 7 || (end === septets.length && ambiguous(septets, start, end, fillBits) && chunk.length < room);
      return gsm7Pack(pad ? Uint8Array.of(...chunk, CR) : chunk, fillBits);
    },
  };
}

function ucs2Units(text: string): Units {
  const bytes = ucs2Encode(text);
  return {
    alphabet: 'ucs2',
    count: text.length,
    cut(_start, end) {
      if (end >= text.length) return end;
      return isHighSurrogate(text.charCodeAt(end - 1)) ? end - 1 : end; // never split a surrogate pair
    },
    body(start, end) {
      return bytes.slice(2 * start, 2 * end);
    },
  };
}

function withUdh(udh: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(udh.length + body.length);
  out.set(udh, 0);
  out.set(body, udh.length);
  return out;
}

/**
 * Plans the segments of one MT. A text that fits one segment is one segment without UDH in every
 * mode. Longer: udh8/udh16 put a concatenation UDH in each segment, sar gives each plain segment
 * its SAR values, payload puts the whole encoded text in messagePayload (SMPP 3.4 §5.3.2.32).
 * Throws a RangeError if udh8/udh16/sar would need more than 255 segments.
 */
export function planMt(text: string, opts: PlanMtOptions): MtPlan {
  const septets = opts.forceUcs2 ? null : gsm7Encode(text);
  const units = septets ? gsm7Units(septets, opts.gsm7Packed === true) : ucs2Units(text);
  const limits = SEGMENT_LIMITS[units.alphabet];
  const base = { dataCoding: units.alphabet === 'gsm7' ? 0 : 8, alphabet: units.alphabet, units: units.count } as const;

  if (units.count <= limits.single) {
    return { ...base, segments: [{ shortMessage: units.body(0, units.count, 0, limits.single), udhi: false }] };
  }
  if (opts.concat === 'payload') {
    return { ...base, segments: [], messagePayload: units.body(0, units.count, 0, Infinity) };
  }

  const limit = limits[opts.concat];
  const udhLength = UDH_LENGTH[opts.concat];
  const ranges: Array<[number, number]> = [];
  for (let start = 0; start < units.count; ) {
    const end = units.cut(start, Math.min(start + limit, units.count), udhLength);
    ranges.push([start, end]);
    start = end;
  }
  const total = ranges.length;
  if (total > MAX_SEGMENTS) {
    throw new RangeError(`text needs ${total} segments; concatenation allows ${MAX_SEGMENTS} (3GPP TS 23.040 §9.2.3.24.1)`);
  }

  const segments = ranges.map(([start, end], i): MtSegment => {
    const body = units.body(start, end, udhLength, limit);
    const seq = i + 1;
    if (opts.concat === 'sar') return { shortMessage: body, udhi: false, sar: { ref: opts.ref & 0xffff, total, seq } };
    const udh = opts.concat === 'udh8' ? concatUdh(opts.ref & 0xff, total, seq, 8) : concatUdh(opts.ref & 0xffff, total, seq, 16);
    return { shortMessage: withUdh(udh, body), udhi: true };
  });
  return { ...base, segments };
}
