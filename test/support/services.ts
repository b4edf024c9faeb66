/**
 * Real PostgreSQL and Redis for tests: testcontainers when a Docker engine answers, else the servers in
 * TEST_DATABASE_URL / TEST_REDIS_URL (default: the local ones). Each test file gets its own fresh database
 * and its own Redis key prefix, both removed by cleanup().
 */
import { nanoid } from 'nanoid';
import postgres from 'postgres';
import { Redis } from 'ioredis';
import { parseConfig, type Config } from '../../src/config.js';
import { deleteKeysWithPrefix, redisOptionsFromUrl } from '../../src/redis.js';

export interface TestServices {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  cleanup(): Promise<void>;
}

let containers: Promise<{ db: string; redis: string }> | undefined;

async function baseUrls(): Promise<{ db: string; redis: string }> {
  const db = process.env['TEST_DATABASE_URL'];
  const redis = process.env['TEST_REDIS_URL'];
  if (db || redis || process.env['SCGW_TEST_NO_CONTAINERS']) {
    return { db: db ?? 'postgres://root@127.0.0.1:5432/test', redis: redis ?? 'redis://127.0.0.1:6379' };
  }
  containers ??= (async () => {
    try {
      const tc = await import('testcontainers');
      await tc.getContainerRuntimeClient(); // rejects within milliseconds when no engine exists (LIBRARIES.md §5)
      const pg = await new tc.GenericContainer('postgres:15').withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_USER: 'root', POSTGRES_DB: 'test' }).withExposedPorts(5432).withWaitStrategy(tc.Wait.forLogMessage(/ready to accept connections/, 2)).start();
      const rd = await new tc.GenericContainer('redis:7').withExposedPorts(6379).start();
      return { db: `postgres://root@${pg.getHost()}:${pg.getMappedPort(5432)}/test`, redis: `redis://${rd.getHost()}:${rd.getMappedPort(6379)}` };
    } catch {
      return { db: 'postgres://root@127.0.0.1:5432/test', redis: 'redis://127.0.0.1:6379' };
    }
  })();
  return containers;
}

export async function testServices(): Promise<TestServices> {
  const base = await baseUrls();
  const name = `scgw_t_${nanoid(10).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const admin = postgres(base.db, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const u = new URL(base.db);
  u.pathname = `/${name}`;
  const prefix = `scgwt-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
  return {
    databaseUrl: u.toString(),
    redisUrl: base.redis,
    prefix,
    async cleanup() {
      const r = new Redis(redisOptionsFromUrl(base.redis));
      try {
        await deleteKeysWithPrefix(r, prefix);
      } finally {
        r.disconnect();
      }
      const a = postgres(base.db, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}

/** A Config for tests: ephemeral ports, the test database and prefix, quiet logs; override anything. */
export function testConfig(svc: TestServices, env: Record<string, string> = {}): Config {
  return parseConfig({
    DATABASE_URL: svc.databaseUrl,
    REDIS_URL: svc.redisUrl,
    REDIS_PREFIX: svc.prefix,
    SMPP_PORT: '0',
    SMPP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    OPS_PORT: '0',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    SCRYPT_LOG_N: '12',
    OUTBOX_SWEEP_AFTER_S: '5',
    ...env,
  });
}
