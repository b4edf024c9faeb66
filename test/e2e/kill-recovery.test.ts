import { spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { MO_QUEUE } from '../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../src/redis.js';
import { createPhoneNetwork } from '../../src/sim/phone.js';
import { eventually, startTestGateway } from '../support/gateway.js';
import { testServices } from '../support/services.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

/** A workers-only gateway process (node with tsx's loader: the tsx CLI would leave a grandchild a SIGKILL misses). */
async function startWorkersProcess(env: Record<string, string>): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env, ROLES: 'workers', SMPP_PORT: '0', HTTP_PORT: '0', OPS_PORT: '0', SMPP_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', SCRYPT_LOG_N: '12' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => { if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => { buf += d.toString(); if (buf.includes('"scgw ready"')) resolve(); });
    p.once('exit', (code) => reject(new Error(`gateway process exited (${code}): ${buf}`)));
  });
  return p;
}

describe('a gateway process killed while it holds an MO', () => {
  it('another node acts on the MO and the reply reaches the phone within seconds of the kill', async () => {
    const svc = await testServices();
    cleanups.push(() => svc.cleanup());
    // The node the SMSC binds to: listener only, so the MO is acted on elsewhere.
    const front = await startTestGateway({ svc, env: { ROLES: 'listener,web' } });
    cleanups.push(() => front.stop());
    await front.addLink('smsc', 'pw');
    const env = { DATABASE_URL: svc.databaseUrl, REDIS_URL: svc.redisUrl, REDIS_PREFIX: svc.prefix };
    const doomed = await startWorkersProcess(env);

    // Hold the MO inside the doomed process: its transaction waits on a table lock we own.
    const sql = postgres(svc.databaseUrl, { max: 1, onnotice: () => {} });
    cleanups.push(() => sql.end());
    const reserved = await sql.reserve();
    await reserved`begin`;
    await reserved`lock table processed_mo in access exclusive mode`;

    const phones = createPhoneNetwork({ host: '127.0.0.1', port: front.gw.smppPort, systemId: 'smsc', password: 'pw' });
    await phones.connect();
    cleanups.push(() => phones.close());
    await phones.send('79170000001', '111', 'hello');
    const conn = new Redis({ ...redisOptionsFromUrl(svc.redisUrl), maxRetriesPerRequest: null });
    const mo = new Queue(MO_QUEUE, { connection: conn, prefix: svc.prefix });
    cleanups.push(async () => { await mo.close(); conn.disconnect(); });
    await eventually(async () => (await mo.getActiveCount()) === 1, 15_000, 'the doomed process to take the MO');

    // The surviving node is up before the kill, as another node of the cluster would be.
    const survivor = await startTestGateway({ svc, env: { ROLES: 'workers' } });
    cleanups.push(() => survivor.stop());
    doomed.kill('SIGKILL');
    const killedAt = Date.now();
    await reserved`commit`;
    reserved.release();

    const [reply] = await phones.waitFor('79170000001', 1, 30_000);
    const ms = Date.now() - killedAt;
    console.log(`kill-recovery: reply at the phone ${ms} ms after SIGKILL of the process holding its MO`);
    expect(reply!.text).toMatch(/111/);
    const n = await sql`select count(*)::int as n from processed_mo`;
    expect(n[0]!['n']).toBe(1); // acted on once
  }, 90_000);
});
