/**
 * Mica's USSD gateway, as Vumi's `mica` processor speaks to it (vumi#882; PROTOCOL.md §5 table): plain SMPP 3.4 for
 * the message itself, the dialogue id in user_message_reference 0x0204 (not its_session_info), no end bit: the
 * gateway opens with op 0x01, continues with 0x12 and reports a hang-up with 0x81; we answer a screen with 0x02 and
 * end the dialogue with 0x17. (Vumi writes ops as hex strings, so its "17" is 0x17 on the wire; vumi#882 documents
 * 0x11. Confirm on a capture per link: the value is data here, one line to change.)
 * Fixtures: test/fixtures/pdus/mica/.
 */
import { standard } from './standard.js';
import { withUssdWire } from './ussd-wire.js';

export const mica = withUssdWire('mica', standard, {
  inbound: { open: [0x01], continue: [0x12], abort: [0x81] },
  outbound: { screen: 0x02, final: 0x17 },
  session: { in: 'tlv', tlv: { name: 'user_message_reference', id: 0x0204, type: 'int16' } },
});
