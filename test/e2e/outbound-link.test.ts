/**
 * An outbound (direction 'connect') link end to end: a test SMSC built from our own listener, the gateway
 * binding to it as an ESME, MO as deliver_sm, replies as submit_sm, receipts back, reconnects.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/index.js';
import { createRootLogger } from '../../src/log.js';
import { ESME, createSmppServer, type InboundMessage, type OutboundPdu, type SmppServer, type SmppSession } from '../../src/smpp/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

const log = createRootLogger(process.env['TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent');

/** The SMSC side: accepts scgw-up/smscpw only, collects the gateway's submit_sm, keeps the bound sessions. */
function testSmsc() {
  const submits: InboundMessage[] = [];
  const binds: Array<{ systemId: string; ok: boolean }> = [];
  const sessions: SmppSession[] = [];
  let server: SmppServer | undefined;
  return {
    submits, binds, sessions,
    async start(port = 0): Promise<number> {
      server = createSmppServer({
        log, responseTimeoutMs: 2000, sessionInitS: 10,
        authenticate: async (req) => {
          const ok = req.systemId === 'scgw-up' && req.password === 'smscpw' && req.bindKind === 'transceiver';
          binds.push({ systemId: req.systemId, ok });
          return ok ? { ok: true, link: 'gw', window: 10 } : { ok: false, status: req.systemId === 'scgw-up' ? ESME.RINVPASWD : ESME.RINVSYSID };
        },
        onMessage: async (m) => { submits.push(m); },
        onBound: (s) => sessions.push(s),
      });
      return server.listen(port, '127.0.0.1');
    },
    async stop() { await server?.close(500); },
    live(): SmppSession {
      const s = sessions.filter((x) => x.bound).at(-1);
      if (!s) throw new Error('the gateway is not bound to the SMSC');
      return s;
    },
  };
}

const mo = (from: string, text: string, to = '232'): OutboundPdu => ({
  source: { addr: from, ton: 1, npi: 1 }, destination: { addr: to, ton: 0, npi: 0 }, esmClass: 0, dataCoding: 0, shortMessage: Buffer.from(text),
});
const receipt = (text: string, tlvs: OutboundPdu['tlvs'] = {}): OutboundPdu => ({
  source: { addr: '79000000000', ton: 1, npi: 1 }, destination: { addr: '232', ton: 0, npi: 0 }, esmClass: 0x04, dataCoding: 0, shortMessage: Buffer.from(text), tlvs,
});

let t: TestGateway;
const smsc = testSmsc();
let smscPort = 0;

beforeAll(async () => {
  smscPort = await smsc.start();
  t = await startTestGateway();
  await t.addLink('up', 'unused', { direction: 'connect', host: '127.0.0.1', port: smscPort, remoteSystemId: 'scgw-up', remotePassword: 'smscpw' });
  await eventually(() => smsc.sessions.some((s) => s.bound), 10_000, 'the gateway to bind to the SMSC');
});
afterAll(async () => { await t?.stop(); await smsc.stop(); });

const replyRow = (dest: string) => eventually(async () => {
  const [row] = await t.gw.db.db.select().from(outbox).where(eq(outbox.destination, dest));
  return row?.messageIds?.length ? row : undefined;
}, 10_000, `the reply to ${dest} to be marked sent`);

describe('outbound link (the gateway binds to the SMSC)', () => {
  it('binds with the remote credentials, takes MO as deliver_sm and answers with submit_sm requesting receipts', async () => {
    expect(smsc.binds[0]).toEqual({ systemId: 'scgw-up', ok: true });
    const r = await smsc.live().send('deliver_sm', mo('79001110001', 'STOP'));
    expect(r.status).toBe(ESME.ROK); // acked: the MO is durable
    const reply = await eventually(() => smsc.submits.find((m) => m.destination.addr === '79001110001'), 10_000, 'the reply submit_sm');
    expect(reply.commandId).toBe('submit_sm');
    expect(reply.source.addr).toBe('232');
    expect(reply.registeredDelivery).toBe(1);
    expect(reply.shortMessage.toString()).toBe('SMS archive is off.');
  });

  it('refuses an MO for an unknown short code with a non-zero deliver_sm_resp', async () => {
    const r = await smsc.live().send('deliver_sm', mo('79001110009', 'hi', '99999'));
    expect(r.status).toBe(ESME.RX_P_APPN);
  });

  it('records a receipt (receipted_message_id + message_state) on the sent reply', async () => {
    const row = await replyRow('79001110001');
    const r = await smsc.live().send('deliver_sm', receipt('', { receiptedMessageId: row.messageIds![0]!, messageState: 2 }));
    expect(r.status).toBe(ESME.ROK);
    const done = await eventually(async () => {
      const [x] = await t.gw.db.db.select().from(outbox).where(eq(outbox.id, row.id));
      return x?.receiptState ? x : undefined;
    }, 10_000, 'the receipt state');
    expect(done.receiptState).toBe('DELIVRD');
    expect(done.receiptAt).toBeInstanceOf(Date);
  });

  it('matches a text-only receipt whose id is hex while submit_sm_resp said decimal, even when it comes early', async () => {
    await smsc.live().send('deliver_sm', mo('79001110002', 'OFF'));
    const row = await replyRow('79001110002');
    // This SMSC prints ids in decimal in submit_sm_resp and in hex in receipts (Kannel msg-id-type 2).
    await t.gw.db.db.update(outbox).set({ messageIds: ['3735928559'] }).where(eq(outbox.id, row.id));
    const text = 'id:DEADBEEF sub:001 dlvrd:001 submit date:2611251200 done date:2611251201 stat:DELIVRD err:000 text:SMS archive is off';
    expect((await smsc.live().send('deliver_sm', receipt(text))).status).toBe(ESME.ROK);
    await eventually(async () => (await t.gw.db.db.select().from(outbox).where(eq(outbox.id, row.id)))[0]?.receiptState === 'DELIVRD', 10_000, 'DELIVRD via the hex id');

    // A receipt for an id not recorded yet (batched marks): retried until the id appears.
    expect((await smsc.live().send('deliver_sm', receipt('id:0a1b2c3d stat:UNDELIV err:001'))).status).toBe(ESME.ROK);
    await new Promise((r) => setTimeout(r, 700));
    await t.gw.db.db.update(outbox).set({ messageIds: sql`array['A1B2C3D']::text[]`, receiptState: null }).where(eq(outbox.id, row.id));
    const late = await eventually(async () => {
      const [x] = await t.gw.db.db.select().from(outbox).where(eq(outbox.id, row.id));
      return x?.receiptState ? x : undefined;
    }, 15_000, 'the early receipt to be matched on a retry');
    expect(late.receiptState).toBe('UNDELIV');
  });

  it('binds again when the SMSC comes back, and MO flow again', async () => {
    const before = smsc.binds.filter((b) => b.ok).length;
    await smsc.stop();
    await new Promise((r) => setTimeout(r, 300));
    await smsc.start(smscPort);
    await eventually(() => smsc.binds.filter((b) => b.ok).length > before && smsc.sessions.some((s) => s.bound), 20_000, 'the rebind');
    expect((await smsc.live().send('deliver_sm', mo('79001110003', 'STOP'))).status).toBe(ESME.ROK);
    await eventually(() => smsc.submits.find((m) => m.destination.addr === '79001110003'), 10_000, 'the reply after the rebind');
  });

  it('keeps retrying with backoff when the SMSC refuses the password, and the gateway stays up', async () => {
    await t.addLink('bad', 'unused', { direction: 'connect', host: '127.0.0.1', port: smscPort, remoteSystemId: 'scgw-up', remotePassword: 'wrong' });
    await eventually(() => smsc.binds.filter((b) => !b.ok).length >= 2, 10_000, 'a second refused bind');
    const refused = smsc.binds.filter((b) => !b.ok).length;
    expect(refused).toBeLessThan(5); // backoff: not a tight loop
    expect((await smsc.live().send('deliver_sm', mo('79001110004', 'STOP'))).status).toBe(ESME.ROK);
    await eventually(() => smsc.submits.find((m) => m.destination.addr === '79001110004'), 10_000, 'the good link still answering');
  });

  it('follows config changes without a restart: an edited link binds again, a removed one stops', async () => {
    const admin = (method: 'PATCH' | 'DELETE', url: string, payload?: object) => t.gw.app!.inject({
      method, url, headers: { authorization: `Bearer ${t.adminToken}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload: JSON.stringify(payload) } : {}),
    });
    expect((await admin('DELETE', '/admin/links/bad')).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const refused = smsc.binds.filter((b) => !b.ok).length;
    const ok = smsc.binds.filter((b) => b.ok).length;
    const old = smsc.live();
    expect((await admin('PATCH', '/admin/links/up', { systemType: 'VMA' })).statusCode).toBe(200);
    await eventually(() => smsc.binds.filter((b) => b.ok).length > ok && !old.bound && smsc.sessions.some((s) => s.bound), 10_000, 'a new bind after the edit');
    expect((await smsc.live().send('deliver_sm', mo('79001110005', 'STOP'))).status).toBe(ESME.ROK);
    await eventually(() => smsc.submits.find((m) => m.destination.addr === '79001110005'), 10_000, 'a reply on the new bind');
    await new Promise((r) => setTimeout(r, 1500));
    expect(smsc.binds.filter((b) => !b.ok).length).toBe(refused); // the removed link no longer tries
  });
});
