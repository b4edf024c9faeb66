/**
 * smpp/ is the protocol edge. It turns PDUs into InboundMessage values for a callback and acks a message only
 * after that callback's promise resolved (the message is durable by then); a rejection becomes a non-zero
 * command_status, never ESME_ROK. It sends OutboundPdu values through windowed sessions. It knows no queue,
 * table or route, and never decodes text: short_message and message_payload are raw octets.
 * It imports errors.ts and log.ts only (never bullmq, ioredis, drizzle-orm, db/ or pipeline/); node-smpp is
 * reached through pdu.ts alone.
 */
export { createSmppServer, SYSTEM_ID, type SmppServer, type SmppServerDeps } from './server.js';
export { createSmppClient, type SmppClient, type SmppClientOptions } from './client.js';
export { SmppSession, type SessionState } from './session.js';
export { RequestWindow, type WindowOptions } from './window.js';
export { ESME, SmppStatusError, statusForError, statusName, type StatusName } from './status.js';
export { DEFAULT_MAX_PDU_LENGTH, MAX_SHORT_MESSAGE } from './pdu.js';
export { vendors, isVendorName, vendorOf, VENDOR_NAMES, type VendorProfile, type VendorName, type ReadResult, type InboundContext } from './vendors/index.js';
export type { Address, AuthRequest, AuthResult, BindKind, InboundMessage, OutboundPdu, PduTlvs, SendResult } from './types.js';
