import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { assemble, partIdentity, type PartIdentity } from '../../src/text/reassemble.js';
import { parseUdh, splitUdh } from '../../src/text/udh.js';
import { planMt, type MtSegment } from '../../src/text/split.js';
import { decodeUserData, DEFAULT_TEXT_OPTIONS } from '../../src/text/data-coding.js';
import { anyText, fromHex } from './arbitraries.js';

const who = { link: 'mts', source: '79161234567', destination: '111' };

describe('partIdentity', () => {
  it('identifies a part by its 8-bit UDH concatenation IE', () => {
    expect(partIdentity({ ...who, udh: parseUdh(fromHex('05 00 03 A7 02 01')) })).toEqual({
      key: 'mts|79161234567|111|8|167|2',
      ref: 0xa7,
      total: 2,
      seq: 1,
    });
  });

  it('identifies a part by its 16-bit UDH concatenation IE', () => {
    expect(partIdentity({ ...who, udh: parseUdh(fromHex('06 08 04 12 34 02 01')) })?.key).toBe('mts|79161234567|111|16|4660|2');
  });

  it('identifies a part by its three SAR TLVs', () => {
    expect(partIdentity({ ...who, udh: null, sar: { ref: 0x1234, total: 3, seq: 3 } })).toEqual({
      key: 'mts|79161234567|111|16|4660|3',
      ref: 0x1234,
      total: 3,
      seq: 3,
    });
  });

  it('is null for a message that is not a part', () => {
    expect(partIdentity({ ...who, udh: null })).toBeNull();
    expect(partIdentity({ ...who, udh: parseUdh(fromHex('04 04 02 F5 F6')) })).toBeNull();
  });

  it('is null for part 1 of 1', () => {
    expect(partIdentity({ ...who, udh: parseUdh(fromHex('05 00 03 A7 01 01')) })).toBeNull();
    expect(partIdentity({ ...who, udh: null, sar: { ref: 1, total: 1, seq: 1 } })).toBeNull();
  });

  it('ignores SAR TLVs unless all three are present and in range', () => {
    const bad = [{ ref: 1, total: 2 }, { total: 2, seq: 1 }, { ref: 1, total: 0, seq: 1 }, { ref: 1, total: 2, seq: 3 },
      { ref: 1, total: 2, seq: 0 }, { ref: 1, total: 256, seq: 1 }, { ref: 0x10000, total: 2, seq: 1 }, { ref: -1, total: 2, seq: 1 }];
    for (const sar of bad) expect(partIdentity({ ...who, udh: null, sar }), JSON.stringify(sar)).toBeNull();
  });

  it('prefers the UDH IE over SAR TLVs', () => {
    const id = partIdentity({ ...who, udh: parseUdh(fromHex('05 00 03 A7 02 02')), sar: { ref: 9, total: 4, seq: 1 } });
    expect(id).toMatchObject({ ref: 0xa7, total: 2, seq: 2 });
  });

  it('keeps ":" out of the key and never lets two identities collide', () => {
    const a = partIdentity({ link: 'a:b', source: 'x|y', destination: '1', udh: null, sar: { ref: 1, total: 2, seq: 1 } });
    const b = partIdentity({ link: 'a:b|x', source: 'y', destination: '1', udh: null, sar: { ref: 1, total: 2, seq: 1 } });
    expect(a?.key).not.toContain(':');
    expect(a?.key).not.toBe(b?.key);
  });

  it('gives parts of one message one key and different references different keys', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (src, dst, r1, r2) => {
        const id = (ref: number, seq: number) =>
          partIdentity({ link: 'l', source: src, destination: dst, udh: parseUdh(Uint8Array.of(5, 0, 3, ref, 3, seq)) });
        expect(id(r1, 1)?.key).toBe(id(r1, 3)?.key);
        expect(id(r1, 1)?.key === id(r2, 1)?.key).toBe(r1 === r2);
        expect(id(r1, 2)?.key).not.toContain(':');
      }),
    );
  });
});

describe('assemble', () => {
  it('lists the missing parts until all are present', () => {
    const parts = new Map([[3, 'c'], [1, 'a']]);
    expect(assemble(3, parts)).toEqual({ complete: false, missing: [2], ordered: ['a', 'c'] });
    parts.set(2, 'b');
    expect(assemble(3, parts)).toEqual({ complete: true, missing: [], ordered: ['a', 'b', 'c'] });
  });

  it('ignores seqs outside 1..total', () => {
    expect(assemble(2, new Map([[0, 'z'], [1, 'a'], [2, 'b'], [5, 'x']]))).toEqual({ complete: true, missing: [], ordered: ['a', 'b'] });
  });

  it('never completes a total outside 1..255', () => {
    for (const total of [0, -1, 256, 2.5]) expect(assemble(total, new Map([[1, 'a']])).complete).toBe(false);
  });
});

describe('concatenation round trip', () => {
  /** What pipeline/ does with MO parts, minus Redis: file each part under its key until complete. */
  function deliver(segments: MtSegment[], dataCoding: number): string[] {
    const store = new Map<string, { id: PartIdentity; parts: Map<number, { body: Uint8Array; udhLength: number }> }>();
    // A part repeated after its set completed must not start a second set: pipeline/ keeps a marker
    // for completed keys until the reassembly timeout (8-bit references wrap, so it must expire).
    const done = new Set<string>();
    const texts: string[] = [];
    for (const s of segments) {
      const { udh, body } = splitUdh(s.shortMessage, s.udhi);
      const part = { body, udhLength: udh?.length ?? 0 };
      const id = partIdentity({ ...who, udh, ...(s.sar ? { sar: s.sar } : {}) });
      if (!id) {
        texts.push(decodeText([part], dataCoding));
        continue;
      }
      if (done.has(id.key)) continue;
      const entry = store.get(id.key) ?? { id, parts: new Map() };
      store.set(id.key, entry);
      if (entry.parts.has(id.seq)) continue; // a repeat of a part already durable
      entry.parts.set(id.seq, part);
      const set = assemble(id.total, entry.parts);
      if (set.complete) {
        texts.push(decodeText(set.ordered, dataCoding));
        store.delete(id.key);
        done.add(id.key);
      }
    }
    return texts;
  }

  function decodeText(parts: Array<{ body: Uint8Array; udhLength: number }>, dataCoding: number): string {
    const r = decodeUserData(parts, dataCoding, DEFAULT_TEXT_OPTIONS);
    return r.kind === 'text' ? r.text : '<binary>';
  }

  it('gives back the original text from shuffled, repeated parts in udh8, udh16 and sar', () => {
    fc.assert(
      fc.property(
        anyText(1200),
        fc.constantFrom('udh8' as const, 'udh16' as const, 'sar' as const),
        fc.integer({ min: 0, max: 0xffff }),
        fc.gen(),
        (text, concat, ref, gen) => {
          const plan = planMt(text, { concat, ref });
          const n = plan.segments.length;
          const order = gen(fc.shuffledSubarray, plan.segments, { minLength: n, maxLength: n });
          // A repeated single-part message is a second MO (idempotency is pipeline/'s), so repeat parts only.
          const repeats = n > 1 ? gen(fc.array, fc.constantFrom(...plan.segments), { maxLength: 3 }) : [];
          const arrival = [...order];
          for (const r of repeats) arrival.splice(gen(fc.nat, arrival.length), 0, r);
          // Exactly one message comes out, only after its last missing part, and it is the text.
          expect(deliver(arrival, plan.dataCoding)).toEqual([text]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps two interleaved messages with different references apart', () => {
    const a = planMt('A'.repeat(400), { concat: 'udh8', ref: 1 });
    const b = planMt('B'.repeat(400), { concat: 'udh8', ref: 2 });
    const interleaved = a.segments.flatMap((s, i) => [s, b.segments[i]!]);
    expect(deliver(interleaved, 0)).toEqual(['A'.repeat(400), 'B'.repeat(400)]);
  });
});
