/**
 * 6D's USSD gateway, as Vumi's `sixdee` processor speaks to it (PROTOCOL.md §5 table): the dialogue id is the upper
 * 15 bits of its_session_info and bit 0 is end-of-session (set by the gateway when the user hung up, by us on the
 * last screen); ops 0x01 open, 0x12 continue, 0x81 user abort; we answer a screen with 0x02 and end with 0x17 plus the
 * end bit (Vumi writes the op as the hex string "17": 0x17 on the wire; confirm per link on a capture, it is data).
 * Fixtures: test/fixtures/pdus/sixdee/.
 */
import { standard } from './standard.js';
import { withUssdWire } from './ussd-wire.js';

export const sixdee = withUssdWire('sixdee', standard, {
  inbound: { open: [0x01], continue: [0x12], abort: [0x81] },
  outbound: { screen: 0x02, final: 0x17 },
  session: { in: 'its_session_info', shift: 1 },
});
