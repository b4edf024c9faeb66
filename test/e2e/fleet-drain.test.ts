/**
 * `scgw node drain` (issue 12): a gateway process in a fleet with an in-process one is drained through the other's
 * admin API while it holds acked MO; it unbinds its peer, finishes in-flight work and exits 0, and every acked MO
 * is answered once (by whichever node's worker took it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema/index.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import type { FleetStatus } from '../../src/web/admin/schemas.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { testServices, type TestServices } from '../support/services.js';
import { bindRaw, CMD, rawPdu, submitSmBody } from '../support/smpp-peer.js';

let svc: TestServices;
let a: TestGateway;
let child: ChildProcess;
let exited: Promise<number | null>;
let childSmpp: number;
let phones: PhoneNetwork;
let out = '';
const dataDir = mkdtempSync(join(tmpdir(), 'scgw-drain-'));

async function status(): Promise<FleetStatus> {
  const res = await a.gw.app!.inject({ method: 'GET', url: '/admin/status', headers: { authorization: `Bearer ${a.adminToken}` } });
  return JSON.parse(res.body) as FleetStatus;
}

beforeAll(async () => {
  svc = await testServices();
  a = await startTestGateway({ svc, env: { NODE_ID: 'node-a', HEARTBEAT_S: '1' } });
  await a.addLink('smsc', 'pw');
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env, DATABASE_URL: svc.databaseUrl, REDIS_URL: svc.redisUrl, REDIS_PREFIX: svc.prefix, DATA_DIR: dataDir,
      NODE_ID: 'node-c', HEARTBEAT_S: '1', SMPP_PORT: '0', HTTP_PORT: '0', OPS_PORT: '0', SMPP_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'info', SCRYPT_LOG_N: '12',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  exited = new Promise((r) => child.once('exit', (code) => r(code)));
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  childSmpp = await eventually(() => {
    const line = out.split('\n').find((l) => l.includes('"scgw ready"'));
    return line ? (JSON.parse(line) as { smpp: number }).smpp : undefined;
  }, 60_000, 'the child gateway to start');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: a.gw.smppPort, systemId: 'smsc', password: 'pw' });
  await phones.connect();
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await phones?.close().catch(() => undefined);
  await a?.stop();
  await svc?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('drain', () => {
  it('a drained node unbinds its peer, finishes its work and exits 0; every MO it acked is answered once', async () => {
    await eventually(async () => (await status()).nodes.some((n) => n.id === 'node-c'), 10_000, 'node-c in the status');
    const s = await bindRaw(childSmpp, 'smsc', 'pw', CMD.bind_transmitter);
    expect(s.resp.commandStatus).toBe(0);
    const numbers = Array.from({ length: 20 }, (_, i) => `7916555${String(i).padStart(4, '0')}`);
    numbers.forEach((n, i) => s.socket.write(rawPdu(CMD.submit_sm, 100 + i, submitSmBody({ source: { addr: n, ton: 1, npi: 1 }, destination: { addr: '232' }, shortMessage: Buffer.from('ON') }))));
    const acks = [];
    for (let i = 0; i < numbers.length; i++) acks.push(await s.pdus.next());
    expect(acks.map((p) => p.commandStatus)).toEqual(numbers.map(() => 0));

    const res = await a.gw.app!.inject({ method: 'POST', url: '/admin/nodes/node-c/drain', headers: { authorization: `Bearer ${a.adminToken}` } });
    expect(res.statusCode).toBe(202);
    // The peer is unbound (it answers nothing, so the gateway closes after its unbind timeout), then the process ends.
    expect((await s.pdus.next(10_000)).commandId).toBe(CMD.unbind);
    await s.pdus.closed;
    expect(await exited).toBe(0);
    expect(out).toMatch(/"signal":"drain"/);
    expect(out).toMatch(/"msg":"stopped"/);

    for (const n of numbers) await phones.waitFor(n, 1, 20_000);
    await eventually(async () => {
      const rows = await a.gw.db.db.select({ status: outbox.status }).from(outbox).where(inArray(outbox.destination, numbers));
      return rows.length === numbers.length && rows.every((r) => r.status === 'sent');
    }, 20_000, 'every reply marked sent');
    expect(numbers.map((n) => phones.inbox(n).length)).toEqual(numbers.map(() => 1));
    expect((await status()).nodes.map((n) => n.id)).toEqual(['node-a']);
    const gone = await a.gw.app!.inject({ method: 'POST', url: '/admin/nodes/node-c/drain', headers: { authorization: `Bearer ${a.adminToken}` } });
    expect(gone.statusCode).toBe(404);
  }, 90_000);
});
