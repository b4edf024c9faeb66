import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combineParts, messageIdCandidates, parseReceipt, receiptFields, sameMessageId } from '../../../src/pipeline/mt/receipts.js';

const APP_B = 'id:0123456789 sub:001 dlvrd:001 submit date:2611251200 done date:2611251201 stat:DELIVRD err:000 text:hello world';

describe('parseReceipt', () => {
  it('reads the SMPP 3.4 App. B text', () => {
    expect(parseReceipt({ text: APP_B })).toEqual({ id: '0123456789', stat: 'DELIVRD', err: '000' });
    expect(receiptFields(APP_B)).toMatchObject({ 'submit date': '2611251200', 'done date': '2611251201', sub: '001', text: 'hello world' });
  });

  it('prefers the receipted_message_id and message_state TLVs over the text', () => {
    expect(parseReceipt({ text: APP_B, receiptedMessageId: 'abc', messageState: 5 })).toMatchObject({ id: 'abc', stat: 'UNDELIV' });
  });

  it('reads long state names, "Text:" and missing fields', () => {
    expect(parseReceipt({ text: 'ID:42 STAT:delivered Text:x' })).toEqual({ id: '42', stat: 'DELIVRD' });
    expect(parseReceipt({ text: 'stat:REJECTD id:7' })).toMatchObject({ id: '7', stat: 'REJECTD' });
    expect(parseReceipt({ text: 'no receipt here' })).toBeNull();
  });

  it('keeps the first id: an id typed in the text does not win', () => {
    expect(parseReceipt({ text: 'id:1 stat:DELIVRD text:id:2 stat:UNDELIV' })).toMatchObject({ id: '1', stat: 'DELIVRD' });
  });

  it('never throws, whatever the text and TLVs', () => {
    fc.assert(fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), fc.option(fc.integer(), { nil: undefined }), (text, rid, st) => {
      const r = parseReceipt({ text, receiptedMessageId: rid, messageState: st });
      expect(r === null || typeof r.id === 'string').toBe(true);
    }), { numRuns: 2000 });
  });

  it('parses App. B fields in any order and any key case', () => {
    const stats = ['DELIVRD', 'UNDELIV', 'EXPIRED', 'REJECTD', 'ENROUTE', 'DELETED', 'ACCEPTD', 'UNKNOWN'] as const;
    const casing = fc.constantFrom((s: string) => s, (s: string) => s.toUpperCase(), (s: string) => s[0]!.toUpperCase() + s.slice(1));
    fc.assert(fc.property(
      fc.stringMatching(/^[0-9A-Fa-f]{1,20}$/), fc.constantFrom(...stats), fc.stringMatching(/^[0-9]{3}$/),
      fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 3 }).filter((o) => [0, 1, 2].every((i) => o.includes(i))),
      fc.array(casing, { minLength: 3, maxLength: 3 }), fc.boolean(),
      (id, stat, err, order, [c1, c2, c3], textLast) => {
        const fields = [`${c1!('id')}:${id}`, `${c2!('stat')}:${stat}`, `${c3!('err')}:${err}`, 'sub:001', 'dlvrd:001', 'submit date:2611251200', 'done date:2611251201'];
        const text = order.map((i) => fields[i]).join(' ') + (textLast ? ' text:some words' : '');
        expect(parseReceipt({ text })).toEqual({ id, stat, err });
      },
    ), { numRuns: 1000 });
  });
});

describe('message ids', () => {
  it('match across case, hex and decimal, and zero padding', () => {
    expect(sameMessageId('0e999f21', 'E999F21')).toBe(true);
    expect(sameMessageId('3735928559', 'DEADBEEF')).toBe(true);
    expect(sameMessageId('abc-xyz', 'ABC-XYZ')).toBe(true);
    expect(sameMessageId('12', '13')).toBe(false);
    expect(sameMessageId('a_b', 'a-b')).toBe(false);
  });

  it('look-up candidates include every spelling sameMessageId accepts for a hex/decimal pair', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
      const dec = v.toString(10);
      const hex = v.toString(16);
      expect(messageIdCandidates(hex.toUpperCase())).toContain(dec);
      expect(messageIdCandidates(dec)).toContain(hex);
      expect(messageIdCandidates(dec)).toContain(hex.toUpperCase());
      for (const c of messageIdCandidates(dec)) expect(sameMessageId(c, dec)).toBe(true);
    }));
  });
});

describe('combineParts', () => {
  it('is DELIVRD only when every part is, fails at a final non-delivered part, else pending', () => {
    expect(combineParts(['a', 'b'], { a: 'DELIVRD' })).toBe('PENDING');
    expect(combineParts(['a', 'b'], { a: 'DELIVRD', b: 'DELIVRD' })).toBe('DELIVRD');
    expect(combineParts(['a', 'b'], { a: 'DELIVRD', b: 'UNDELIV' })).toBe('UNDELIV');
    expect(combineParts(['a', 'b'], { a: 'ENROUTE' })).toBe('ENROUTE');
    expect(combineParts(['a'], {})).toBe('PENDING');
  });
});
