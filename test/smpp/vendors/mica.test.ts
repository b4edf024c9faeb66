import { describe, expect, it } from 'vitest';
import { vendors } from '../../../src/smpp/index.js';
import { vendorConformance } from './conformance.js';
import { fixtureSuite } from './fixtures.js';

vendorConformance(vendors.mica, { ussdMapped: true });

describe('vendor profile mica: the dialogue in user_message_reference, the end in the op', () => {
  fixtureSuite(vendors.mica, 'mica', {
    open: { op: 0x01, ussd: { session: 0x1234, end: false } },
    continue: { op: 0x12, ussd: { session: 0x1234, end: false } },
    hangup: { op: 0x12, ussd: { session: 0x1234, end: true } },
    replies: { session: { ussdSession: 0x1234 } },
  });

  it('refuses a ussd_service_op the gateway does not send (ESME_RINVOPTPARAMVAL), and a reply that is neither screen nor final', () => {
    expect(() => vendors.mica.shapeOutbound({
      source: { addr: '111', ton: 0, npi: 0 }, destination: { addr: '7926', ton: 1, npi: 1 }, esmClass: 0, dataCoding: 0,
      shortMessage: new Uint8Array(0), tlvs: { ussdServiceOp: 0x03 },
    })).toThrow(expect.objectContaining({ code: 'SCGW_SMPP_MALFORMED' }));
  });
});
