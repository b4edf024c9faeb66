/**
 * A child process for kill tests: runs a `mo` Worker with the gateway's lock settings, takes one job,
 * prints "holding <jobId>" and never finishes it, so the parent can SIGKILL a process holding a job.
 * argv: redisUrl prefix
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { MO_QUEUE, WORKER_RECOVERY_OPTIONS } from '../../src/pipeline/queues.js';
import { redisOptionsFromUrl } from '../../src/redis.js';

const [redisUrl, prefix] = process.argv.slice(2) as [string, string];
const connection = new Redis({ ...redisOptionsFromUrl(redisUrl), maxRetriesPerRequest: null });
const worker = new Worker(MO_QUEUE, (job) => {
  process.stdout.write(`holding ${job.id}\n`);
  return new Promise<never>(() => {}); // held until the process dies
}, { connection, prefix, concurrency: 1, ...WORKER_RECOVERY_OPTIONS });
worker.on('error', () => {});
await worker.waitUntilReady();
process.stdout.write('ready\n');
