import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from '../../src/redis.js';
import { createPhoneNetwork } from '../../src/sim/phone.js';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'scgw-proc-'));
const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `scgwt-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
let gw: ChildProcess;
let ports: { smpp: number; http: number };
let exited: Promise<number | null>;

beforeAll(async () => {
  // The README's `npm start` (its prestart build, then the compiled gateway), with DATABASE_URL unset:
  // embedded PGlite in DATA_DIR.
  await run('npm', ['run', 'build', '--silent']);
  gw = spawn(process.execPath, ['dist/main.js'], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, SMPP_PORT: '0', HTTP_PORT: '0', OPS_PORT: '0', SMPP_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', SCRYPT_LOG_N: '12' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  exited = new Promise((r) => gw.once('exit', (code) => r(code)));
  ports = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`gateway did not start: ${buf}`)), 150_000);
    gw.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (line.includes('"scgw ready"')) {
          const j = JSON.parse(line) as { smpp: number; http: number };
          clearTimeout(t);
          resolve({ smpp: j.smpp, http: j.http });
        }
      }
    });
  });
}, 240_000);

afterAll(async () => {
  if (gw.exitCode === null) gw.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  const r = new Redis(redisOptionsFromUrl(redisUrl));
  const keys = await r.keys(`${prefix}:*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
});

describe('the gateway process', () => {
  it('runs on embedded PGlite, is ready, writes a private admin token, takes a link from the CLI, answers ON to 232, and stops gracefully on SIGINT', async () => {
    const ready = await fetch(`http://127.0.0.1:${ports.http}/readyz`);
    expect(ready.status).toBe(200);
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);

    const env = { ...process.env, DATA_DIR: dataDir, SCGW_URL: `http://127.0.0.1:${ports.http}` };
    const add = await run('node', ['bin/scgw.mjs', 'link', 'add', 'demo', '--password', 'demo123'], { env });
    expect(add.stdout).toMatch(/link demo created/);
    const list = await run('node', ['bin/scgw.mjs', '--json', 'link', 'list'], { env });
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'demo' }]);
    const dup = await run('node', ['bin/scgw.mjs', 'link', 'add', 'demo', '--password', 'x'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect((dup as { code: number }).code).toBe(1);
    expect((dup as { stderr: string }).stderr).toMatch(/already exists/);

    const phones = createPhoneNetwork({ host: '127.0.0.1', port: ports.smpp, systemId: 'demo', password: 'demo123' });
    await phones.connect();
    await phones.send('79161234567', '232', 'ON');
    const [reply] = await phones.waitFor('79161234567', 1, 15_000);
    expect(reply!.text).toMatch(/^SMS archive is on\. Password: [a-z0-9]{10}\./);

    gw.kill('SIGINT');
    expect(await exited).toBe(0);
    // The gateway unbound us on the way out: sending now fails instead of hanging.
    await expect(phones.send('79161234567', '232', 'ON')).rejects.toThrow();
  }, 90_000);
});
