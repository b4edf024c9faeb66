/**
 * A USSD reply is ONE PDU, never concatenated: a screen is at most 160 octets, 182 GSM-7 or 80 UCS-2 characters
 * (3GPP TS 29.002 §17.7.4; PROTOCOL.md §5). Longer text is cut to one screen and marked (actions/ussd-screen.ts),
 * so the peer never sees a UDH or SAR on a USSD dialogue.
 */
import { fitUssdScreen } from '../../actions/ussd-screen.js';
import type { OutboundPdu, PduTlvs } from '../../smpp/types.js';
import type { ReplyTlvs } from '../jobs.js';
import { gsm7Encode, gsm7Pack, ucs2Encode } from '../../text/index.js';

export function ussdScreenPdu(
  body: string,
  addresses: Pick<OutboundPdu, 'source' | 'destination'>,
  tlvs: ReplyTlvs,
  link: { gsm7Packed?: boolean; dc0?: 'gsm7' | 'latin1' } | undefined,
): OutboundPdu {
  // A link where data_coding 0 means Latin-1 cannot carry GSM-7 at 0: UCS-2 there (as mt/worker.ts does for SMS).
  const forceUcs2 = link?.dc0 === 'latin1';
  const text = fitUssdScreen(body, forceUcs2);
  const septets = forceUcs2 ? null : gsm7Encode(text);
  const shortMessage = septets ? (link?.gsm7Packed ? gsm7Pack(septets) : septets) : ucs2Encode(text);
  // The vendor's dialogue id rides beside the TLVs; the link's profile puts it where its gateway keeps it.
  const { ussdSession, ...wire } = tlvs;
  const pduTlvs: PduTlvs = wire;
  return { ...addresses, esmClass: 0, dataCoding: septets ? 0 : 8, shortMessage, tlvs: pduTlvs, ...(ussdSession === undefined ? {} : { ussdSession }) };
}
