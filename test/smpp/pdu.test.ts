import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScgwError } from '../../src/errors.js';
import { compactFields, decodePdu, encodePdu, encodeWithPdu, headerOnly, tlvFields, type PduFields } from '../../src/smpp/pdu.js';
import { ESME, SmppStatusError, statusForError, statusName } from '../../src/smpp/status.js';
import { CMD, rawPdu, submitSmBody } from '../support/smpp-peer.js';

describe('pdu codec (node-smpp with the text filters stripped)', () => {
  it('decodes short_message and message_payload as raw Buffers whatever the data_coding', () => {
    const sm = Buffer.from([0x05, 0x00, 0x03, 0x01, 0x02, 0x01, 0x04, 0x1f, 0x04, 0x40]);
    for (const dataCoding of [0, 3, 8, 0xf5]) {
      const frame = rawPdu(CMD.submit_sm, 1, submitSmBody({ source: { addr: '1' }, destination: { addr: '2' }, esmClass: 0x40, dataCoding, shortMessage: sm }));
      const d = decodePdu(frame);
      expect(d.ok && Buffer.isBuffer(d.pdu.short_message) && d.pdu.short_message.equals(sm)).toBe(true);
    }
    const payload = encodePdu('deliver_sm', 3, { destination_addr: '2', data_coding: 8, short_message: Buffer.alloc(0), message_payload: Buffer.from([0, 0x41]) });
    const d = decodePdu(payload);
    expect(d.ok && Buffer.isBuffer(d.pdu.message_payload) && d.pdu.message_payload.equals(Buffer.from([0, 0x41]))).toBe(true);
  });

  it('refuses to encode a short_message over 254 octets and names the cause', () => {
    expect(() => encodePdu('submit_sm', 1, { destination_addr: '2', short_message: Buffer.alloc(255) })).toThrow(ScgwError);
    expect(encodePdu('submit_sm', 1, { destination_addr: '2', short_message: Buffer.alloc(254) }).length).toBeGreaterThan(254);
  });

  it('drops undefined keys so node-smpp never sees an undefined TLV', () => {
    expect(compactFields({ a: 1, message_payload: undefined, b: 'x' })).toEqual({ a: 1, b: 'x' });
    expect(tlvFields({ messagePayload: undefined, ussdServiceOp: 2, itsSessionInfo: 0x0102 })).toEqual({ ussd_service_op: 2, its_session_info: Buffer.from([1, 2]) });
  });

  it('builds a header-only PDU and reports an undecodable body instead of throwing', () => {
    expect(headerOnly(CMD.generic_nack, ESME.RINVCMDLEN, 0).toString('hex')).toBe('00000010800000000000000200000000');
    const bad = rawPdu(CMD.submit_sm, 5, Buffer.concat([submitSmBody({ source: { addr: '1' }, destination: { addr: '2' }, shortMessage: Buffer.alloc(0) }), Buffer.from([0x02, 0x0c, 0, 2, 1])]));
    expect(decodePdu(bad)).toMatchObject({ ok: false, commandId: CMD.submit_sm, sequenceNumber: 5, status: ESME.RINVOPTPARSTREAM });
  });
});

/** Body fields by name, as SMPP 3.4 §5.2 types them (written from the spec, not from node-smpp's tables). */
const ascii = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });
const octet = fc.integer({ min: 0, max: 255 });
const BODY: Record<string, fc.Arbitrary<string | number | Buffer>> = {
  service_type: ascii(5), source_addr: ascii(20), destination_addr: ascii(20), message_id: ascii(64),
  source_addr_ton: octet, source_addr_npi: octet, dest_addr_ton: octet, dest_addr_npi: octet, esm_class: octet,
  protocol_id: octet, priority_flag: octet, registered_delivery: octet, replace_if_present_flag: octet,
  data_coding: octet, sm_default_msg_id: octet,
  // Time fields: empty, as the gateway sends them, or a value node-smpp's filter pads (the direct encoder defers).
  schedule_delivery_time: fc.constantFrom('', '000001000000', '260101000000000+'),
  validity_period: fc.constantFrom('', '000001000000000R'),
  short_message: fc.uint8Array({ maxLength: 254 }).map((a) => Buffer.from(a)),
};
/** The TLVs the gateway reads or writes (SMPP 3.4 §5.3.2), by node-smpp name. */
const TLV: Record<string, fc.Arbitrary<string | number | Buffer>> = {
  message_payload: fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  sar_msg_ref_num: fc.integer({ min: 0, max: 0xffff }), sar_total_segments: octet, sar_segment_seqnum: octet,
  ussd_service_op: octet, its_session_info: fc.uint8Array({ minLength: 2, maxLength: 2 }).map((a) => Buffer.from(a)),
  user_message_reference: fc.integer({ min: 0, max: 0xffff }), receipted_message_id: ascii(64), message_state: octet,
  source_port: fc.integer({ min: 0, max: 0xffff }), dest_port: fc.integer({ min: 0, max: 0xffff }),
  network_error_code: fc.uint8Array({ minLength: 3, maxLength: 3 }).map((a) => Buffer.from(a)),
};
const COMMANDS = ['submit_sm', 'deliver_sm', 'data_sm', 'submit_sm_resp', 'deliver_sm_resp', 'data_sm_resp', 'enquire_link', 'unbind'];

const pduArb = fc.record({
  command: fc.constantFrom(...COMMANDS),
  seq: fc.integer({ min: 0, max: 0x7fffffff }),
  status: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 0xff }) }),
  body: fc.subarray(Object.keys(BODY)).chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, BODY[k]!])))),
  // In any order: node-smpp writes TLVs in the order the fields name them.
  tlvs: fc.shuffledSubarray(Object.keys(TLV)).chain((keys) => fc.tuple(...keys.map((k) => TLV[k]!.map((v) => [k, v] as const)))),
});

describe('pdu encoder (direct from node-smpp\'s tables)', () => {
  it('writes the octets node-smpp\'s own encoder writes, for any body, TLVs in any order and any status', () => {
    fc.assert(fc.property(pduArb, ({ command, seq, status, body, tlvs }) => {
      const fields: PduFields = { ...body, ...Object.fromEntries(tlvs) };
      expect(encodePdu(command, seq, fields, status).toString('hex')).toBe(encodeWithPdu(command, seq, fields, status).toString('hex'));
    }), { numRuns: 2000 });
  });

  it('leaves out a TLV whose value is undefined, as node-smpp\'s path does', () => {
    const fields = { destination_addr: '2', ussd_service_op: undefined, sar_msg_ref_num: 7 } as unknown as PduFields;
    expect(encodePdu('deliver_sm', 1, fields).toString('hex')).toBe(encodeWithPdu('deliver_sm', 1, fields).toString('hex'));
  });

  it('reads back what it wrote', () => {
    const frame = encodePdu('deliver_sm', 7, { source_addr: '232', destination_addr: '79160000001', data_coding: 8, short_message: Buffer.from([0x04, 0x1f]), ussd_service_op: 0x11, its_session_info: Buffer.from([1, 3]) });
    const d = decodePdu(frame);
    expect(d.ok && d.pdu).toMatchObject({ command: 'deliver_sm', sequence_number: 7, source_addr: '232', destination_addr: '79160000001', data_coding: 8, ussd_service_op: 0x11 });
    expect(frame.readUInt32BE(0)).toBe(frame.length);
  });
});

describe('status', () => {
  it('maps queue trouble to ESME_RMSGQFUL, malformed to ESME_RINVMSGLEN, anything else to ESME_RSYSERR', () => {
    expect(statusForError(new ScgwError('SCGW_REDIS_UNAVAILABLE', 'x'))).toBe(0x14);
    expect(statusForError(new ScgwError('SCGW_QUEUE_TIMEOUT', 'x'))).toBe(0x14);
    expect(statusForError(new ScgwError('SCGW_SMPP_MALFORMED', 'x'))).toBe(0x01);
    expect(statusForError(new ScgwError('SCGW_DB_LOCKED', 'x'))).toBe(0x08);
    expect(statusForError(new Error('x'))).toBe(0x08);
    expect(statusForError('a string')).toBe(0x08);
    expect(statusForError(new SmppStatusError(ESME.RTHROTTLED))).toBe(0x58);
    expect(statusForError(new SmppStatusError(ESME.ROK))).toBe(0x08); // never OK from a rejection
  });

  it('names statuses the 3.4 way and prints unknown ones as hex', () => {
    expect(statusName(0x0e)).toBe('ESME_RINVPASWD');
    expect(statusName(0x50)).toBe('ESME_RINVDSTTON');
    expect(statusName(0xc0)).toBe('ESME_RINVOPTPARSTREAM');
    expect(statusName(0x400)).toBe('0x00000400');
  });
});
