import { describe, expect, it } from 'vitest';
import { decodePdu } from '../../../src/smpp/pdu.js';
import { vendors } from '../../../src/smpp/index.js';
import { vendorConformance } from './conformance.js';
import { fixtureHex, fixtureSuite } from './fixtures.js';

vendorConformance(vendors.sixdee, { ussdMapped: true });

describe('vendor profile sixdee: the dialogue in its_session_info\'s upper 15 bits, the end in bit 0 and op 0x17', () => {
  fixtureSuite(vendors.sixdee, 'sixdee', {
    open: { op: 0x01, its: 0x02a5 << 1, ussd: { session: 0x02a5, end: false } },
    continue: { op: 0x12, its: 0x02a5 << 1, ussd: { session: 0x02a5, end: false } },
    hangup: { op: 0x12, ussd: { session: 0x02a5, end: true } },
    // What the pipeline hands over (the spec-style echo) is replaced by the profile's own layout.
    replies: { session: { ussdSession: 0x02a5 }, screenIts: 0x0704, finalIts: 0x0705 },
  });

  it('reads a user abort (op 0x81) as the end of the dialogue', () => {
    const d = decodePdu(fixtureHex('sixdee/abort.hex'));
    if (!d.ok) throw new Error(d.reason);
    const r = vendors.sixdee.readInbound(d.pdu, { sessionId: 's', link: 'l', receivedAt: 0 });
    expect(r).toMatchObject({ ok: true, msg: { tlvs: { ussdServiceOp: 0x12 }, ussd: { session: 0x02a5, end: true } } });
  });
});
