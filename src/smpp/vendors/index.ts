/**
 * The vendor contract (after Kannel's gw/smscconn_p.h): a VendorProfile is pure functions that know where a
 * vendor puts things in a PDU. readInbound turns a decoded submit_sm / deliver_sm / data_sm into an
 * InboundMessage, or names the command_status to refuse it with; shapeOutbound turns an OutboundPdu into
 * node-smpp fields (no undefined values; short_message ≤ 254 octets or it throws SCGW_SMPP_MALFORMED).
 * No I/O, no clock (receivedAt comes in), no logger. A new vendor is one file plus one registry line.
 */
import type { DecodedPdu, PduFields } from '../pdu.js';
import type { InboundMessage, OutboundPdu } from '../types.js';
import { standard } from './standard.js';

export interface InboundContext {
  sessionId: string;
  link: string;
  receivedAt: number;
}

export type ReadResult = { ok: true; msg: InboundMessage } | { ok: false; status: number; reason: string };

export interface VendorProfile {
  readonly name: string;
  readInbound(pdu: DecodedPdu, ctx: InboundContext): ReadResult;
  shapeOutbound(pdu: OutboundPdu): PduFields;
}

export const vendors = { standard } as const satisfies Record<string, VendorProfile>;

export type VendorName = keyof typeof vendors;

export function isVendorName(name: string): name is VendorName {
  return Object.hasOwn(vendors, name);
}
