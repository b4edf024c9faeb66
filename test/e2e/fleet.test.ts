/**
 * Two gateways on one Redis prefix and one database form a fleet (issue 12): each sees the other in
 * /admin/status; a link suspended through one node is honoured by the other (MO ESME_RTHROTTLED, replies
 * held, sent once after resume); a session bound to one node is kicked through the other.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/index.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import type { FleetStatus } from '../../src/web/admin/schemas.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { testServices, type TestServices } from '../support/services.js';
import { bindRaw, CMD, rawPdu, submitSmBody, type RawSession } from '../support/smpp-peer.js';

let svc: TestServices;
let a: TestGateway;
let b: TestGateway;
let token: string;
const phones: PhoneNetwork[] = [];
const raws: RawSession[] = [];

async function call<T = unknown>(t: TestGateway, method: 'GET' | 'POST', url: string): Promise<{ status: number; body: T }> {
  const res = await t.gw.app!.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: JSON.parse(res.body) as T };
}
const status = async (t: TestGateway) => (await call<FleetStatus>(t, 'GET', '/admin/status')).body;

async function transmitter(t: TestGateway): Promise<RawSession> {
  const s = await bindRaw(t.gw.smppPort, 'smsc', 'pw', CMD.bind_transmitter);
  expect(s.resp.commandStatus).toBe(0);
  raws.push(s);
  return s;
}

let seq = 10;
async function sendMo(s: RawSession, from: string, text: string): Promise<number> {
  s.socket.write(rawPdu(CMD.submit_sm, ++seq, submitSmBody({ source: { addr: from, ton: 1, npi: 1 }, destination: { addr: '232' }, shortMessage: Buffer.from(text) })));
  return (await s.pdus.next()).commandStatus;
}

async function phoneOn(t: TestGateway): Promise<PhoneNetwork> {
  const p = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw' });
  await p.connect();
  phones.push(p);
  return p;
}

beforeAll(async () => {
  svc = await testServices();
  a = await startTestGateway({ svc, env: { NODE_ID: 'node-a', HEARTBEAT_S: '1' } });
  b = await startTestGateway({ svc, env: { NODE_ID: 'node-b', HEARTBEAT_S: '1' } });
  token = a.adminToken;
  await a.addLink('smsc', 'pw');
}, 60_000);

afterAll(async () => {
  for (const r of raws) r.socket.destroy();
  for (const p of phones) await p.close().catch(() => undefined);
  await b?.stop();
  await a?.stop();
  await svc?.cleanup();
});

describe('a fleet of two gateways', () => {
  it('each node sees both nodes, and the link\'s sessions per node, in /admin/status', async () => {
    const p = await phoneOn(a);
    await transmitter(b);
    const v = await eventually(async () => {
      const s = await status(b);
      const link = s.links.find((l) => l.name === 'smsc');
      return s.nodes.length === 2 && link?.total === 2 ? s : undefined;
    }, 10_000, 'both nodes and both sessions in the status');
    expect(v.nodes.map((n) => n.id)).toEqual(['node-a', 'node-b']);
    expect(v.links.find((l) => l.name === 'smsc')!.sessions).toEqual([{ node: 'node-a', count: 1 }, { node: 'node-b', count: 1 }]);
    const nodeA = v.nodes.find((n) => n.id === 'node-a')!;
    expect(nodeA.roles.sort()).toEqual(['listener', 'web', 'workers']);
    expect(nodeA.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(nodeA.sessions[0]).toMatchObject({ link: 'smsc', peer: '127.0.0.1', bindKind: 'transceiver', direction: 'listener' });
    expect(v.nodes.find((n) => n.id === 'node-b')!.sessions[0]).toMatchObject({ bindKind: 'transmitter' });
    expect(v.queues.map((q) => q.name)).toEqual(['mo', 'mt-smsc']);
    expect((await status(a)).nodes.map((n) => n.id)).toEqual(['node-a', 'node-b']);
    await p.close();
    for (const r of raws.splice(0)) r.socket.destroy();
  });

  it('suspend on one node: MO on the other are RTHROTTLED and a reply is held; resume on the other: it arrives once', async () => {
    const tx = await transmitter(b);
    // No receiving bind anywhere: the reply to this MO waits in mt-smsc.
    expect(await sendMo(tx, '79160000001', 'ON')).toBe(0);
    await eventually(async () => (await status(a)).queues.find((q) => q.name === 'mt-smsc')?.waiting === 1, 10_000, 'the reply queued');

    const sus = await call<{ link: string; suspended: { by: string } }>(a, 'POST', '/admin/links/smsc/suspend');
    expect(sus.status).toBe(200);
    expect(sus.body).toMatchObject({ link: 'smsc', suspended: { by: 'bootstrap' } });
    await eventually(async () => (await status(a)).nodes.find((n) => n.id === 'node-b')?.suspendedLinks.includes('smsc'), 10_000, 'node-b to honour the suspension');
    expect(await sendMo(tx, '79160000002', 'ON')).toBe(0x58); // ESME_RTHROTTLED

    // A receiver binds to node-a: its mt worker starts, but the queue is held.
    const p = await phoneOn(a);
    const boundAt = Date.now();
    const held = await eventually(async () => {
      const s = await status(b);
      const nodeA = s.nodes.find((n) => n.id === 'node-a')!;
      return new Date(nodeA.beatAt).getTime() > boundAt + 500 && nodeA.sessions.length === 1 ? s : undefined;
    }, 10_000, 'a heartbeat of node-a well after the bind');
    expect(held.queues.find((q) => q.name === 'mt-smsc')).toMatchObject({ waiting: 1, paused: true });
    expect(held.links.find((l) => l.name === 'smsc')!.suspended).toMatchObject({ by: 'bootstrap' });
    expect(p.inbox('79160000001')).toHaveLength(0);

    expect((await call(b, 'POST', '/admin/links/smsc/resume')).status).toBe(200);
    const [reply] = await p.waitFor('79160000001', 1, 10_000);
    expect(reply!.text).toMatch(/^SMS archive is on\. Password: /);
    // Counted at a quiet point: the reply's outbox row is marked sent.
    await eventually(async () => {
      const rows = await a.gw.db.db.select({ status: outbox.status }).from(outbox).where(eq(outbox.destination, '79160000001'));
      return rows.length === 1 && rows[0]!.status === 'sent';
    }, 10_000, 'the outbox row marked sent');
    expect(p.inbox('79160000001')).toHaveLength(1);
    expect(p.inbox('79160000002')).toHaveLength(0); // refused, never acted on
    await eventually(async () => !(await status(a)).nodes.some((n) => n.suspendedLinks.length), 10_000, 'the resume to reach both nodes');
    expect(await sendMo(tx, '79160000003', 'ON')).toBe(0);
    await p.waitFor('79160000003', 1, 10_000);
    expect((await call(a, 'POST', '/admin/links/nope/suspend')).status).toBe(404);
    await p.close();
    for (const r of raws.splice(0)) r.socket.destroy();
  });

  it('kicks a session bound to one node through the other', async () => {
    const k = await transmitter(b);
    const boundAt = Date.now();
    // A heartbeat taken after this bind (an earlier one may still list the last test's sessions).
    const v = await eventually(async () => {
      const s = await status(a);
      const nodeB = s.nodes.find((n) => n.id === 'node-b');
      return nodeB && new Date(nodeB.beatAt).getTime() > boundAt + 100 && nodeB.sessions.length === 1 ? s : undefined;
    }, 10_000, 'the session in node-b\'s heartbeat');
    const id = v.nodes.find((n) => n.id === 'node-b')!.sessions[0]!.id;
    const res = await call<{ session: string; node: string }>(a, 'POST', `/admin/sessions/${id}/kick`);
    expect(res).toEqual({ status: 202, body: { session: id, node: 'node-b' } });
    expect((await k.pdus.next(10_000)).commandId).toBe(CMD.unbind);
    await k.pdus.closed;
    expect((await call(a, 'POST', '/admin/sessions/no-such-session/kick')).status).toBe(404);
  });
});
