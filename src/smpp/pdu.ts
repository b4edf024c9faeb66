/**
 * The one importer of node-smpp, used here as a PDU codec only (LIBRARIES §2). On import it strips the text
 * filters, so short_message and message_payload are Buffers both ways (node-smpp #30, #66, #68), and makes sure
 * every TLV we read or write is registered (unregistered TLVs are silently dropped on send, #231). Both are
 * global to node-smpp, which is why they live in exactly this module.
 */
import smpp from 'smpp';
import { ScgwError } from '../errors.js';
import { ESME } from './status.js';
import type { PduTlvs } from './types.js';

for (const command of ['submit_sm', 'deliver_sm', 'submit_multi', 'replace_sm']) {
  const param = smpp.commands[command]?.params?.short_message;
  if (param) delete param.filter;
}
const payloadTlv = smpp.tlvs.message_payload;
if (payloadTlv) delete payloadTlv.filter; // the only TLV with the text filter

/** PduTlvs key → node-smpp TLV name, tag [S34 §5.3.2] and codec. node-smpp 0.5.1 has them all; register any it lacks. */
const TLVS = {
  messagePayload: { name: 'message_payload', id: 0x0424, type: 'buffer' },
  sarMsgRefNum: { name: 'sar_msg_ref_num', id: 0x020c, type: 'int16' },
  sarTotalSegments: { name: 'sar_total_segments', id: 0x020e, type: 'int8' },
  sarSegmentSeqnum: { name: 'sar_segment_seqnum', id: 0x020f, type: 'int8' },
  ussdServiceOp: { name: 'ussd_service_op', id: 0x0501, type: 'int8' },
  itsSessionInfo: { name: 'its_session_info', id: 0x1383, type: 'buffer' },
  userMessageReference: { name: 'user_message_reference', id: 0x0204, type: 'int16' },
  receiptedMessageId: { name: 'receipted_message_id', id: 0x001e, type: 'cstring' },
  messageState: { name: 'message_state', id: 0x0427, type: 'int8' },
  sourcePort: { name: 'source_port', id: 0x020a, type: 'int16' },
  destinationPort: { name: 'dest_port', id: 0x020b, type: 'int16' },
} as const satisfies Record<keyof PduTlvs, { name: string; id: number; type: 'int8' | 'int16' | 'cstring' | 'buffer' }>;

export type TlvType = 'int8' | 'int16' | 'cstring' | 'buffer';

/**
 * Teaches the codec a TLV by name (node-smpp keeps its TLV table in module state, like the filter strip above, so it
 * is done here and nowhere else). A tag it knows already keeps its definition. Vendor profiles register theirs
 * (smpp/vendors/ussd-wire.ts): node-smpp drops a TLV it has no definition for on send (LIBRARIES §2, #231).
 */
export function registerTlv(t: { name: string; id: number; type: TlvType }): void {
  if (!smpp.tlvsById[t.id]) smpp.addTLV(t.name, { id: t.id, type: smpp.types.tlv[t.type] });
}

for (const t of [...Object.values(TLVS), { name: 'network_error_code', id: 0x0423, type: 'buffer' } as const]) registerTlv(t);

export const HEADER_LENGTH = 16;
/** node-smpp refuses to decode anything longer (PDU.maxLength); our framing cap may be lower, never higher. */
export const CODEC_MAX_PDU_LENGTH: number = smpp.PDU.maxLength;
/**
 * Our default framing cap: node-smpp's own. Kannel stops at 7424; 16384 lets a message_payload of ~16 KB
 * through. A full 64 KB payload would need node-smpp's PDU.maxLength lifted, which we do not do.
 */
export const DEFAULT_MAX_PDU_LENGTH = 16384;
/** SMPP 3.4 sm_length is 0–254; node-smpp throws a RangeError from 256 on. Beyond: message_payload. */
export const MAX_SHORT_MESSAGE = 254;
export const GENERIC_NACK = 0x80000000;

/** node-smpp field names ("destination_addr", "message_payload") → values; never an undefined value. */
export type PduFields = Record<string, string | number | Buffer>;

/** A decoded PDU. Every body field is `unknown`: a truncated body leaves any of them undefined (LIBRARIES §2). */
export interface DecodedPdu {
  command: string;
  command_id: number;
  command_status: number;
  sequence_number: number;
  [field: string]: unknown;
}

export type DecodeResult =
  | { ok: true; pdu: DecodedPdu }
  | { ok: false; commandId: number; sequenceNumber: number; status: number; reason: string };

/** Decodes one whole, framed PDU (command_length already checked by the reader). Never throws. */
export function decodePdu(frame: Buffer): DecodeResult {
  try {
    return { ok: true, pdu: new smpp.PDU(frame) as DecodedPdu };
  } catch (e) {
    // node-smpp reads a TLV that runs past the end with readUInt*, which throws RangeError; the other throw
    // we know of is its relative-time filter on a short "…R" value.
    const status = e instanceof RangeError ? ESME.RINVOPTPARSTREAM : ESME.RINVMSGLEN;
    return { ok: false, commandId: frame.readUInt32BE(4), sequenceNumber: frame.readUInt32BE(12), status, reason: String(e) };
  }
}

/** Encodes a PDU; a non-zero status gives a header-only PDU. Throws ScgwError SCGW_SMPP_MALFORMED, never node-smpp's own throws. */
export function encodePdu(command: string, sequenceNumber: number, fields: PduFields = {}, status = 0): Buffer {
  const def = smpp.commands[command];
  if (!def) throw new ScgwError('SCGW_SMPP_MALFORMED', `unknown SMPP command ${command}`);
  const sm = fields.short_message;
  if (Buffer.isBuffer(sm) && sm.length > MAX_SHORT_MESSAGE) {
    throw new ScgwError('SCGW_SMPP_MALFORMED', `short_message is ${sm.length} octets, over ${MAX_SHORT_MESSAGE}; use message_payload`);
  }
  try {
    return encodeDirect(def, sequenceNumber, fields, status) ?? encodeWithPdu(command, sequenceNumber, fields, status);
  } catch (e) {
    throw new ScgwError('SCGW_SMPP_MALFORMED', `cannot encode ${command}: ${String(e)}`, { cause: e });
  }
}

/** node-smpp's own encoder: a PDU object, its filters, then toBuffer. The reference for encodeDirect. */
export function encodeWithPdu(command: string, sequenceNumber: number, fields: PduFields, status = 0): Buffer {
  return new smpp.PDU(command, { ...compactFields(fields), sequence_number: sequenceNumber, command_status: status }).toBuffer();
}

type SmppCommand = NonNullable<(typeof smpp.commands)[string]>;
type FieldCodec = NonNullable<SmppCommand['params']>[string]['type'];

/**
 * The same octets as encodeWithPdu, written straight from node-smpp's tables and field codecs: the body fields in
 * the command's order (a missing one as its default), then the TLVs in the order given. It skips the PDU object,
 * whose filters walk every key twice: a reply and an ack are most of what the gateway encodes. Returns undefined
 * (node-smpp's encoder is used) where a filter would change a value: a non-empty time field, a TLV with a filter,
 * a repeatable TLV. test/smpp/pdu.test.ts checks it against encodeWithPdu on arbitrary PDUs.
 */
function encodeDirect(def: SmppCommand, sequenceNumber: number, fields: PduFields, status = 0): Buffer | undefined {
  if (status !== 0) return headerOnly(def.id, status, sequenceNumber);
  const params = def.params ?? {};
  // What is written, in order: [tag (TLVs only), codec, value, size]; the size is taken once.
  const parts: Array<[number | undefined, FieldCodec, unknown, number]> = [];
  let length = HEADER_LENGTH;
  for (const key in params) {
    const param = params[key]!;
    const given = fields[key];
    if (param.filter && given !== undefined && given !== '') return undefined;
    const v = given ?? ('default' in param ? param.default : param.type.default);
    const size = param.type.size(v);
    parts.push([undefined, param.type, v, size]);
    length += size;
  }
  for (const key in fields) {
    const tlv = smpp.tlvs[key];
    const v = fields[key];
    // An undefined value is left out, as compactFields leaves it out for node-smpp.
    if (!tlv || key in params || v === undefined) continue;
    if (tlv.filter || tlv.multiple) return undefined;
    const size = tlv.type.size(v);
    parts.push([tlv.id, tlv.type, v, size]);
    length += 4 + size;
  }
  const b = Buffer.allocUnsafe(length);
  b.writeUInt32BE(length, 0);
  b.writeUInt32BE(def.id >>> 0, 4);
  b.writeUInt32BE(0, 8);
  b.writeUInt32BE(sequenceNumber >>> 0, 12);
  let offset = HEADER_LENGTH;
  for (const [tag, type, v, size] of parts) {
    if (tag !== undefined) {
      b.writeUInt16BE(tag, offset);
      b.writeUInt16BE(size, offset + 2);
      offset += 4;
    }
    type.write(v, b, offset);
    offset += size;
  }
  return b;
}

/** A 16-octet PDU: generic_nack, an error *_resp (SMPP 3.4 sends no body with one), enquire_link, unbind. */
export function headerOnly(commandId: number, status: number, sequenceNumber: number): Buffer {
  const b = Buffer.alloc(HEADER_LENGTH);
  b.writeUInt32BE(HEADER_LENGTH, 0);
  b.writeUInt32BE(commandId >>> 0, 4);
  b.writeUInt32BE(status >>> 0, 8);
  b.writeUInt32BE(sequenceNumber >>> 0, 12);
  return b;
}

export function isResponseId(commandId: number): boolean {
  return (commandId & GENERIC_NACK) !== 0;
}

/** The _resp command_id for a request, or undefined for requests that get none (alert_notification, outbind). */
export function responseIdFor(commandId: number): number | undefined {
  const respId = (commandId | GENERIC_NACK) >>> 0;
  return smpp.commandsById[respId] ? respId : undefined;
}

/** Drops undefined values: node-smpp's encoder throws a TypeError on an undefined TLV (#229/#256). */
export function compactFields(fields: Record<string, string | number | Buffer | undefined>): PduFields {
  const out: PduFields = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

/** A Buffer view of the same octets (node-smpp calls Buffer#copy, which a plain Uint8Array lacks). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function tlvFields(tlvs: PduTlvs | undefined): PduFields {
  const out: PduFields = {};
  if (!tlvs) return out;
  for (const key of Object.keys(TLVS) as (keyof PduTlvs)[]) {
    const v = tlvs[key];
    if (v === undefined) continue;
    const name = TLVS[key].name;
    if (key === 'itsSessionInfo' && typeof v === 'number') {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(v & 0xffff, 0);
      out[name] = b;
    } else {
      out[name] = v instanceof Uint8Array ? asBuffer(v) : v;
    }
  }
  return out;
}

export function readTlvs(pdu: DecodedPdu): PduTlvs {
  const t: PduTlvs = {};
  const payload = pdu.message_payload;
  if (Buffer.isBuffer(payload)) t.messagePayload = payload;
  const its = pdu.its_session_info;
  if (Buffer.isBuffer(its) && its.length === 2) t.itsSessionInfo = its.readUInt16BE(0);
  const receipted = pdu.receipted_message_id;
  if (typeof receipted === 'string') t.receiptedMessageId = receipted;
  const numeric = ['sarMsgRefNum', 'sarTotalSegments', 'sarSegmentSeqnum', 'ussdServiceOp', 'userMessageReference', 'messageState', 'sourcePort', 'destinationPort'] as const;
  for (const key of numeric) {
    const v = pdu[TLVS[key].name];
    if (typeof v === 'number') t[key] = v;
  }
  return t;
}

export function fieldString(pdu: DecodedPdu, name: string): string | undefined {
  const v = pdu[name];
  return typeof v === 'string' ? v : undefined;
}

export function fieldNumber(pdu: DecodedPdu, name: string): number | undefined {
  const v = pdu[name];
  return typeof v === 'number' ? v : undefined;
}

export function fieldBuffer(pdu: DecodedPdu, name: string): Buffer | undefined {
  const v = pdu[name];
  return Buffer.isBuffer(v) ? v : undefined;
}
