/**
 * The bench's own PostgreSQL database and Redis key prefix (both fresh, both removed after), and the links
 * the load binds as, written straight into the database before the gateway starts (so every node's config
 * cache has them from its first read; the mt worker takes its rate and concurrency from there).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { hashPassword } from '../../src/actions/index.js';
import { openDb } from '../../src/db/index.js';
import { createLink } from '../../src/db/queries/links.js';
import { deleteKeysWithPrefix, redisOptionsFromUrl } from '../../src/redis.js';

export interface BenchServices {
  databaseUrl: string;
  database: string;
  redisUrl: string;
  prefix: string;
  /** A scratch DATA_DIR for gateway processes (admin token); removed by cleanup(). */
  dataDir: string;
  /** The gateway processes' logs: kept after cleanup(), so warnings can be read afterwards. */
  logDir: string;
  cleanup(): Promise<void>;
}

export interface BenchLink {
  name: string;
  password: string;
  window: number;
  ratePerSecond: number;
  /** The chaos suite: fold re-sends after a lost ack (links.dedupe_window_s), and room for a rebind beside a dying session. */
  dedupeWindowS?: number;
  maxSessions?: number;
}

export async function createBenchServices(opts: { databaseUrl: string; redisUrl: string }): Promise<BenchServices> {
  const suffix = randomBytes(5).toString('hex');
  const database = `scgw_bench_${suffix}`;
  const admin = postgres(opts.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${database}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(opts.databaseUrl);
  u.pathname = `/${database}`;
  const prefix = `scgwb-${suffix}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'scgw-bench-'));
  const logDir = mkdtempSync(join(tmpdir(), 'scgw-bench-logs-'));
  return {
    databaseUrl: u.toString(), database, redisUrl: opts.redisUrl, prefix, dataDir, logDir,
    async cleanup() {
      const r = new Redis({ ...redisOptionsFromUrl(opts.redisUrl), maxRetriesPerRequest: 2 });
      try {
        await deleteKeysWithPrefix(r, prefix);
      } finally {
        r.disconnect();
      }
      const a = postgres(opts.databaseUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists "${database}" with (force)`);
      } finally {
        await a.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Applies the migrations (the gateway finds nothing left to do) and creates the links. */
export async function prepareDatabase(svc: Pick<BenchServices, 'databaseUrl' | 'dataDir'>, links: BenchLink[]): Promise<void> {
  const db = await openDb({ url: svc.databaseUrl, dataDir: svc.dataDir, poolMax: 2 });
  try {
    await db.migrate();
    for (const l of links) {
      const created = await createLink(db.db, {
        name: l.name, passwordHash: await hashPassword(l.password, 12), window: l.window, ratePerSecond: l.ratePerSecond,
        // Throughput is what the bench measures: no MO rate cap (Kannel has none either).
        moRatePerSecond: null,
        ...(l.dedupeWindowS !== undefined ? { dedupeWindowS: l.dedupeWindowS } : {}),
        ...(l.maxSessions !== undefined ? { maxSessions: l.maxSessions } : {}),
      });
      if (!created) throw new Error(`bench: link ${l.name} exists already`);
    }
  } finally {
    await db.close();
  }
}
