/**
 * The fixtures of test/fixtures/pdus/<vendor>/ (hex, one PDU each; build.py writes them field by field from SMPP 3.4,
 * with no SMPP library, and tshark dissects them cleanly): our reader must read the gateway's PDUs into the normalised
 * USSD form (ops 0x01 open / 0x12 continue, the dialogue id and hang-up), and our replies, shaped by the profile and
 * encoded, must be those bytes exactly.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { decodePdu, encodePdu } from '../../../src/smpp/pdu.js';
import type { OutboundPdu, PduTlvs, VendorProfile } from '../../../src/smpp/index.js';

const DIR = new URL('../../fixtures/pdus/', import.meta.url);
export const fixtureHex = (path: string) => Buffer.from(readFileSync(new URL(path, DIR), 'utf8').trim(), 'hex');

interface Expect { op: number; its?: number; ussd?: { session: number; end: boolean } }

export function fixtureSuite(profile: VendorProfile, folder: string, want: {
  open: Expect; continue: Expect; hangup: Expect;
  /** What our replies carry besides the op, normalised: its_session_info to echo, or the vendor's dialogue id. */
  replies: { session: { itsSessionInfo?: number; ussdSession?: number }; screenIts?: number; finalIts?: number };
}): void {
  const ctx = { sessionId: 's', link: 'l', receivedAt: 0 };
  for (const name of ['open', 'continue', 'hangup'] as const) {
    it(`reads ${folder}/${name}.hex into the normalised USSD form`, () => {
      const d = decodePdu(fixtureHex(`${folder}/${name}.hex`));
      if (!d.ok) throw new Error(d.reason);
      const r = profile.readInbound(d.pdu, ctx);
      if (!r.ok) throw new Error(r.reason);
      const w = want[name];
      expect(r.msg.tlvs.ussdServiceOp).toBe(w.op);
      if (w.its !== undefined) expect(r.msg.tlvs.itsSessionInfo).toBe(w.its);
      expect(r.msg.ussd).toEqual(w.ussd);
      expect(r.msg).toMatchObject({ commandId: 'deliver_sm', serviceType: 'USSD', source: { addr: '79261234567' }, destination: { addr: '111' } });
    });
  }
  const reply = (text: string, tlvs: PduTlvs, extra: Partial<OutboundPdu>): OutboundPdu => ({
    serviceType: '', source: { addr: '111', ton: 0, npi: 0 }, destination: { addr: '79261234567', ton: 1, npi: 1 },
    esmClass: 0, dataCoding: 0, registeredDelivery: 0, shortMessage: Buffer.from(text, 'ascii'), tlvs, ...extra,
  });
  const cases = [
    ['reply-screen', 11, 'SMS archive\n1. Turn on\n0. Back', 0x02, want.replies.screenIts] as const,
    ['reply-final', 12, 'SMS archive is off.', 0x11, want.replies.finalIts] as const,
  ];
  for (const [name, seq, text, op, its] of cases) {
    it(`shapes our ${name === 'reply-final' ? 'final reply' : 'menu screen'} into exactly ${folder}/${name}.hex`, () => {
      const { ussdSession } = want.replies.session;
      const pdu = reply(text, { ussdServiceOp: op, ...(its !== undefined ? { itsSessionInfo: its } : {}) }, ussdSession === undefined ? {} : { ussdSession });
      expect(encodePdu('submit_sm', seq, profile.shapeOutbound(pdu)).toString('hex')).toBe(fixtureHex(`${folder}/${name}.hex`).toString('hex'));
    });
  }
}
