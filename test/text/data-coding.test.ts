import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_TEXT_OPTIONS,
  classifyDcs,
  decodeUserData,
  type DcsInfo,
  type LinkTextOptions,
} from '../../src/text/data-coding.js';
import { gsm7Encode, gsm7Pack } from '../../src/text/gsm7.js';
import { ucs2Encode } from '../../src/text/ucs2.js';
import { bytes, fromHex } from './arbitraries.js';

const LATIN1_DC0: LinkTextOptions = { dc0: 'latin1', gsm7Packed: false };
const PACKED: LinkTextOptions = { dc0: 'gsm7', gsm7Packed: true };

describe('classifyDcs', () => {
  const cases: Array<[number, Partial<DcsInfo>]> = [
    [0xf0, { alphabet: 'gsm7', known: true, messageClass: 0 }],
    [0xf1, { alphabet: 'gsm7', known: true, messageClass: 1 }],
    [0xf4, { alphabet: 'binary', known: true, messageClass: 0 }],
    [0xf5, { alphabet: 'binary', known: true, messageClass: 1 }],
    [0x02, { alphabet: 'binary', known: true }],
    [0x04, { alphabet: 'binary', known: true }],
    [0x08, { alphabet: 'ucs2', known: true }],
    [0x18, { alphabet: 'ucs2', known: true, messageClass: 0 }],
    [0x11, { alphabet: 'gsm7', known: true, messageClass: 1 }],
    [0x15, { alphabet: 'binary', known: true, messageClass: 1 }],
    [0x48, { alphabet: 'ucs2', known: true }],
    [0xc8, { alphabet: 'gsm7', known: true }],
    [0xd8, { alphabet: 'gsm7', known: true }],
    [0xe8, { alphabet: 'ucs2', known: true }],
    [0x06, { alphabet: 'cyrillic', known: true }],
    [0x01, { alphabet: 'ascii', known: true }],
    [0x03, { alphabet: 'latin1', known: true }],
    [0x0f, { alphabet: 'gsm7', known: false }],
    [0x0b, { alphabet: 'gsm7', known: false }],
    [0x1c, { alphabet: 'gsm7', known: false }],
    [0x80, { alphabet: 'gsm7', known: false }],
    [0x88, { alphabet: 'gsm7', known: false }],
    [0x8f, { alphabet: 'gsm7', known: false }],
    [0xbf, { alphabet: 'gsm7', known: false }],
  ];
  for (const [dcs, expected] of cases) {
    it(`reads 0x${dcs.toString(16).padStart(2, '0').toUpperCase()} as ${expected.alphabet}${expected.known ? '' : ' (reserved)'}`, () => {
      expect(classifyDcs(dcs, DEFAULT_TEXT_OPTIONS)).toMatchObject(expected);
    });
  }

  it('reads 0x00 per the link option: GSM-7 by default, Latin-1 when set', () => {
    expect(classifyDcs(0x00, DEFAULT_TEXT_OPTIONS)).toEqual({ alphabet: 'gsm7', known: true });
    expect(classifyDcs(0x00, LATIN1_DC0)).toEqual({ alphabet: 'latin1', known: true });
  });

  it('gives a message class only when bit 4 says so in the general group', () => {
    expect(classifyDcs(0x10, DEFAULT_TEXT_OPTIONS).messageClass).toBe(0);
    expect(classifyDcs(0x40, DEFAULT_TEXT_OPTIONS).messageClass).toBeUndefined();
  });

  it('flags compressed user data (bit 5)', () => {
    expect(classifyDcs(0x20, DEFAULT_TEXT_OPTIONS)).toMatchObject({ alphabet: 'gsm7', compressed: true });
  });

  it('reads the message waiting groups: store, active and kind', () => {
    expect(classifyDcs(0xc8, DEFAULT_TEXT_OPTIONS).waiting).toEqual({ store: false, active: true, kind: 'voicemail' });
    expect(classifyDcs(0xd2, DEFAULT_TEXT_OPTIONS).waiting).toEqual({ store: true, active: false, kind: 'email' });
  });

  it('hands defined but unsupported SMPP character sets over as binary, known:false', () => {
    for (const dcs of [0x05, 0x07, 0x09, 0x0a, 0x0d, 0x0e]) {
      expect(classifyDcs(dcs, DEFAULT_TEXT_OPTIONS)).toEqual({ alphabet: 'binary', known: false });
    }
  });

  it('treats a value outside one octet as reserved', () => {
    for (const dcs of [-1, 256, 1.5, Number.NaN]) expect(classifyDcs(dcs, DEFAULT_TEXT_OPTIONS).known).toBe(false);
  });
});

describe('decodeUserData', () => {
  const one = (body: Uint8Array, udhLength = 0) => [{ body, udhLength }];

  it('decodes every alphabet of the SMPP table', () => {
    const text = (dcs: number, body: Uint8Array, opts = DEFAULT_TEXT_OPTIONS) => {
      const r = decodeUserData(one(body), dcs, opts);
      return r.kind === 'text' ? r.text : null;
    };
    expect(text(0x00, gsm7Encode('a@b_$€')!)).toBe('a@b_$€');
    expect(text(0x00, fromHex('E7 61'), LATIN1_DC0)).toBe('ça');
    expect(text(0x01, fromHex('61 40 62'))).toBe('a@b');
    expect(text(0x03, fromHex('E7 61'))).toBe('ça');
    expect(text(0x06, fromHex('BF E0 D8 D2 D5 E2'))).toBe('Привет');
    expect(text(0x08, ucs2Encode('Привет 😀'))).toBe('Привет 😀');
    expect(text(0xf0, gsm7Encode('flash')!)).toBe('flash');
    expect(text(0x8f, gsm7Encode('reserved')!)).toBe('reserved');
  });

  it('returns binary user data joined, as bytes', () => {
    const r = decodeUserData([{ body: fromHex('0102'), udhLength: 12 }, { body: fromHex('03'), udhLength: 12 }], 0xf5, DEFAULT_TEXT_OPTIONS);
    expect(r).toEqual({ kind: 'binary', bytes: fromHex('010203'), dcs: { alphabet: 'binary', known: true, messageClass: 1 } });
  });

  it('returns compressed user data as binary, not as invented text', () => {
    expect(decodeUserData(one(fromHex('1234')), 0x20, DEFAULT_TEXT_OPTIONS).kind).toBe('binary');
  });

  it('joins parts before decoding, so a surrogate pair split across parts survives', () => {
    const all = ucs2Encode('ab😀');
    const r = decodeUserData([{ body: all.subarray(0, 6), udhLength: 6 }, { body: all.subarray(6), udhLength: 6 }], 0x08, DEFAULT_TEXT_OPTIONS);
    expect(r.kind === 'text' && r.text).toBe('ab😀');
  });

  it('joins parts before decoding, so an ESC pair split across parts survives', () => {
    const r = decodeUserData([{ body: fromHex('41 1B'), udhLength: 6 }, { body: fromHex('65'), udhLength: 6 }], 0x00, DEFAULT_TEXT_OPTIONS);
    expect(r.kind === 'text' && r.text).toBe('A€');
  });

  it('unpacks packed GSM-7 per part, with the fill bits after each UDH', () => {
    const parts = [
      { body: gsm7Pack(gsm7Encode('hello ')!, 1), udhLength: 6 },
      { body: gsm7Pack(gsm7Encode('world')!, 0), udhLength: 7 },
      { body: gsm7Pack(gsm7Encode('!')!), udhLength: 0 },
    ];
    const r = decodeUserData(parts, 0x00, PACKED);
    expect(r.kind === 'text' && r.text).toBe('hello world!');
  });

  it('reads 7 spare zero bits at the end of packed GSM-7 as padding, not as "@"', () => {
    const r = decodeUserData(one(gsm7Pack(gsm7Encode('1234567')!)), 0x00, PACKED);
    expect(r.kind === 'text' && r.text).toBe('1234567');
  });

  it('reads a CR in 7 spare bits as padding (3GPP TS 23.038 §6.1.2.3.1)', () => {
    const r = decodeUserData(one(gsm7Pack(gsm7Encode('1234567\r')!)), 0x00, PACKED);
    expect(r.kind === 'text' && r.text).toBe('1234567');
  });

  it('yields empty text for no parts', () => {
    expect(decodeUserData([], 0x08, DEFAULT_TEXT_OPTIONS)).toMatchObject({ kind: 'text', text: '' });
  });

  it('never throws for any data_coding 0..255 and arbitrary parts', () => {
    const parts = fc.array(fc.record({ body: bytes(200), udhLength: fc.integer({ min: -2, max: 160 }) }), { maxLength: 5 });
    const opts = fc.record({ dc0: fc.constantFrom('gsm7' as const, 'latin1' as const), gsm7Packed: fc.boolean() });
    fc.assert(
      fc.property(parts, fc.integer({ min: 0, max: 255 }), opts, (p, dcs, o) => {
        const r = decodeUserData(p, dcs, o);
        expect(['text', 'binary']).toContain(r.kind);
      }),
      { numRuns: 1000 },
    );
  });

  it('classifies every data_coding 0..255 under both link options', () => {
    for (const opts of [DEFAULT_TEXT_OPTIONS, LATIN1_DC0]) {
      for (let dcs = 0; dcs <= 0xff; dcs++) {
        const info = classifyDcs(dcs, opts);
        expect(['gsm7', 'ascii', 'latin1', 'cyrillic', 'ucs2', 'binary']).toContain(info.alphabet);
      }
    }
  });
});
