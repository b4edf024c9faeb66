import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ucs2Decode, ucs2Encode } from '../../src/text/ucs2.js';
import { bytes, emojiText, fromHex, hex } from './arbitraries.js';

describe('ucs2Encode / ucs2Decode', () => {
  it('round-trips arbitrary Unicode text, emoji included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 100 }), emojiText()), (s) => {
        const encoded = ucs2Encode(s);
        expect(encoded.length).toBe(2 * s.length);
        expect(ucs2Decode(encoded)).toBe(s);
      }),
    );
  });

  it('round-trips strings with lone surrogates unit for unit', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
      expect(ucs2Decode(ucs2Encode(s))).toBe(s);
    }));
  });

  it('encodes big-endian, an emoji as a surrogate pair of two units', () => {
    expect(hex(ucs2Encode('Пр'))).toBe('041F0440');
    expect(hex(ucs2Encode('😀'))).toBe('D83DDE00');
  });

  it('shows U+FFFD for an odd trailing octet', () => {
    expect(ucs2Decode(fromHex('0041 00'))).toBe('A\ufffd');
    expect(ucs2Decode(fromHex('04'))).toBe('\ufffd');
  });

  it('never throws on arbitrary octets', () => {
    fc.assert(fc.property(bytes(), (b) => {
      expect(ucs2Decode(b).length).toBe(Math.ceil(b.length / 2));
    }));
  });
});
