/**
 * Hot reload across processes: two gateway processes (`tsx src/main.ts`) share one Postgres and one Redis.
 * A config change made through node A's admin API is used by node B within one second, with no restart;
 * so is the rollback that undoes it. Node B's dry run reports the route it would take with its live config.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../scripts/bench/gateway-process.js';
import { testServices, type TestServices } from '../support/services.js';

interface Node { name: string; proc: ChildProcess; http: number; dataDir: string; output: string[] }

let svc: TestServices;
let a: Node;
let b: Node;
let token: string;


async function startNode(name: string): Promise<Node> {
  const [smpp, http] = await freePorts(2) as [number, number];
  const dataDir = mkdtempSync(join(tmpdir(), `scgw-hot-${name}-`));
  const output: string[] = [];
  const proc = spawn('node_modules/.bin/tsx', ['src/main.ts'], {
    env: {
      ...process.env, DATABASE_URL: svc.databaseUrl, REDIS_URL: svc.redisUrl, REDIS_PREFIX: svc.prefix, DATA_DIR: dataDir,
      SMPP_PORT: String(smpp), HTTP_PORT: String(http), OPS_PORT: '0', SMPP_HOST: '127.0.0.1', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn', SCRYPT_LOG_N: '12',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const node = { name, proc, http, dataDir, output };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`node ${name} exited ${proc.exitCode}: ${output.join('')}`);
    const ready = await fetch(`http://127.0.0.1:${http}/readyz`).then((r) => r.ok, () => false);
    if (ready) return node;
    if (Date.now() > deadline) throw new Error(`node ${name} not ready: ${output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopNode(n: Node | undefined): Promise<void> {
  if (!n) return;
  if (n.proc.exitCode === null) {
    const exited = new Promise((r) => n.proc.once('exit', r));
    n.proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (n.proc.exitCode === null) n.proc.kill('SIGKILL');
  }
  rmSync(n.dataDir, { recursive: true, force: true });
}

async function admin<T = any>(n: Node, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${n.http}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const dryRun = (n: Node, text: string) => admin(n, 'POST', '/admin/dry-run', { from: '79161234567', to: '232', text });

/** Polls node n's dry run until `want` holds; returns how long that took after `since`. */
async function msUntil(n: Node, text: string, since: number, want: (body: any) => boolean): Promise<number> {
  for (;;) {
    const res = await dryRun(n, text);
    if (want(res.body)) return Date.now() - since;
    if (Date.now() - since > 5000) throw new Error(`node ${n.name} still answers ${JSON.stringify(res.body.route)} at version ${res.body.configVersion}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  svc = await testServices();
  a = await startNode('a');
  // Node A created the first admin token (empty database); B shares the database, so the same token works there.
  const file = join(a.dataDir, 'admin-token');
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  token = readFileSync(file, 'utf8').trim();
  b = await startNode('b');
}, 150_000);

afterAll(async () => {
  await Promise.all([stopNode(a), stopNode(b)]);
  await svc?.cleanup();
}, 30_000);

describe('hot reload across two gateway processes', () => {
  it('node B routes with a route added through node A within one second, and with its rollback', async () => {
    const before = await dryRun(b, 'GO');
    expect(before.status).toBe(200);
    expect(before.body.route.id).toBe('232-help');

    const added = await admin(a, 'POST', '/admin/routes', { id: '232-go', shortCode: '232', kind: 'exact', keywords: ['GO'], priority: 100, action: 'archive.deactivate' });
    const savedAt = Date.now();
    expect(added.status).toBe(201);
    const tookAdd = await msUntil(b, 'GO', savedAt, (r) => r.route?.id === '232-go');
    const after = await dryRun(b, 'GO');
    expect(after.body).toMatchObject({ configVersion: added.body.configVersion, action: { name: 'archive.deactivate' }, replies: [{ template: 'archive.deactivate' }] });
    expect(tookAdd).toBeLessThan(1000);

    const rolledBack = await admin(a, 'POST', '/admin/config/rollback', { version: before.body.configVersion });
    const rolledAt = Date.now();
    expect(rolledBack.body).toMatchObject({ saved: true });
    const tookRollback = await msUntil(b, 'GO', rolledAt, (r) => r.route?.id === '232-help' && r.configVersion === rolledBack.body.configVersion);
    expect(tookRollback).toBeLessThan(1000);
    expect(b.proc.exitCode).toBeNull(); // no restart
  }, 30_000);
});
