import { describe, expect, it } from 'vitest';
import { decodePdu } from '../../../src/smpp/pdu.js';
import { ESME, vendors } from '../../../src/smpp/index.js';
import { CMD, rawPdu, submitSmBody } from '../../support/smpp-peer.js';
import { vendorConformance } from './conformance.js';
import { fixtureSuite } from './fixtures.js';

vendorConformance(vendors.standard);

describe('vendor profile standard', () => {
  it('refuses an empty destination_addr with ESME_RINVDSTADR', () => {
    const d = decodePdu(rawPdu(CMD.submit_sm, 1, submitSmBody({ source: { addr: '7916' }, destination: { addr: '' }, shortMessage: Buffer.from('x') })));
    if (!d.ok) throw new Error(d.reason);
    expect(vendors.standard.readInbound(d.pdu, { sessionId: 's', link: 'l', receivedAt: 0 })).toMatchObject({ ok: false, status: ESME.RINVDSTADR });
  });
});

describe('vendor profile standard: USSD fixtures (spec-style gateway, its_session_info echoed)', () => {
  fixtureSuite(vendors.standard, 'standard', {
    open: { op: 0x01, its: 0x0702 },
    continue: { op: 0x12, its: 0x0704 },
    hangup: { op: 0x12, its: 0x0707 },
    replies: { session: {}, screenIts: 0x0704, finalIts: 0x0705 },
  });
});
