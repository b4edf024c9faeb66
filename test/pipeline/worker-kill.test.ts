import { spawn } from 'node:child_process';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, MO_JOB_OPTIONS, MO_QUEUE, WORKER_RECOVERY_OPTIONS, type Queues } from '../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../src/redis.js';
import { testServices, type TestServices } from '../support/services.js';

let svc: TestServices;
let producer: Redis;
let queues: Queues;
beforeAll(async () => {
  svc = await testServices();
  producer = new Redis({ ...redisOptionsFromUrl(svc.redisUrl), maxRetriesPerRequest: null });
  queues = createQueues(producer, svc.prefix);
});
afterAll(async () => { await queues.close(); producer.disconnect(); await svc.cleanup(); });

/**
 * The child's stdout, kept from its start: a line printed before its waiter is attached (a "holding" line can
 * arrive in the same turn as the add's reply, before `await add` returns) is still found.
 */
function watchLines(child: ReturnType<typeof spawn>) {
  let buf = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => { buf += d.toString(); for (const w of waiters) w(); });
  return (re: RegExp) => new Promise<RegExpExecArray>((resolve, reject) => {
    const look = () => {
      const m = re.exec(buf);
      if (!m) return;
      waiters.delete(look);
      resolve(m);
    };
    waiters.add(look);
    look();
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing ${re}: ${buf}`)));
  });
}

describe('a killed worker process', () => {
  it('hands the mo job it held to another worker once its lock expires (kill -9, no graceful stop)', async () => {
    // node with tsx's loader, not the tsx CLI: the CLI runs the script in a grandchild that a SIGKILL would orphan.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/hold-worker.ts', svc.redisUrl, svc.prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
    afterAll(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    const exited = new Promise((r) => child.once('exit', r));
    const waitLine = watchLines(child);
    await waitLine(/ready/);
    await queues.mo.add('mo', { kind: 'concat-timeout', partKey: 'p', nonce: 'n', link: 'l', corr: 'kill-test' }, { ...MO_JOB_OPTIONS, jobId: 'kill-test-1' });
    await waitLine(/holding kill-test-1/);

    // The second worker (another node, or the restarted one) is already up when the first dies.
    const conn = new Redis({ ...redisOptionsFromUrl(svc.redisUrl), maxRetriesPerRequest: null });
    let killedAt = 0;
    const picked = new Promise<number>((resolve) => {
      const w = new Worker(MO_QUEUE, async (job) => { resolve(Date.now()); await Promise.resolve(job.id); }, { connection: conn, prefix: svc.prefix, ...WORKER_RECOVERY_OPTIONS });
      w.on('error', () => {});
      afterAll(async () => { await w.close(); conn.disconnect(); });
    });
    child.kill('SIGKILL');
    killedAt = Date.now();
    await exited;
    const at = await picked;
    const ms = at - killedAt;
    console.log(`worker-kill: the held mo job ran on the second worker ${ms} ms after SIGKILL`);
    expect(ms).toBeGreaterThanOrEqual(0);
    // Completed mo jobs are removed at once (their payload is the subscriber's text).
    await expect.poll(async () => (await queues.mo.getJob('kill-test-1')) ?? null, { timeout: 5000 }).toBeNull();
  }, 90_000); // the lock (WORKER_RECOVERY_OPTIONS) plus a stalled check; a busy CI box stretches both
});
