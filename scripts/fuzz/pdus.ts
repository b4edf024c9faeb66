/**
 * What the fuzzer sends: valid PDUs of every kind the listener handles, built with the gateway's encoder
 * (there are no captured fixtures yet: test/fixtures/pdus/ is empty), then mutated by fast-check (bit flips,
 * overwritten header fields, lengths that lie, truncation, extension, splices, corrupted TLV lengths), plus
 * plain random bytes.
 */
import fc from 'fast-check';
import { encodePdu } from '../../src/smpp/pdu.js';

const sar = { sar_msg_ref_num: 7, sar_total_segments: 2, sar_segment_seqnum: 1 };
const mo = (text: string, extra: Record<string, string | number | Buffer> = {}) => ({
  source_addr_ton: 1, source_addr_npi: 1, source_addr: '79161234567', dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: '232',
  short_message: Buffer.from(text), ...extra,
});

/** Valid requests and responses (seq 1); the listener must answer or refuse each, never hang or crash. */
export function seedPdus(systemId: string, password: string): Buffer[] {
  return [
    encodePdu('bind_transceiver', 1, { system_id: systemId, password, system_type: '', interface_version: 0x34, addr_ton: 0, addr_npi: 0, address_range: '' }),
    encodePdu('bind_transmitter', 1, { system_id: systemId, password: 'wrong', interface_version: 0x34 }),
    encodePdu('bind_receiver', 1, { system_id: 'nobody', password: 'x', interface_version: 0x34 }),
    encodePdu('submit_sm', 1, mo('hello')),
    encodePdu('submit_sm', 1, mo('ON')),
    encodePdu('submit_sm', 1, mo('', { destination_addr: '1234' })),
    encodePdu('submit_sm', 1, mo('\x05\x00\x03\x2a\x02\x01part one', { esm_class: 0x40 })),
    encodePdu('submit_sm', 1, mo('sar part', sar)),
    encodePdu('submit_sm', 1, mo('', { message_payload: Buffer.from('a payload '.repeat(40)) })),
    encodePdu('submit_sm', 1, mo('\x04\x10\x04\x20', { data_coding: 8 })),
    encodePdu('submit_sm', 1, mo('*111#', { ussd_service_op: 1, its_session_info: Buffer.from([0, 1]) })),
    encodePdu('deliver_sm', 1, mo('hello')),
    encodePdu('deliver_sm', 1, mo('id:1 sub:001 dlvrd:001 stat:DELIVRD', { esm_class: 0x04, receipted_message_id: 'abc', message_state: 2 })),
    encodePdu('data_sm', 1, { source_addr: '79161234567', destination_addr: '232', message_payload: Buffer.from('data') }),
    encodePdu('query_sm', 1, { message_id: 'abc', source_addr: '79161234567' }),
    encodePdu('enquire_link', 1),
    encodePdu('enquire_link_resp', 1),
    encodePdu('deliver_sm_resp', 1, { message_id: '' }),
    encodePdu('submit_sm_resp', 1, { message_id: 'x' }),
    encodePdu('generic_nack', 1, {}, 3),
    encodePdu('unbind', 1),
  ];
}

const u32 = fc.oneof(fc.constantFrom(0, 1, 15, 16, 17, 0x7fffffff, 0x80000000, 0xffffffff, 16384, 16385, 65536), fc.nat({ max: 0xffffffff }));

/** One mutation of a seed; the result is sent as it is (its command_length may lie). */
function mutation(seeds: Buffer[]): fc.Arbitrary<Buffer> {
  const seed = fc.constantFrom(...seeds);
  return fc.oneof(
    fc.tuple(seed, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 7 })), { minLength: 1, maxLength: 8 })).map(([s, flips]) => {
      const b = Buffer.from(s);
      for (const [i, bit] of flips) { const at = i % b.length; b[at] = b[at]! ^ (1 << bit); }
      return b;
    }),
    fc.tuple(seed, fc.constantFrom(0, 4, 8, 12), u32).map(([s, at, v]) => { const b = Buffer.from(s); b.writeUInt32BE(v >>> 0, at); return b; }),
    fc.tuple(seed, fc.nat()).map(([s, n]) => { const b = Buffer.from(s.subarray(0, 16 + (n % Math.max(1, s.length - 16)))); b.writeUInt32BE(b.length, 0); return b; }),
    fc.tuple(seed, fc.nat()).map(([s, n]) => s.subarray(0, n % (s.length + 1))),
    fc.tuple(seed, fc.uint8Array({ maxLength: 300 }), fc.boolean()).map(([s, extra, fix]) => {
      const b = Buffer.concat([s, Buffer.from(extra)]);
      if (fix) b.writeUInt32BE(b.length, 0);
      return b;
    }),
    fc.tuple(seed, seed, fc.nat(), fc.nat()).map(([a, b, i, j]) => {
      const out = Buffer.concat([a.subarray(0, Math.max(16, i % a.length)), b.subarray(j % b.length)]);
      out.writeUInt32BE(out.length, 0);
      return out;
    }),
    // A TLV (or the body's last field) whose length runs past the PDU's end.
    fc.tuple(seed, fc.nat({ max: 0xffff })).map(([s, len]) => {
      const tail = Buffer.alloc(4);
      tail.writeUInt16BE(0x0424, 0);
      tail.writeUInt16BE(len, 2);
      const b = Buffer.concat([s, tail, Buffer.from('xy')]);
      b.writeUInt32BE(b.length, 0);
      return b;
    }),
  );
}

/** Mutated seeds (most), header-framed random bodies and raw random bytes. */
export function fuzzPdu(seeds: Buffer[]): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 6, arbitrary: mutation(seeds) },
    { weight: 2, arbitrary: fc.tuple(u32, fc.uint8Array({ maxLength: 400 })).map(([id, body]) => {
      const h = Buffer.alloc(16);
      h.writeUInt32BE(16 + body.length, 0);
      h.writeUInt32BE(id >>> 0, 4);
      h.writeUInt32BE(1, 12);
      return Buffer.concat([h, Buffer.from(body)]);
    }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b)) },
  );
}
