import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMmsProvisioning, parseUdh, wapPushSegments, wspPush } from '../../src/text/index.js';

const SETTINGS = { apn: 'mms.operator', mmsc: 'http://mms.operator/mmsc', proxy: '10.0.0.1', port: 8080, name: 'Operator MMS' };

describe('encodeMmsProvisioning (PROTOCOL.md §6)', () => {
  it('encodes the minimal MMS document in 247 octets, WBXML 1.3 PROV 1.0 UTF-8', () => {
    const w = encodeMmsProvisioning(SETTINGS);
    expect(w.length).toBe(247);
    expect([...w.subarray(0, 4)]).toEqual([0x03, 0x0b, 0x6a, 0x00]);
    expect([...w.subarray(4, 7)]).toEqual([0xc5, 0x46, 0x01]); // <wap-provisioningdoc version="1.0">
    expect(w[w.length - 1]).toBe(0x01);
    // one parm as in §6: PROXY-ID, value= on page 0, inline string
    expect(Buffer.from(w).includes(Buffer.from([0x87, 0x15, 0x06, 0x03, ...Buffer.from('MMSPROXY'), 0x00, 0x01]))).toBe(true);
    // page 1 APPID then back to page 0 before value= (as Kannel does)
    expect(Buffer.from(w).includes(Buffer.from([0x87, 0x36, 0x00, 0x00, 0x06, 0x03, 0x77, 0x34, 0x00, 0x01]))).toBe(true);
    expect(Buffer.from(w).includes(Buffer.from('http://mms.operator/mmsc\0'))).toBe(true);
  });

  it('a host name proxy gets PXADDRTYPE ALPHA, an IPv4 one IPV4', () => {
    expect(Buffer.from(encodeMmsProvisioning(SETTINGS)).includes(Buffer.from([0x87, 0x21, 0x06, 0x85, 0x01]))).toBe(true);
    expect(Buffer.from(encodeMmsProvisioning({ ...SETTINGS, proxy: 'proxy.operator' })).includes(Buffer.from([0x87, 0x21, 0x06, 0x88, 0x01]))).toBe(true);
  });
});

describe('wspPush', () => {
  it('prefixes Kannel\'s header with the USERPIN HMAC-SHA1 as 40 upper-case hex digits: 50 octets', () => {
    const w = encodeMmsProvisioning(SETTINGS);
    const p = wspPush(w, {});
    expect(p.length).toBe(w.length + 50);
    expect([...p.subarray(0, 9)]).toEqual([0x01, 0x06, 0x2f, 0x1f, 0x2d, 0xb6, 0x91, 0x81, 0x92]);
    const mac = Buffer.from(p.subarray(9, 49)).toString('ascii');
    expect(mac).toMatch(/^[0-9A-F]{40}$/);
    expect(mac).toBe(createHmac('sha1', '1234').update(w).digest('hex').toUpperCase());
    expect(p[49]).toBe(0x00);
    expect(Buffer.from(p.subarray(50)).equals(Buffer.from(w))).toBe(true);
    expect(Buffer.from(wspPush(w, { pin: '0000' }).subarray(9, 49)).toString()).toBe(createHmac('sha1', '0000').update(w).digest('hex').toUpperCase());
  });
});

describe('wapPushSegments (PROTOCOL.md §3)', () => {
  it('splits the example into 3 segments of ≤128 payload octets', () => {
    const segs = wapPushSegments(wspPush(encodeMmsProvisioning(SETTINGS)), 0x1a7);
    expect(segs.map((s) => s.length - 12)).toEqual([128, 128, 41]);
    segs.forEach((s, i) => expect([...s.subarray(0, 12)]).toEqual([0x0b, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0x00, 0x03, 0xa7, 3, i + 1]));
  });

  it('a single segment still carries the port IE', () => {
    const [one, ...rest] = wapPushSegments(Uint8Array.from([1, 2, 3]), 9);
    expect(rest).toEqual([]);
    expect([...one!]).toEqual([0x0b, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0x00, 0x03, 9, 1, 1, 1, 2, 3]);
  });

  it('any payload: sizes, parseable UDH (ports + concat) and exact reassembly', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.integer({ min: 0, max: 0xffff }), (payload, ref) => {
      const segs = wapPushSegments(payload, ref);
      expect(segs.length).toBe(Math.ceil(payload.length / 128));
      segs.forEach((s, i) => {
        expect(s.length).toBeLessThanOrEqual(140);
        if (i < segs.length - 1) expect(s.length).toBe(140);
        const udh = parseUdh(s);
        expect(udh?.length).toBe(12);
        expect(udh?.ports).toEqual({ dest: 0x0b84, orig: 0x23f0, bits: 16 });
        expect(udh?.concat).toEqual({ ref: ref & 0xff, refBits: 8, total: segs.length, seq: i + 1 });
      });
      expect(Buffer.concat(segs.map((s) => s.subarray(12))).equals(Buffer.from(payload))).toBe(true);
    }));
  });
});
