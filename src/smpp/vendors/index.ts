/**
 * The vendor contract (after Kannel's gw/smscconn_p.h): a VendorProfile is pure functions that know where a
 * vendor puts things in a PDU. readInbound turns a decoded submit_sm / deliver_sm / data_sm into an
 * InboundMessage, or names the command_status to refuse it with; shapeOutbound turns an OutboundPdu into
 * node-smpp fields (no undefined values; short_message ≤ 254 octets or it throws SCGW_SMPP_MALFORMED).
 * No I/O, no clock (receivedAt comes in), no logger. A new vendor is one file plus one registry line; a USSD
 * dialect is data for ussd-wire.ts (ops, the dialogue id's place, its TLVs, which are taught to the codec once, in
 * pdu.ts's registerTlv, when the profile is built: the one kind of import-time work smpp/ does, like the filter strip).
 */
import { mica } from './mica.js';
import { sixdee } from './sixdee.js';
import { standard } from './standard.js';

export type { InboundContext, ReadResult, VendorProfile } from './contract.js';
import type { VendorProfile } from './contract.js';

/** The registry: a link's `vendor` names one of these (validated by the admin API, import and the CLI). */
export const vendors = { standard, mica, sixdee } as const satisfies Record<string, VendorProfile>;

export type VendorName = keyof typeof vendors;

export const VENDOR_NAMES: readonly VendorName[] = Object.keys(vendors) as VendorName[];

export function isVendorName(name: string): name is VendorName {
  return Object.hasOwn(vendors, name);
}

/** A link's profile; an unknown name (a row older than the registry check) is standard, as before. */
export function vendorOf(name: string | undefined): VendorProfile {
  return name !== undefined && isVendorName(name) ? vendors[name] : vendors.standard;
}
