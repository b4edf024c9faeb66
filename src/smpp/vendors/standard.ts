/**
 * Plain SMPP 3.4: the text is in short_message, or in message_payload with sm_length 0 [S34 §5.3.2.32];
 * USSD rides in ussd_service_op / its_session_info as the spec names them. Pure functions.
 */
import { ScgwError } from '../../errors.js';
import {
  MAX_SHORT_MESSAGE, asBuffer, compactFields, fieldBuffer, fieldNumber, fieldString, readTlvs, tlvFields,
  type DecodedPdu, type PduFields,
} from '../pdu.js';
import { ESME } from '../status.js';
import type { InboundMessage, OutboundPdu } from '../types.js';

const EMPTY: Buffer = Buffer.alloc(0);
const MESSAGE_COMMANDS = new Set(['submit_sm', 'deliver_sm', 'data_sm']);

function refuse(status: number, reason: string) {
  return { ok: false as const, status, reason };
}

function readInbound(pdu: DecodedPdu, info: { sessionId: string; link: string; receivedAt: number }) {
  const command = pdu.command;
  if (!MESSAGE_COMMANDS.has(command)) return refuse(ESME.RINVCMDID, `${command} carries no message`);
  const destination = fieldString(pdu, 'destination_addr');
  const dataCoding = fieldNumber(pdu, 'data_coding');
  // node-smpp parses a truncated body anyway and leaves the missing fields undefined (LIBRARIES §2).
  if (destination === undefined || dataCoding === undefined) return refuse(ESME.RINVMSGLEN, 'body ends before the mandatory fields do');
  if (destination === '') return refuse(ESME.RINVDSTADR, 'empty destination_addr');
  const tlvs = readTlvs(pdu);
  let shortMessage: Buffer = EMPTY; // data_sm has no short_message field [S34 §4.7.1]
  if (command !== 'data_sm') {
    const sm = fieldBuffer(pdu, 'short_message');
    if (sm === undefined) return refuse(ESME.RINVMSGLEN, 'body ends before short_message');
    // Policy: sm_length must be 0 when message_payload is present [S34 §5.3.2.32]; with both, which one is the
    // message is a guess, so refuse rather than route half of it.
    if (sm.length > 0 && tlvs.messagePayload !== undefined) return refuse(ESME.RINVMSGLEN, 'both short_message and message_payload');
    shortMessage = sm;
  }
  const msg: InboundMessage = {
    sessionId: info.sessionId,
    link: info.link,
    commandId: command as InboundMessage['commandId'],
    sequenceNumber: pdu.sequence_number,
    serviceType: fieldString(pdu, 'service_type') ?? '',
    source: {
      addr: fieldString(pdu, 'source_addr') ?? '',
      ton: fieldNumber(pdu, 'source_addr_ton') ?? 0,
      npi: fieldNumber(pdu, 'source_addr_npi') ?? 0,
    },
    destination: { addr: destination, ton: fieldNumber(pdu, 'dest_addr_ton') ?? 0, npi: fieldNumber(pdu, 'dest_addr_npi') ?? 0 },
    esmClass: fieldNumber(pdu, 'esm_class') ?? 0,
    protocolId: fieldNumber(pdu, 'protocol_id') ?? 0,
    dataCoding,
    registeredDelivery: fieldNumber(pdu, 'registered_delivery') ?? 0,
    shortMessage,
    tlvs,
    receivedAt: info.receivedAt,
  };
  return { ok: true as const, msg };
}

function shapeOutbound(pdu: OutboundPdu): PduFields {
  const sm = asBuffer(pdu.shortMessage);
  if (sm.length > MAX_SHORT_MESSAGE) {
    throw new ScgwError('SCGW_SMPP_MALFORMED', `short_message is ${sm.length} octets, over ${MAX_SHORT_MESSAGE}; use tlvs.messagePayload`);
  }
  if (sm.length > 0 && pdu.tlvs?.messagePayload !== undefined) {
    throw new ScgwError('SCGW_SMPP_MALFORMED', 'short_message and message_payload together [S34 §5.3.2.32]');
  }
  return {
    ...compactFields({
      service_type: pdu.serviceType ?? '',
      source_addr_ton: pdu.source.ton,
      source_addr_npi: pdu.source.npi,
      source_addr: pdu.source.addr,
      dest_addr_ton: pdu.destination.ton,
      dest_addr_npi: pdu.destination.npi,
      destination_addr: pdu.destination.addr,
      esm_class: pdu.esmClass,
      registered_delivery: pdu.registeredDelivery ?? 0,
      data_coding: pdu.dataCoding,
      short_message: sm,
    }),
    ...tlvFields(pdu.tlvs),
  };
}

export const standard = { name: 'standard', readInbound, shapeOutbound };
