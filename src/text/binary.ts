/**
 * Plain 8-bit binary messages (the send API's `binary`): up to 140 octets in one segment without a UDH; longer
 * ones in 134-octet parts, each behind an 8-bit-reference concatenation UDH `05 00 03 RR TT SS`
 * [23.040 §9.2.3.24.1; PROTOCOL §2 table]. Pure.
 */
import { concatUdh } from './udh.js';

export const BINARY_SINGLE_MAX = 140;
export const BINARY_PART_MAX = 134;

export interface BinarySegment { udhi: boolean; shortMessage: Uint8Array }

/** The segments of `payload`; `ref` is the concatenation reference (deterministic per message, so a resend reuses it). */
export function binarySegments(payload: Uint8Array, ref: number): BinarySegment[] {
  if (payload.length <= BINARY_SINGLE_MAX) return [{ udhi: false, shortMessage: payload }];
  const total = Math.ceil(payload.length / BINARY_PART_MAX);
  if (total > 255) throw new RangeError(`binary message of ${payload.length} octets needs ${total} segments (at most 255)`);
  return Array.from({ length: total }, (_, i) => {
    const udh = concatUdh(ref, total, i + 1, 8);
    const part = payload.subarray(i * BINARY_PART_MAX, (i + 1) * BINARY_PART_MAX);
    const sm = new Uint8Array(udh.length + part.length);
    sm.set(udh, 0);
    sm.set(part, udh.length);
    return { udhi: true, shortMessage: sm };
  });
}
