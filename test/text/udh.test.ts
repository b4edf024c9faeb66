import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { concatUdh, parseUdh, splitUdh } from '../../src/text/udh.js';
import { bytes, fromHex, hex } from './arbitraries.js';

describe('parseUdh', () => {
  it('reads an 8-bit reference concatenation IE: 05 00 03 A7 02 01', () => {
    const udh = parseUdh(fromHex('05 00 03 A7 02 01 C8 32'));
    expect(udh?.length).toBe(6);
    expect(udh?.concat).toEqual({ ref: 0xa7, refBits: 8, total: 2, seq: 1 });
    expect(udh?.ies).toEqual([{ iei: 0x00, data: fromHex('A7 02 01') }]);
  });

  it('reads a 16-bit reference concatenation IE: 06 08 04 12 34 02 01', () => {
    const udh = parseUdh(fromHex('06 08 04 12 34 02 01'));
    expect(udh?.length).toBe(7);
    expect(udh?.concat).toEqual({ ref: 0x1234, refBits: 16, total: 2, seq: 1 });
  });

  it('reads ports and concatenation together, as WAP push sends them', () => {
    const udh = parseUdh(fromHex('0B 05 04 0B 84 23 F0 00 03 2A 03 02'));
    expect(udh?.length).toBe(12);
    expect(udh?.ports).toEqual({ dest: 2948, orig: 9200, bits: 16 });
    expect(udh?.concat).toEqual({ ref: 0x2a, refBits: 8, total: 3, seq: 2 });
  });

  it('reads 8-bit ports', () => {
    expect(parseUdh(fromHex('04 04 02 F5 F6'))?.ports).toEqual({ dest: 0xf5, orig: 0xf6, bits: 8 });
  });

  it('returns null when the UDHL runs past the data', () => {
    expect(parseUdh(fromHex('07 00 03 A7 02 01'))).toBeNull();
    expect(parseUdh(new Uint8Array(0))).toBeNull();
  });

  it('returns null when an IE runs past the UDH', () => {
    expect(parseUdh(fromHex('05 00 04 A7 02 01 41'))).toBeNull();
    expect(parseUdh(fromHex('01 00 41 41'))).toBeNull();
  });

  it('ignores a concatenation IE with total 0, seq 0 or seq > total', () => {
    for (const ie of ['00 03 A7 00 00', '00 03 A7 02 00', '00 03 A7 02 03', '08 04 00 01 00 01']) {
      const sm = Uint8Array.of(fromHex(ie).length, ...fromHex(ie));
      const udh = parseUdh(sm);
      expect(udh, ie).not.toBeNull();
      expect(udh?.concat, ie).toBeUndefined();
      expect(udh?.ies.length, ie).toBe(1);
    }
  });

  it('ignores a concatenation IE of the wrong length', () => {
    expect(parseUdh(fromHex('06 00 04 A7 02 01 00'))?.concat).toBeUndefined();
  });

  it('keeps unknown IEs and an empty UDH', () => {
    expect(parseUdh(fromHex('00 41'))).toEqual({ length: 1, ies: [] });
    expect(parseUdh(fromHex('03 24 01 05'))?.ies).toEqual([{ iei: 0x24, data: fromHex('05') }]);
  });

  it('uses the last of two concatenation IEs (3GPP TS 23.040 §9.2.3.24)', () => {
    expect(parseUdh(fromHex('0A 00 03 01 02 01 00 03 09 03 02'))?.concat).toEqual({ ref: 9, refBits: 8, total: 3, seq: 2 });
  });

  it('never throws on arbitrary octets', () => {
    fc.assert(
      fc.property(bytes(300), (b) => {
        const udh = parseUdh(b);
        if (udh) expect(udh.length).toBeLessThanOrEqual(b.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips concatUdh for every reference, total and seq', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8 as const, 16 as const),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 1, max: 255 }).chain((total) => fc.tuple(fc.constant(total), fc.integer({ min: 1, max: total }))),
        (refBits, ref, [total, seq]) => {
          const r = refBits === 8 ? ref & 0xff : ref;
          expect(parseUdh(concatUdh(r, total, seq, refBits))?.concat).toEqual({ ref: r, refBits, total, seq });
        },
      ),
    );
  });
});

describe('concatUdh', () => {
  it('builds 05 00 03 RR TT SS and 06 08 04 RRRR TT SS', () => {
    expect(hex(concatUdh(0xa7, 2, 1, 8))).toBe('050003A70201');
    expect(hex(concatUdh(0x1234, 2, 1, 16))).toBe('06080412340201');
  });
});

describe('splitUdh', () => {
  it('treats the whole short message as body when UDHI is clear', () => {
    const sm = fromHex('05 00 03 A7 02 01 41');
    expect(splitUdh(sm, false)).toEqual({ udh: null, body: sm, malformed: false });
  });

  it('separates the UDH from the body when UDHI is set', () => {
    const { udh, body, malformed } = splitUdh(fromHex('05 00 03 A7 02 01 41 42'), true);
    expect(udh?.concat?.seq).toBe(1);
    expect(body).toEqual(fromHex('41 42'));
    expect(malformed).toBe(false);
  });

  it('reports a UDHL past the data as malformed and keeps the whole message as body', () => {
    const sm = fromHex('48 65 6C 6C 6F'); // "Hello" sent with UDHI set by mistake
    expect(splitUdh(sm, true)).toEqual({ udh: null, body: sm, malformed: true });
  });

  it('reports a broken IE as malformed and skips the UDHL-long header', () => {
    expect(splitUdh(fromHex('03 00 05 01 41'), true)).toEqual({ udh: null, body: fromHex('41'), malformed: true });
  });

  it('never throws on arbitrary octets, and body plus UDH make up the message', () => {
    fc.assert(
      fc.property(bytes(300), fc.boolean(), (b, udhi) => {
        const { udh, body } = splitUdh(b, udhi);
        expect(body.length + (udh?.length ?? 0)).toBeLessThanOrEqual(b.length);
        if (udh) expect(body.length + udh.length).toBe(b.length);
      }),
      { numRuns: 1000 },
    );
  });
});
