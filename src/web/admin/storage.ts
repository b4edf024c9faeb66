import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { tableSizes } from '../../db/queries/retention.js';
import type { StorageView } from './schemas.js';

/** Redis and the retention job live in pipeline/ (bullmq); the wiring hands their views in as functions. */
export interface StorageDeps {
  db: Db;
  redis?: () => Promise<NonNullable<StorageView['redis']>>;
  lastPrune?: () => Promise<StorageView['retention']['lastRun']>;
  policy?: Record<string, number>;
}

/** What the gateway keeps and how much: `scgw storage`. Read-only; sizes come from the catalogue. */
export function registerStorage(app: FastifyInstance, deps: StorageDeps) {
  app.get('/admin/storage', async (req): Promise<StorageView> => {
    const tables = await tableSizes(deps.db);
    let redis: StorageView['redis'] = null;
    let lastRun: StorageView['retention']['lastRun'] = null;
    try {
      redis = deps.redis ? await deps.redis() : null;
      lastRun = deps.lastPrune ? await deps.lastPrune() : null;
    } catch (e) {
      // Redis away: the Postgres half still answers; the view says redis null.
      req.log.warn({ err: e }, 'storage: Redis did not answer');
    }
    return {
      postgres: { totalBytes: tables.reduce((a, t) => a + t.bytes, 0), tables },
      redis,
      retention: { policy: deps.policy ?? {}, lastRun },
    };
  });
}
