/**
 * What every VendorProfile must do, run by each test/smpp/vendors/<vendor>.test.ts: what shapeOutbound writes,
 * readInbound reads back octet for octet; oversize or ambiguous content is refused; a truncated body is a
 * status, not a crash.
 */
import { describe, expect, it } from 'vitest';
import { decodePdu, encodePdu, type DecodedPdu } from '../../../src/smpp/pdu.js';
import { ESME, type OutboundPdu, type VendorProfile } from '../../../src/smpp/index.js';
import { CMD, rawPdu } from '../../support/smpp-peer.js';

const ctx = { sessionId: 'sess-1', link: 'link-a', receivedAt: 1_700_000_000_000 };

function decoded(frame: Buffer): DecodedPdu {
  const d = decodePdu(frame);
  if (!d.ok) throw new Error(d.reason);
  return d.pdu;
}

/**
 * `ussdMapped`: the profile maps USSD ops and the dialogue id to its own wire form (smpp/vendors/ussd-wire.ts), so the
 * plain round trip leaves them out; its own test checks the mapping against fixtures.
 */
export function vendorConformance(profile: VendorProfile, opts: { ussdMapped?: boolean } = {}): void {
  describe(`vendor profile ${profile.name}: conformance`, () => {
    const out: OutboundPdu = {
      serviceType: 'USSD',
      source: { addr: '232', ton: 3, npi: 0 },
      destination: { addr: '79161234567', ton: 1, npi: 1 },
      esmClass: 0x40,
      dataCoding: 8,
      registeredDelivery: 1,
      shortMessage: new Uint8Array([0x05, 0x00, 0x03, 0x11, 0x02, 0x02, 0x04, 0x3f]),
      tlvs: opts.ussdMapped
        ? { sarMsgRefNum: 0x11, sarTotalSegments: 2, sarSegmentSeqnum: 2, userMessageReference: 99, sourcePort: 1, destinationPort: 2 }
        : { sarMsgRefNum: 0x11, sarTotalSegments: 2, sarSegmentSeqnum: 2, ussdServiceOp: 17, itsSessionInfo: 0x0a01, userMessageReference: 99, sourcePort: 1, destinationPort: 2 },
    };

    it.each(['submit_sm', 'deliver_sm'] as const)('reads back what it shaped for %s, octets and TLVs included', (command) => {
      const r = profile.readInbound(decoded(encodePdu(command, 12, profile.shapeOutbound(out))), ctx);
      if (!r.ok) throw new Error(r.reason);
      expect(Buffer.from(r.msg.shortMessage).equals(Buffer.from(out.shortMessage))).toBe(true);
      expect(r.msg).toMatchObject({ ...ctx, commandId: command, sequenceNumber: 12, serviceType: 'USSD', source: out.source, destination: out.destination, esmClass: 0x40, dataCoding: 8, registeredDelivery: 1, tlvs: out.tlvs });
    });

    it('refuses to shape a short_message over 254 octets, or one beside message_payload', () => {
      expect(() => profile.shapeOutbound({ ...out, tlvs: {}, shortMessage: new Uint8Array(255) })).toThrow(expect.objectContaining({ code: 'SCGW_SMPP_MALFORMED' }));
      expect(() => profile.shapeOutbound({ ...out, tlvs: { messagePayload: Buffer.from('x') } })).toThrow(expect.objectContaining({ code: 'SCGW_SMPP_MALFORMED' }));
    });

    it('gives a status, not a throw, for a truncated body', () => {
      const r = profile.readInbound(decoded(rawPdu(CMD.submit_sm, 3, Buffer.from([0]))), ctx);
      expect(r).toMatchObject({ ok: false, status: ESME.RINVMSGLEN });
    });
  });
}
