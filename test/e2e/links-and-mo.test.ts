import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bindRaw, CMD, rawPdu, submitSmBody } from '../support/smpp-peer.js';

let t: TestGateway;
let phones: PhoneNetwork;

beforeAll(async () => {
  t = await startTestGateway();
  await t.addLink('smsc', 'pw');
  await t.addLink('faraway', 'pw', { allowedSources: ['10.0.0.0/8'] });
  await t.addLink('local', 'pw', { allowedSources: ['127.0.0.0/8', '::1'] });
  await t.addLink('off', 'pw', { enabled: false });
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw' });
  await phones.connect();
});
afterAll(async () => { await phones?.close(); await t?.stop(); });

describe('bind authentication against the links table', () => {
  it.each([
    ['smsc', 'wrong', 0x0d, 'wrong password → ESME_RBINDFAIL (every bind failure alike)'],
    ['nobody', 'pw', 0x0d, 'unknown system_id → ESME_RBINDFAIL'],
    ['faraway', 'pw', 0x0d, 'source address outside the allowed range → ESME_RBINDFAIL'],
    ['off', 'pw', 0x0d, 'disabled link → ESME_RBINDFAIL'],
    ['local', 'pw', 0x00, 'source inside the allowed range → bound'],
  ])('%s/%s → status %i (%s)', async (systemId, password, status) => {
    const s = await bindRaw(t.gw.smppPort, systemId, password);
    expect(s.resp.commandStatus).toBe(status);
    if (status !== 0) await s.pdus.closed; // refused binds are closed after the response
    s.socket.destroy();
  });

  it('refuses a second bind on a bound session with ESME_RALYBND', async () => {
    const s = await bindRaw(t.gw.smppPort, 'smsc', 'pw');
    s.socket.write(rawPdu(CMD.bind_transceiver, 2, Buffer.concat([Buffer.from('smsc\0pw\0\0'), Buffer.from([0x34, 0, 0, 0])])));
    expect((await s.pdus.next()).commandStatus).toBe(0x05);
    s.socket.destroy();
  });
});

describe('MO in every form operators use', () => {
  it('takes MO as deliver_sm as well as submit_sm', async () => {
    const s = await bindRaw(t.gw.smppPort, 'smsc', 'pw', CMD.bind_transmitter);
    s.socket.write(rawPdu(CMD.deliver_sm, 2, submitSmBody({ source: { addr: '79200000001', ton: 1, npi: 1 }, destination: { addr: '232' }, shortMessage: Buffer.from('on') })));
    const resp = await s.pdus.next();
    expect(resp.commandId).toBe(0x80000005);
    expect(resp.commandStatus).toBe(0);
    s.socket.destroy();
    // A transmitter bind cannot receive: the reply goes to the link's receiving session (the phone network).
    const [reply] = await phones.waitFor('79200000001', 1, 10_000);
    expect(reply!.text).toMatch(/^SMS archive is on\. Password: /);
  });

  it('decodes Latin-1 (data_coding 3) MO', async () => {
    await phones.send('79200000002', '232', 'Stop', { encoding: 'latin1' });
    expect((await phones.waitFor('79200000002'))[0]!.text).toBe('SMS archive is off.');
  });

  it('decodes an unknown data_coding as GSM 03.38, counts it, and routes it', async () => {
    const s = await bindRaw(t.gw.smppPort, 'local', 'pw', CMD.bind_transmitter);
    s.socket.write(rawPdu(CMD.submit_sm, 2, submitSmBody({ source: { addr: '79200000003', ton: 1, npi: 1 }, destination: { addr: '232' }, dataCoding: 0x8f, shortMessage: Buffer.from('OFF') })));
    expect((await s.pdus.next()).commandStatus).toBe(0);
    s.socket.destroy();
    const metric = await (async () => {
      for (let i = 0; i < 200; i++) {
        const v = (await t.gw.metrics.unknownDcs.get()).values.find((x) => x.labels['dcs'] === '0x8f');
        if (v) return v.value;
        await new Promise((r) => setTimeout(r, 25));
      }
      return 0;
    })();
    expect(metric).toBe(1);
  });
});
