/**
 * The values smpp/ hands to the rest of scgw and takes back from it. Octets stay octets: short_message and
 * message_payload are the bytes on the wire (UDH included); text/ decodes them with the link's settings.
 */

export type BindKind = 'transceiver' | 'transmitter' | 'receiver';

export interface Address {
  addr: string;
  ton: number;
  npi: number;
}

/** The optional parameters (SMPP 3.4 §5.3.2) scgw reads and writes; well-formed unknown TLVs are ignored. */
export interface PduTlvs {
  messagePayload?: Buffer;
  sarMsgRefNum?: number;
  sarTotalSegments?: number;
  sarSegmentSeqnum?: number;
  ussdServiceOp?: number;
  /** its_session_info 0x1383 as a 16-bit number: session number in the high octet, sequence (and end bit) in the low. */
  itsSessionInfo?: number;
  userMessageReference?: number;
  receiptedMessageId?: string;
  messageState?: number;
  sourcePort?: number;
  destinationPort?: number;
}

export interface InboundMessage {
  /** A nanoid per session (per bind), so sequence numbers never collide across rebinds. */
  sessionId: string;
  link: string;
  commandId: 'submit_sm' | 'deliver_sm' | 'data_sm';
  sequenceNumber: number;
  serviceType: string;
  source: Address;
  destination: Address;
  esmClass: number;
  protocolId: number;
  dataCoding: number;
  registeredDelivery: number;
  /**
   * Raw short_message, UDH included. Empty when the text came in message_payload (then sm_length was 0,
   * SMPP 3.4 §5.3.2.32) and always empty for data_sm, which has no short_message.
   */
  shortMessage: Buffer;
  tlvs: PduTlvs;
  /**
   * A USSD dialogue as the vendor profile found it (smpp/vendors/ussd-wire.ts): its id wherever the gateway keeps it,
   * and whether the gateway ended it (the user hung up). Unset on the standard profile: its_session_info is used as is.
   */
  ussd?: { session: number; end: boolean };
  receivedAt: number;
}

export interface OutboundPdu {
  serviceType?: string;
  source: Address;
  destination: Address;
  esmClass: number;
  dataCoding: number;
  registeredDelivery?: number;
  /** At most 254 octets (node-smpp throws at 256; SMPP 3.4 sm_length 0–254); longer content goes in tlvs.messagePayload. */
  shortMessage: Uint8Array;
  tlvs?: PduTlvs;
  /** The USSD dialogue id to answer on, for a vendor profile that keeps it outside its_session_info (InboundMessage.ussd). */
  ussdSession?: number;
}

export interface SendResult {
  /** The response's command_status; non-zero is returned, not thrown: the caller decides (retry, throttle, fail). */
  status: number;
  messageId: string;
}

/**
 * ok: the bind may proceed, unless the link already has maxSessions bound sessions on this node (the listener
 * checks that itself, atomically with marking the session bound). Not ok: `reason` is for logs and metrics only;
 * the peer sees `status` alone.
 */
export type AuthResult = { ok: true; link: string; window: number; maxSessions?: number; /** The link's vendor profile name (smpp/vendors). */ vendor?: string } | { ok: false; status: number; reason?: string };

export interface AuthRequest {
  systemId: string;
  password: string;
  bindKind: BindKind;
  remoteAddress: string;
  addressRange: string;
}
