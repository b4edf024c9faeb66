/**
 * A PostgreSQL restart is routine (issue 9). postgres.js 3.4.9 killed the process on one with an uncaught
 * `TypeError: Cannot read properties of null (reading 'write') at Immediate.nextWrite`; patches/ fixes it.
 * Both tests run their own PostgreSQL (test/support/pg-server.ts), restart it with `pg_ctl restart -m
 * fast`, and judge a child process: only a separate process shows that nothing threw past every catch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/actions/index.js';
import { openDb } from '../../src/db/client.js';
import { createLink } from '../../src/db/queries/links.js';
import { deleteKeysWithPrefix, redisOptionsFromUrl } from '../../src/redis.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { eventually } from '../support/gateway.js';
import { freePort, startPgServer, type PgServer } from '../support/pg-server.js';

/**
 * Node with tsx's loader, not tsx's CLI: a signal reaches the gateway itself. The CLI relays it and, if the child
 * has not confirmed within 30 ms twice over (a loaded box), SIGKILLs it and exits 130.
 */
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;
const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `scgwt-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
const dataDir = mkdtempSync(join(tmpdir(), 'scgw-pgr-'));
let pg: PgServer;
const children: ChildProcess[] = [];

beforeAll(async () => { pg = await startPgServer(); }, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  const r = new Redis(redisOptionsFromUrl(redisUrl));
  try { await deleteKeysWithPrefix(r, prefix); await deleteKeysWithPrefix(r, `${prefix}-m`); } finally { r.disconnect(); }
});

/** A child process with its stdout split into lines, and its exit as a promise. */
function child(args: string[], env: Record<string, string> = {}) {
  const p = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  const lines: string[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  let buf = '';
  p.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  p.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => { for (const w of [...waiters]) w(); r(code); }));
  const line = (match: (l: string) => boolean, ms: number, what: string) => new Promise<string>((resolve, reject) => {
    const check = () => {
      const l = lines.find(match);
      if (l !== undefined) { done(); resolve(l); } else if (p.exitCode !== null) { done(); reject(new Error(`child exited (${p.exitCode}) before ${what}: ${stderr.slice(-1500)}`)); }
    };
    const t = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${what}`)); }, ms);
    const done = () => { clearTimeout(t); waiters.delete(check); };
    waiters.add(check);
    check();
  });
  /** Throws, with the child's last words, once it has exited: a waiting test fails at once and says why. */
  const alive = () => {
    if (p.exitCode !== null || p.signalCode !== null) {
      throw new Error(`the child exited (${p.exitCode ?? p.signalCode}): ${stderr.slice(-1500) || lines.slice(-5).join('\n')}`);
    }
  };
  return { p, lines, exited, line, alive, stderr: () => stderr };
}

describe('a PostgreSQL restart', () => {
  it('rejects a transaction statement sent after the restart with CONNECTION_CLOSED, and the pool reconnects by itself', async () => {
    const c = child(['test/support/pg-restart-child.ts', pg.url()]);
    await c.line((l) => l.includes('in-transaction'), 20_000, 'the transaction to start');
    await pg.restart();
    const code = await c.exited;
    // Unpatched, the child dies here: exit 1, "Cannot read properties of null (reading 'write')".
    expect(c.stderr()).not.toMatch(/reading 'write'/);
    expect(code).toBe(0);
    const steps = c.lines.map((l) => JSON.parse(l) as { step: string; outcome?: string; n?: number });
    expect(steps).toMatchObject([
      { step: 'in-transaction' },
      { step: 'transaction', outcome: 'CONNECTION_CLOSED' },
      { step: 'stale statement', outcome: 'CONNECTION_CLOSED' },
      { step: 'after restart', n: 42 },
    ]);
  }, 60_000);

  it('does not die when a connection is reset while postgres.js fetches array types, and the next query is answered', async () => {
    const c = child(['test/support/pg-types-reset-child.ts', pg.url()]);
    const code = await c.exited;
    // Unpatched: an unhandled rejection (ECONNRESET) from fetchArrayTypes, exit 1.
    expect(c.stderr()).toBe('');
    expect(code).toBe(0);
    expect(c.lines.map((l) => JSON.parse(l) as object)).toEqual([
      { step: 'first query', outcome: 'ECONNRESET' },
      { step: 'second query', outcome: 'ok' },
    ]);
  }, 60_000);

  it('does not stop the gateway: MO keep being acked, each gets its action and its reply once, and peers bind again', async () => {
    await gatewayThroughRestarts({ database: 'scgw', prefix, restarts: 3 });
  }, 120_000);

  it('with DATABASE_URL listing a dead host first (target_session_attrs=read-write): the pool finds the server, and a restart mid-load loses nothing acked', async () => {
    const dead = await freePort(); // nothing listens there
    await gatewayThroughRestarts({
      database: 'scgw_multi', prefix: `${prefix}-m`, restarts: 1,
      url: (db) => `postgres://root@127.0.0.1:${dead},127.0.0.1:${pg.port}/${db}?target_session_attrs=read-write`,
    });
  }, 90_000);
});

/**
 * A gateway child process on `database`, under paced MO load, through `restarts` PostgreSQL restarts; then at a
 * quiet point every acked MO has one action and one reply, and the pool answers again (/readyz, a new bind).
 */
async function gatewayThroughRestarts(o: { database: string; prefix: string; restarts: number; url?: (db: string) => string }) {
  const prefix = o.prefix;
  const admin = postgres(pg.url(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${o.database}`);
  await admin.end();
  const databaseUrl = (o.url ?? pg.url)(o.database);
  const setup = await openDb({ url: databaseUrl, dataDir, poolMax: 2 });
  await setup.migrate();
  await createLink(setup.db, { name: 'smsc', passwordHash: await hashPassword('pw', 12) });
  await setup.close();

  const gw = child(['src/main.ts'], {
    DATABASE_URL: databaseUrl, DATA_DIR: dataDir, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, SMPP_PORT: '0', HTTP_PORT: '0', OPS_PORT: '0',
    SMPP_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', SCRYPT_LOG_N: '12', OUTBOX_SWEEP_AFTER_S: '5', DB_POOL_MAX: '12',
  });
  const ready = JSON.parse(await gw.line((l) => l.includes('"scgw ready"'), 60_000, 'the gateway to start')) as { smpp: number; http: number };
  const bind = (): PhoneNetwork => createPhoneNetwork({ host: '127.0.0.1', port: ready.smpp, systemId: 'smsc', password: 'pw', window: 20 });
  const phones = bind();
  await phones.connect();

  // Load: 6 paced senders, each MO from a number of its own; every 4th is `ON` (a password: the slow path).
  // Bounded, so the catch-up after the restarts stays short on a busy machine.
  const acked: string[] = [];
  const refused: Array<number | string> = [];
  let sending = true;
  let n = 0;
  const sender = async () => {
    while (sending) {
      const i = n++;
      const msisdn = `7916${String(i).padStart(7, '0')}`;
      const r = await phones.send(msisdn, '232', i % 4 === 0 ? 'ON' : 'hello').then(([x]) => x!.status, (e: Error) => e.message);
      if (r === 0) acked.push(msisdn); else refused.push(r);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const senders = Promise.all(Array.from({ length: 6 }, sender));
  for (let k = 0; k < o.restarts; k++) {
    const before = acked.length;
    await eventually(() => { gw.alive(); return acked.length >= before + 20; }, 30_000, 'MO to flow between restarts');
    await pg.restart(); // MO keep arriving (and being acked) throughout
  }
  const after = acked.length;
  await eventually(() => { gw.alive(); return acked.length >= after + 20; }, 30_000, 'MO to flow after the last restart');
  sending = false;
  await senders;
  gw.alive();
  // Redis stayed up, so no MO was refused, database or not.
  expect(refused).toEqual([]);

  // Every acked MO is answered (retried with backoff across the outages)...
  for (const m of acked) {
    gw.alive();
    await phones.waitFor(m, 1, 45_000);
  }
  // ...and at a quiet point (no MO job left, every reply sent) exactly once, with its action done once.
  const q = new Queue('mo', { connection: new Redis(redisOptionsFromUrl(redisUrl)), prefix });
  await eventually(async () => {
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).every((v) => v === 0);
  }, 30_000, 'the mo queue to drain');
  await q.close();
  const db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await eventually(async () => (await db`select count(*)::int as n from outbox where status <> 'sent'`)[0]!['n'] === 0, 30_000, 'every reply to be sent');
  const [counts] = await db`select (select count(*)::int from processed_mo) as acted, (select count(*)::int from outbox) as replies,
    (select count(distinct destination)::int from outbox) as answered`;
  await db.end();
  expect(counts).toEqual({ acted: acked.length, replies: acked.length, answered: acked.length });
  const dupes = acked.filter((m) => phones.inbox(m).length !== 1);
  expect(dupes).toEqual([]);

  // The pool reconnected by itself: ready again, and a peer can bind (bind auth reads the database).
  await eventually(async () => (await fetch(`http://127.0.0.1:${ready.http}/readyz`)).status === 200, 20_000, '/readyz to answer 200');
  const again = bind();
  await again.connect();
  await again.close();
  await phones.close();
  gw.p.kill('SIGINT');
  expect(await gw.exited).toBe(0);
}
