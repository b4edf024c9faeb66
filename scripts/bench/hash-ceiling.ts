/**
 * The password workload's ceiling: each "ON" costs one scrypt hash at the gateway's SCRYPT_LOG_N, and
 * hashes run on libuv's pool, at most one per core at a time. Ceiling = cores ÷ time of one hash, with the
 * hash timed here, one at a time, by the gateway's own hashPassword.
 */
import { availableParallelism } from 'node:os';
import { hashPassword } from '../../src/actions/index.js';

export interface HashCeiling {
  logN: number;
  cores: number;
  samples: number;
  msPerHash: number;
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
  return { logN, cores, samples, msPerHash: Math.round(msPerHash * 100) / 100, hashesPerS: Math.round((cores * 1000) / msPerHash) };
}
