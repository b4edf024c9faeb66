import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { iso88595Decode, iso88595Encode } from '../../src/text/cyrillic.js';
import { bytes, cyrillicText, fromHex, hex } from './arbitraries.js';

describe('iso88595Decode / iso88595Encode', () => {
  it('agrees with the ISO-8859-5 table of Node (ICU) on all 256 octets', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(iso88595Decode(all)).toBe(new TextDecoder('iso-8859-5').decode(all));
  });

  it('decodes "Привет" from data_coding 6 octets', () => {
    expect(iso88595Decode(fromHex('BF E0 D8 D2 D5 E2'))).toBe('Привет');
  });

  it('maps the three non-Cyrillic upper positions: soft hyphen, №, §', () => {
    expect(iso88595Decode(fromHex('AD F0 FD'))).toBe('\u00ad№§');
    expect(hex(iso88595Encode('\u00ad№§')!)).toBe('ADF0FD');
  });

  it('round-trips Russian text', () => {
    fc.assert(
      fc.property(cyrillicText(), (s) => {
        expect(iso88595Decode(iso88595Encode(s)!)).toBe(s);
      }),
    );
  });

  it('round-trips every octet through decode then encode', () => {
    fc.assert(fc.property(bytes(), (b) => {
      expect(iso88595Encode(iso88595Decode(b))).toEqual(b);
    }));
  });

  it('returns null for a character outside the set', () => {
    expect(iso88595Encode('é')).toBeNull();
    expect(iso88595Encode('Ѐ')).toBeNull(); // U+0400 is not in ISO-8859-5
    expect(iso88595Encode('€')).toBeNull();
  });
});
