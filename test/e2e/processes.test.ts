/**
 * PROCESSES=2 (gateway-processes.ts): the workers role in a forked process. The real program (src/main.ts through
 * tsx) on PostgreSQL and Redis: ON to 232 is answered (the listener here, the mo worker there), the parent's
 * /metrics carries the worker's batch series, and a kill -9 of the parent takes the worker down with it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { splitRoles, WORKER_PROCESS_ENV } from '../../src/gateway-processes.js';
import { createPhoneNetwork } from '../../src/sim/phone.js';
import { testServices, type TestServices } from '../support/services.js';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'scgw-procs-'));
let svc: TestServices;
let gw: ChildProcess;
let ready: { smpp: number; http: number; ops: number; pid: number; workerPid: number };

beforeAll(async () => {
  svc = await testServices();
  gw = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['src/main.ts'], {
    env: {
      ...process.env, PROCESSES: '2', DATABASE_URL: svc.databaseUrl, REDIS_URL: svc.redisUrl, REDIS_PREFIX: svc.prefix, DATA_DIR: dataDir,
      SMPP_PORT: '0', HTTP_PORT: '0', OPS_PORT: '0', SMPP_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', SCRYPT_LOG_N: '12', HOME_PREFIXES: '7',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  ready = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`gateway did not start: ${buf.slice(-2000)}`)), 90_000);
    gw.once('exit', (code) => { clearTimeout(t); reject(new Error(`gateway exited (${code}): ${buf.slice(-2000)}`)); });
    gw.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.includes('"scgw ready"'));
      if (line) { clearTimeout(t); resolve(JSON.parse(line) as typeof ready); }
    });
  });
}, 120_000);

afterAll(async () => {
  for (const pid of [ready?.pid, ready?.workerPid]) {
    try { if (pid) process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  gw?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  await svc?.cleanup();
});

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!existsSync(`/proc/${pid}`) || /^State:\s+Z/m.test(readStatus(pid))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function readStatus(pid: number): string {
  try { return readFileSync(`/proc/${pid}/status`, 'utf8'); } catch { return ''; }
}

describe('PROCESSES=2', () => {
  it('refuses a split it cannot make: PGlite, or an embedded Redis', () => {
    const pglite = parseConfig({ PROCESSES: '2' });
    expect(() => splitRoles(pglite, { redisEmbedded: false, env: {} })).toThrow(/PROCESSES: 2 needs DATABASE_URL/);
    const pg = parseConfig({ PROCESSES: '2', DATABASE_URL: 'postgres://x@127.0.0.1/x' });
    expect(() => splitRoles(pg, { redisEmbedded: true, env: {} })).toThrow(/PROCESSES: 2 needs/);
    expect(splitRoles(pg, { redisEmbedded: false, env: {} })).toEqual({ here: new Set(['listener', 'web']), worker: ['workers'] });
    expect(splitRoles(pg, { redisEmbedded: false, env: { [WORKER_PROCESS_ENV]: '1' } })).toBeNull();
    expect(splitRoles(parseConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' }), { redisEmbedded: false, env: {} })).toBeNull(); // the default: one
  });

  it('answers through the worker process, merges its metrics, and the worker stops with a killed parent', async () => {
    expect(ready.workerPid).toBeGreaterThan(0);
    expect(ready.workerPid).not.toBe(ready.pid);
    const env = { ...process.env, DATA_DIR: dataDir, SCGW_URL: `http://127.0.0.1:${ready.http}` };
    await run('node', ['bin/scgw.mjs', 'link', 'add', 'demo', '--password', 'demo123'], { env });
    const phones = createPhoneNetwork({ host: '127.0.0.1', port: ready.smpp, systemId: 'demo', password: 'demo123' });
    await phones.connect();
    try {
      await phones.send('79161234567', '232', 'ON');
      const [reply] = await phones.waitFor('79161234567', 1, 20_000);
      expect(reply!.text).toMatch(/^SMS archive is on\. Password: [a-z0-9]{10}\./);
      // Only the worker process runs group commits: the parent's /metrics shows them only if it merged the worker's.
      const metrics = await (await fetch(`http://127.0.0.1:${ready.ops}/metrics`)).text();
      const count = /^scgw_mo_batch_size_count\{outcome="committed"\} (\d+)/m.exec(metrics);
      expect(Number(count?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
      expect(metrics).toMatch(/^scgw_mo_accepted_total\{link="demo"\} 1$/m); // the listener's, once
    } finally {
      await phones.close().catch(() => {});
    }
    process.kill(ready.pid, 'SIGKILL');
    expect(await gone(ready.workerPid, 30_000)).toBe(true);
  }, 90_000);
});
