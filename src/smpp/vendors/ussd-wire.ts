/**
 * USSD gateways disagree on the wire (PROTOCOL.md §5's table): which ussd_service_op values open, continue and abort a
 * dialogue, which value our final reply carries, and where the dialogue id lives (its_session_info with an end bit,
 * user_message_reference, a TLV of their own). A vendor says so as DATA (UssdWire) and `withUssdWire` turns the data
 * into the profile's two functions around the standard reader and shaper, so a new gateway is a data file.
 *
 * The rest of scgw sees one normalised form, the spec-style one: ussd_service_op 0x01 (open) / 0x12 (continue) on
 * the way in, 0x02 (screen) / 0x11 (final) on the way out, plus InboundMessage.ussd = { session, end } and
 * OutboundPdu.ussdSession for the dialogue id. The standard profile does no mapping at all (its_session_info is
 * echoed as it came).
 */
import { ScgwError } from '../../errors.js';
import { fieldNumber, registerTlv, type DecodedPdu, type PduFields, type TlvType } from '../pdu.js';
import type { OutboundPdu } from '../types.js';
import type { InboundContext, ReadResult, VendorProfile } from './contract.js';

/** A TLV a vendor uses (SMPP 3.4 §5.3.2: 0x1400–0x3FFF are vendor-specific); registered with the codec by name. */
export interface VendorTlv { name: string; id: number; type: TlvType }

export interface UssdWire {
  /** ussd_service_op values the gateway sends, by meaning. */
  inbound: { open: readonly number[]; continue: readonly number[]; abort: readonly number[] };
  /** ussd_service_op values we answer with. */
  outbound: { screen: number; final: number };
  /**
   * Where the dialogue id lives. its_session_info: the id is the 16-bit value shifted right by `shift`, bit 0 is
   * end-of-session (set on our final reply; set by the gateway when the user hung up). tlv: the whole value of that
   * TLV is the id (an integer TLV); the end is signalled by the op alone.
   */
  session: { in: 'its_session_info'; shift: number } | { in: 'tlv'; tlv: VendorTlv };
}

/** its_session_info bit 0: end of session (SMPP 3.4 §5.3.2.43). */
const END_BIT = 0x0001;
/** The normalised ops (actions/ussd-menu.ts USSD_OP). */
const OP = { open: 0x01, continue: 0x12, screen: 0x02, final: 0x11 } as const;

export function withUssdWire(name: string, base: VendorProfile, wire: UssdWire, tlvs: readonly VendorTlv[] = []): VendorProfile {
  for (const t of [...tlvs, ...(wire.session.in === 'tlv' ? [wire.session.tlv] : [])]) registerTlv(t);
  const sessionTlv = wire.session.in === 'tlv' ? wire.session.tlv : null;

  function readInbound(pdu: DecodedPdu, ctx: InboundContext): ReadResult {
    const read = base.readInbound(pdu, ctx);
    if (!read.ok) return read;
    const op = read.msg.tlvs.ussdServiceOp;
    if (op === undefined) return read; // an SMS on a USSD link
    const its = read.msg.tlvs.itsSessionInfo;
    const session = sessionTlv ? fieldNumber(pdu, sessionTlv.name) : its === undefined ? undefined : its >> (wire.session as { shift: number }).shift;
    const hungUp = !sessionTlv && its !== undefined && (its & END_BIT) !== 0;
    const meaning = wire.inbound.open.includes(op) ? 'open' : wire.inbound.continue.includes(op) ? 'continue' : wire.inbound.abort.includes(op) ? 'abort' : null;
    // An op the profile does not name is the gateway's own (vendor range 32–255): answered like any bad value.
    if (meaning === null) return { ok: false, status: 0xc4, reason: `ussd_service_op ${op} is not one ${name} sends` }; // ESME_RINVOPTPARAMVAL
    const tlvsOut = { ...read.msg.tlvs, ussdServiceOp: meaning === 'open' ? OP.open : OP.continue };
    const end = meaning === 'abort' || (meaning === 'continue' && hungUp);
    return { ok: true, msg: { ...read.msg, tlvs: tlvsOut, ...(session === undefined ? {} : { ussd: { session, end } }) } };
  }

  function shapeOutbound(pdu: OutboundPdu): PduFields {
    const op = pdu.tlvs?.ussdServiceOp;
    if (op === undefined) return base.shapeOutbound(pdu);
    if (op !== OP.screen && op !== OP.final) throw new ScgwError('SCGW_SMPP_MALFORMED', `ussd_service_op ${op}: a reply is a screen (0x02) or final (0x11)`);
    const final = op === OP.final;
    const { itsSessionInfo: _echo, ...tlvs } = pdu.tlvs ?? {};
    const fields = base.shapeOutbound({ ...pdu, tlvs: { ...tlvs, ussdServiceOp: final ? wire.outbound.final : wire.outbound.screen } });
    const session = pdu.ussdSession;
    if (session === undefined) return fields;
    if (sessionTlv) return { ...fields, [sessionTlv.name]: session };
    const its = ((session << (wire.session as { shift: number }).shift) | (final ? END_BIT : 0)) & 0xffff;
    const b = Buffer.alloc(2);
    b.writeUInt16BE(its, 0);
    return { ...fields, its_session_info: b };
  }

  return { name, readInbound, shapeOutbound };
}
