import { describe, expect, it } from 'vitest';
import { ScgwError } from '../../src/errors.js';
import { compactFields, decodePdu, encodePdu, headerOnly, tlvFields } from '../../src/smpp/pdu.js';
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
