/**
 * User Data Header (3GPP TS 23.040 §9.2.3.24): UDHL (octets that follow) + information elements,
 * each IEI(1) · IEDL(1) · data. Present when esm_class has UDHI 0x40 set (SMPP 3.4 §5.2.12).
 */

export interface ConcatInfo {
  ref: number;
  refBits: 8 | 16;
  total: number;
  seq: number;
}

export interface UdhInfo {
  /** octets including the UDHL octet */
  length: number;
  ies: Array<{ iei: number; data: Uint8Array }>;
  concat?: ConcatInfo;
  ports?: { dest: number; orig: number; bits: 8 | 16 };
}

/** IEIs we interpret (3GPP TS 23.040 §9.2.3.24, table 9.2.3.24). */
export const IEI_CONCAT_8 = 0x00;
export const IEI_PORTS_8 = 0x04;
export const IEI_PORTS_16 = 0x05;
export const IEI_CONCAT_16 = 0x08;

/**
 * A concatenation IE with total 0, seq 0 or seq > total is ignored (3GPP TS 23.040 §9.2.3.24.1).
 */
function readConcat(iei: number, data: Uint8Array): ConcatInfo | undefined {
  let info: ConcatInfo | undefined;
  if (iei === IEI_CONCAT_8 && data.length === 3) {
    info = { ref: data[0] ?? 0, refBits: 8, total: data[1] ?? 0, seq: data[2] ?? 0 };
  } else if (iei === IEI_CONCAT_16 && data.length === 4) {
    info = { ref: ((data[0] ?? 0) << 8) | (data[1] ?? 0), refBits: 16, total: data[2] ?? 0, seq: data[3] ?? 0 };
  }
  if (!info || info.total === 0 || info.seq === 0 || info.seq > info.total) return undefined;
  return info;
}

/** Application ports, 8-bit (§9.2.3.24.3) or 16-bit (§9.2.3.24.4). */
function readPorts(iei: number, data: Uint8Array): UdhInfo['ports'] {
  if (iei === IEI_PORTS_8 && data.length === 2) return { dest: data[0] ?? 0, orig: data[1] ?? 0, bits: 8 };
  if (iei === IEI_PORTS_16 && data.length === 4) {
    return { dest: ((data[0] ?? 0) << 8) | (data[1] ?? 0), orig: ((data[2] ?? 0) << 8) | (data[3] ?? 0), bits: 16 };
  }
  return undefined;
}

/**
 * Parses the UDH at the start of `sm`; null when it is malformed (no UDHL, UDHL or an IE runs past
 * the data). A repeated non-repeatable IE: the last occurrence wins (3GPP TS 23.040 §9.2.3.24).
 */
export function parseUdh(sm: Uint8Array): UdhInfo | null {
  const udhl = sm[0];
  if (udhl === undefined || 1 + udhl > sm.length) return null;
  const end = 1 + udhl;
  const info: UdhInfo = { length: end, ies: [] };
  let at = 1;
  while (at < end) {
    const iei = sm[at];
    const iedl = sm[at + 1];
    if (iei === undefined || iedl === undefined || at + 2 > end || at + 2 + iedl > end) return null;
    const data = sm.slice(at + 2, at + 2 + iedl);
    info.ies.push({ iei, data });
    const concat = readConcat(iei, data);
    if (concat) info.concat = concat;
    const ports = readPorts(iei, data);
    if (ports) info.ports = ports;
    at += 2 + iedl;
  }
  return info;
}

/**
 * Separates UDH and body. udhi=false → the whole of `sm` is body. A malformed UDH is reported, not
 * thrown: if the UDHL itself fits, the body is what follows it; if not, the UDHI flag is taken to
 * be wrong and the whole of `sm` is body.
 */
export function splitUdh(
  sm: Uint8Array,
  udhi: boolean,
): { udh: UdhInfo | null; body: Uint8Array; malformed: boolean } {
  if (!udhi) return { udh: null, body: sm, malformed: false };
  const udh = parseUdh(sm);
  if (udh) return { udh, body: sm.subarray(udh.length), malformed: false };
  const udhl = sm[0];
  const body = udhl !== undefined && 1 + udhl <= sm.length ? sm.subarray(1 + udhl) : sm;
  return { udh: null, body, malformed: true };
}

/** Concatenation UDH: `05 00 03 RR TT SS` (8-bit ref) or `06 08 04 RRRR TT SS` (16-bit ref). */
export function concatUdh(ref: number, total: number, seq: number, refBits: 8 | 16): Uint8Array {
  if (refBits === 8) return Uint8Array.of(0x05, IEI_CONCAT_8, 0x03, ref & 0xff, total & 0xff, seq & 0xff);
  return Uint8Array.of(0x06, IEI_CONCAT_16, 0x04, (ref >> 8) & 0xff, ref & 0xff, total & 0xff, seq & 0xff);
}
