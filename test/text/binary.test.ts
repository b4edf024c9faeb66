import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BINARY_PART_MAX, binarySegments } from '../../src/text/binary.js';

describe('binarySegments', () => {
  it('sends up to 140 octets as one segment without a UDH', () => {
    const p = new Uint8Array(140).fill(1);
    expect(binarySegments(p, 9)).toEqual([{ udhi: false, shortMessage: p }]);
  });

  it('splits longer payloads into 134-octet parts behind 05 00 03 ref total seq, and joining them gives the payload back', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 141, maxLength: 3000 }), fc.integer({ min: 0, max: 255 }), (p, ref) => {
      const segs = binarySegments(p, ref);
      expect(segs.length).toBe(Math.ceil(p.length / BINARY_PART_MAX));
      segs.forEach((s, i) => {
        expect(s.udhi).toBe(true);
        expect([...s.shortMessage.subarray(0, 6)]).toEqual([5, 0, 3, ref, segs.length, i + 1]);
        expect(s.shortMessage.length).toBeLessThanOrEqual(140);
      });
      expect(Buffer.concat(segs.map((s) => s.shortMessage.subarray(6))).equals(Buffer.from(p))).toBe(true);
    }));
  });

  it('refuses more than 255 segments', () => {
    expect(() => binarySegments(new Uint8Array(256 * BINARY_PART_MAX), 1)).toThrow(RangeError);
  });
});
