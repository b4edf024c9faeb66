import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  gsm7Decode,
  gsm7Encode,
  gsm7FillBits,
  gsm7Pack,
  gsm7SeptetLength,
  gsm7Unpack,
  isGsm7Char,
} from '../../src/text/gsm7.js';
import { GSM_BASIC, GSM_EXTENSION, bytes, fromHex, gsmText, hex } from './arbitraries.js';

describe('gsm7Encode / gsm7Decode', () => {
  it('round-trips any text over the default and extension tables', () => {
    fc.assert(
      fc.property(gsmText(), (s) => {
        const septets = gsm7Encode(s);
        expect(septets).not.toBeNull();
        expect(gsm7Decode(septets!)).toBe(s);
        expect(gsm7SeptetLength(s)).toBe(septets!.length);
      }),
    );
  });

  it('maps the positions that differ from ASCII per 3GPP TS 23.038 §6.2.1', () => {
    expect(hex(gsm7Encode('@$_£¤¡¿à')!)).toBe('000211012440607F');
    expect(hex(gsm7Encode('\n\r')!)).toBe('0A0D');
  });

  it('encodes each extension character as ESC plus its code, two septets', () => {
    const expected: Array<[string, string]> = [
      ['\f', '1B0A'], ['^', '1B14'], ['{', '1B28'], ['}', '1B29'], ['\\', '1B2F'],
      ['[', '1B3C'], ['~', '1B3D'], [']', '1B3E'], ['|', '1B40'], ['€', '1B65'],
    ];
    for (const [ch, septets] of expected) {
      expect(hex(gsm7Encode(ch)!), ch).toBe(septets);
      expect(gsm7SeptetLength(ch), ch).toBe(2);
    }
  });

  it('returns null when any character is outside the alphabet', () => {
    for (const s of ['`', 'ç', 'ж', '😀', 'abc\u00a0', 'ok\ud800']) {
      expect(gsm7Encode(s), s).toBeNull();
      expect(gsm7SeptetLength(s), s).toBeNull();
    }
  });

  it('accepts a string exactly when all its characters are in the spec tables', () => {
    const alphabet = new Set([...GSM_BASIC, ...GSM_EXTENSION]);
    const mostlyGsm = fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom(...alphabet) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    );
    fc.assert(
      fc.property(fc.string({ unit: mostlyGsm, maxLength: 40 }), (s) => {
        const inAlphabet = [...s].every((ch) => alphabet.has(ch));
        expect(gsm7Encode(s) !== null).toBe(inAlphabet);
        expect([...s].every(isGsm7Char)).toBe(inAlphabet);
      }),
    );
  });

  it('decodes ESC ESC as a space', () => {
    expect(gsm7Decode(fromHex('41 1B1B 42'))).toBe('A B');
  });

  it('decodes an unknown ESC xx as main-table xx', () => {
    expect(gsm7Decode(fromHex('1B41 1B00'))).toBe('A@');
  });

  it('drops a trailing lone ESC', () => {
    expect(gsm7Decode(fromHex('48 69 1B'))).toBe('Hi');
  });

  it('reads octets above 0x7F by their low 7 bits', () => {
    expect(gsm7Decode(fromHex('C8 E9 80'))).toBe('Hi@');
  });

  it('never throws on arbitrary octets', () => {
    fc.assert(fc.property(bytes(), (b) => typeof gsm7Decode(b) === 'string'));
  });
});

describe('gsm7Pack / gsm7Unpack', () => {
  it('packs "hello" to E8 32 9B FD 06', () => {
    expect(hex(gsm7Pack(gsm7Encode('hello')!))).toBe('E8329BFD06');
    expect(gsm7Decode(gsm7Unpack(fromHex('E8329BFD06'), 5))).toBe('hello');
  });

  it('packs 8 septets into 7 octets', () => {
    expect(gsm7Pack(gsm7Encode('abcdefgh')!).length).toBe(7);
    expect(gsm7Unpack(gsm7Pack(gsm7Encode('abcdefgh')!)).length).toBe(8);
  });

  it('round-trips septets with fill bits 0..6', () => {
    fc.assert(
      fc.property(fc.uint8Array({ max: 0x7f, maxLength: 200 }), fc.integer({ min: 0, max: 6 }), (septets, fillBits) => {
        const packed = gsm7Pack(septets, fillBits);
        expect(packed.length).toBe(Math.ceil((fillBits + 7 * septets.length) / 8));
        expect(gsm7Unpack(packed, septets.length, fillBits)).toEqual(septets);
      }),
    );
  });

  it('leaves the fill bits zero', () => {
    fc.assert(
      fc.property(fc.uint8Array({ max: 0x7f, minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 6 }), (septets, fillBits) => {
        expect((gsm7Pack(septets, fillBits)[0] ?? 0) & ((1 << fillBits) - 1)).toBe(0);
      }),
    );
  });

  it('without a septet count returns every whole septet the octets hold', () => {
    expect(gsm7Unpack(new Uint8Array(7)).length).toBe(8);
    expect(gsm7Unpack(new Uint8Array(7), undefined, 1).length).toBe(7);
  });

  it('never throws on arbitrary octets, counts and fill bits', () => {
    fc.assert(
      fc.property(bytes(), fc.option(fc.integer({ min: -5, max: 600 })), fc.integer({ min: -3, max: 12 }), (b, n, f) => {
        const out = gsm7Unpack(b, n ?? undefined, f);
        expect(out.every((s) => s <= 0x7f)).toBe(true);
      }),
    );
  });

  it('counts fill bits after a UDH up to the next septet boundary', () => {
    expect(gsm7FillBits(0)).toBe(0);
    expect(gsm7FillBits(6)).toBe(1);
    expect(gsm7FillBits(7)).toBe(0);
    expect(gsm7FillBits(12)).toBe(2);
  });
});
