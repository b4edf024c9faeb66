/** A gateway process on the suite's own PostgreSQL and Redis with its links made, for the fuzz and the soak. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewayProcess, type GatewayProcess } from '../bench/gateway-process.js';
import { prepareDatabase, type BenchLink } from '../bench/services.js';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from './servers.js';

export interface OwnStack {
  pg: OwnPostgres;
  redis: OwnRedis;
  gw: GatewayProcess;
  logDir: string;
  stop(): Promise<void>;
}

export async function startOwnStack(o: { root: string; links: BenchLink[]; env?: Record<string, string> }): Promise<OwnStack> {
  const logDir = mkdtempSync(join(tmpdir(), 'scgw-own-logs-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'scgw-own-data-'));
  const pg = await startOwnPostgres();
  const redis = await startOwnRedis().catch(async (e: unknown) => { await pg.stop(); throw e; });
  try {
    await prepareDatabase({ databaseUrl: pg.url, dataDir }, o.links);
    const gw = await startGatewayProcess({
      root: o.root, logFile: join(logDir, 'gateway.log'), fromSource: true,
      env: { DATABASE_URL: pg.url, REDIS_URL: redis.url, REDIS_PREFIX: 'own', DATA_DIR: dataDir, REDIS_EMBEDDED: 'false', LOG_LEVEL: 'warn', ...o.env },
    });
    return {
      pg, redis, gw, logDir,
      async stop() {
        await gw.stop();
        await redis.stop();
        await pg.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await redis.stop();
    await pg.stop();
    throw e;
  }
}

/** VmRSS of a process in kB (0 once it is gone). */
export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
