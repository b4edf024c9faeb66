/**
 * Judges concatenated MO: which message a part belongs to and whether a set is complete. Pure; the
 * parts themselves wait in Redis (pipeline/ stores them). Policy (PROTOCOL.md §3): key (link,
 * source_addr, destination_addr, ref, total); parts arrive out of order and repeated.
 */
import type { UdhInfo } from './udh.js';

export interface PartIdentity {
  /** link|source|destination|refBits|ref|total; never contains ':' (BullMQ job ids forbid it) */
  key: string;
  ref: number;
  total: number;
  seq: number;
}

export interface PartInput {
  link: string;
  source: string;
  destination: string;
  udh: UdhInfo | null;
  /** sar_msg_ref_num 0x020C, sar_total_segments 0x020E, sar_segment_seqnum 0x020F (SMPP 3.4 §5.3.2.22–24) */
  sar?: { ref?: number; total?: number; seq?: number };
}

/** Escapes the key separator and ':' so distinct inputs never give the same key. */
function keyField(s: string): string {
  return s.replace(/[%|:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function octet(n: number | undefined, min: number): n is number {
  return n !== undefined && Number.isInteger(n) && n >= min && n <= 0xff;
}

/** SAR TLVs count only when all three are present and in range (SMPP 3.4 §5.3.2.22–24). */
function fromSar(sar: PartInput['sar']): { ref: number; refBits: 16; total: number; seq: number } | null {
  if (!sar) return null;
  const { ref, total, seq } = sar;
  if (ref === undefined || !Number.isInteger(ref) || ref < 0 || ref > 0xffff) return null;
  if (!octet(total, 1) || !octet(seq, 1) || seq > total) return null;
  return { ref, refBits: 16, total, seq };
}

/**
 * The identity of one part, from the UDH concatenation IE (0x00 / 0x08, 3GPP TS 23.040
 * §9.2.3.24.1/.8) or else the SAR TLVs. null for a message that is not a part, or is part 1 of 1.
 */
export function partIdentity(input: PartInput): PartIdentity | null {
  const found = input.udh?.concat ?? fromSar(input.sar);
  if (!found || found.total <= 1) return null;
  const { ref, refBits, total, seq } = found;
  const key = [keyField(input.link), keyField(input.source), keyField(input.destination), refBits, ref, total].join('|');
  return { key, ref, total, seq };
}

/**
 * Whether parts 1..total are all present. `parts` maps seq → part; seqs outside 1..total are
 * ignored. A total outside 1..255 can never complete.
 */
export function assemble<T>(
  total: number,
  parts: ReadonlyMap<number, T>,
): { complete: boolean; missing: number[]; ordered: T[] } {
  if (!octet(total, 1)) return { complete: false, missing: [], ordered: [] };
  const missing: number[] = [];
  const ordered: T[] = [];
  for (let seq = 1; seq <= total; seq++) {
    if (parts.has(seq)) ordered.push(parts.get(seq) as T);
    else missing.push(seq);
  }
  return { complete: missing.length === 0, missing, ordered };
}
