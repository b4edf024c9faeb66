import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ia5Decode, latin1Decode, latin1Encode } from '../../src/text/latin1.js';
import { bytes, fromHex, hex } from './arbitraries.js';

const latin1Char = fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c));

describe('latin1Encode / latin1Decode', () => {
  it('round-trips any text of characters up to U+00FF', () => {
    fc.assert(
      fc.property(fc.string({ unit: latin1Char, maxLength: 300 }), (s) => {
        const encoded = latin1Encode(s);
        expect(encoded?.length).toBe(s.length);
        expect(latin1Decode(encoded!)).toBe(s);
      }),
    );
  });

  it('encodes "ça va" to E7 61 20 76 61', () => {
    expect(hex(latin1Encode('ça va')!)).toBe('E761207661');
  });

  it('returns null for a character above U+00FF', () => {
    expect(latin1Encode('price 5€')).toBeNull();
    expect(latin1Encode('ж')).toBeNull();
  });

  it('decodes every octet as the code point of the same value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = latin1Decode(all);
    expect([...text].map((c) => c.charCodeAt(0))).toEqual([...all]);
  });

  it('decodes a long message without hitting the argument limit', () => {
    expect(latin1Decode(new Uint8Array(200_000).fill(0x41)).length).toBe(200_000);
  });
});

describe('ia5Decode', () => {
  it('decodes ASCII as ASCII, including @ $ _ and the backtick', () => {
    expect(ia5Decode(fromHex('61 40 62 5F 24 60'))).toBe('a@b_$`');
  });

  it('shows U+FFFD for an octet above 0x7F', () => {
    expect(ia5Decode(fromHex('48 E9 21'))).toBe('H\ufffd!');
  });

  it('never throws on arbitrary octets', () => {
    fc.assert(
      fc.property(bytes(), (b) => {
        expect(ia5Decode(b).length).toBe(b.length);
        expect(latin1Decode(b).length).toBe(b.length);
      }),
    );
  });
});
