/** The vendor contract's types (index.ts explains it); apart so profile builders (ussd-wire.ts) need not import the registry. */
import type { DecodedPdu, PduFields } from '../pdu.js';
import type { InboundMessage, OutboundPdu } from '../types.js';

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
