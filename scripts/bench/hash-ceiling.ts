/**
 * The password workload's ceiling: each "ON" costs one scrypt hash at the gateway's SCRYPT_LOG_N, and the gateway
 * hashes on libuv's pool, one per core at a time (gateway.ts hashGate). Ceiling = the rate of the gateway's own
 * hashPassword run here the same way, one per core at a time, with nothing else to do. Scrypt is memory-bound, so
 * two at a time on two vCPUs are not twice one: on the box of stop 30, 1.5-1.9 times (one alone took 32 ms, two
 * at a time gave 48-60/s from run to run, not 62/s). The time of one alone is kept for the report. `npm run bench`
 * preloads bin/threadpool.cjs as `npm start` does, so libuv's pool here has a thread per core too (its default is
 * four).
 */
import { availableParallelism } from 'node:os';
import { hashPassword } from '../../src/actions/index.js';

export interface HashCeiling {
  logN: number;
  cores: number;
  samples: number;
  /** One hash alone (the median of `samples`). */
  msPerHash: number;
  /** Hashes per second with `cores` at a time: the ceiling. */
  hashesPerS: number;
}

export async function measureHashCeiling(logN: number, samples = 20): Promise<HashCeiling> {
  for (let i = 0; i < 3; i++) await hashPassword('warm-up', logN);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await hashPassword(`k7m2x9qp${i}`, logN);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const msPerHash = times[Math.floor(times.length / 2)] as number;
  const cores = availableParallelism();
  const total = Math.max(samples, cores * 50);
  let started = 0;
  const t = performance.now();
  await Promise.all(Array.from({ length: cores }, async () => {
    while (started < total) await hashPassword(`p4w8n3zr${started++}`, logN);
  }));
  const hashesPerS = (total * 1000) / (performance.now() - t);
  return { logN, cores, samples, msPerHash: Math.round(msPerHash * 100) / 100, hashesPerS: Math.round(hashesPerS) };
}
