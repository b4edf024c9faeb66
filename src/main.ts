/**
 * The gateway process: parse config, find or start Redis, start the roles, stop them in reverse order on
 * SIGINT/SIGTERM (unbind peers, finish in-flight jobs, lose nothing). Wiring lives in gateway.ts.
 */
import { join, resolve } from 'node:path';
import { parseConfig } from './config.js';
import { prepareDataDir, writeSecretFile } from './data-dir.js';
import { DbLockedError } from './db/client.js';
import { isScgwError } from './errors.js';
import { createRootLogger, prettyDestination } from './log.js';
import { resolveRedis } from './redis.js';
import { startGateway } from './gateway.js';
import { serveParent, splitRoles, startWorkerProcess, WORKER_PROCESS_ENV, type WorkerProcess } from './gateway-processes.js';

async function main() {
  let config;
  try {
    config = parseConfig();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const log = createRootLogger(config.logLevel, process.stdout.isTTY ? await prettyDestination() : undefined);
  prepareDataDir(config.dataDir);
  if (config.abuse.homePrefixesDefaulted) {
    log.warn('HOME_PREFIXES is not set: the password form and /api/mms text only numbers starting with 7 (the demo\'s). Set it to your network\'s prefixes, e.g. HOME_PREFIXES=7916,7926');
  }
  let redis;
  try {
    redis = await resolveRedis({ url: config.redisUrl, topology: config.redisTopology, dataDir: config.dataDir, embedded: config.redisEmbedded, log });
  } catch (e) {
    log.fatal({ err: e }, 'cannot reach Redis');
    process.exit(1);
  }
  let split;
  try {
    split = splitRoles(config, { redisEmbedded: redis.embedded === true });
  } catch (e) {
    log.fatal((e as Error).message);
    await redis.stop();
    process.exit(2);
  }
  const isWorkerProcess = process.env[WORKER_PROCESS_ENV] === '1';
  if (!isWorkerProcess) {
    log.info({ redis: redis.describe, database: config.databaseUrl ? 'postgres' : `embedded PGlite in ${resolve(config.dataDir, 'pg')}`, processes: split ? 2 : 1 }, 'starting scgw');
  }
  let gw: Awaited<ReturnType<typeof startGateway>> | undefined;
  let worker: WorkerProcess | undefined;
  // `scgw node drain`: the same graceful stop as SIGINT (stop taking binds, finish in-flight work, exit 0).
  let drain = () => {};
  try {
    gw = await startGateway({
      // Split: this process keeps the listener and web roles; the workers role runs in the forked one.
      config: split ? Object.freeze({ ...config, roles: split.here }) : config, log, redis,
      ...(split ? { peerMetrics: async () => (worker ? worker.metrics() : []) } : {}),
      onFirstAdminToken: (token) => {
        const file = join(config.dataDir, 'admin-token');
        writeSecretFile(file, token + '\n');
        log.info({ file: resolve(file) }, 'first admin token written (the CLI reads it from there; keep it secret)');
      },
      onDrain: () => drain(),
    });
    if (split) worker = await startWorkerProcess({ roles: split.worker, log });
  } catch (e) {
    if (e instanceof DbLockedError || isScgwError(e)) log.fatal(e.message);
    else log.fatal({ err: e }, 'start failed');
    await gw?.stop();
    await redis.stop();
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: unbinding peers, finishing in-flight jobs');
    const force = setTimeout(() => { log.error('shutdown timed out; exiting'); process.exit(1); }, config.shutdownTimeoutMs + 5000);
    await Promise.all([gw?.stop(), worker?.stop(config.shutdownTimeoutMs)]);
    await redis.stop();
    clearTimeout(force);
    log.info('stopped');
    process.exit(0);
  };
  drain = () => void stop('drain');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (isWorkerProcess) {
    const metrics = gw.metrics.registry;
    serveParent({ metrics: () => metrics.getMetricsAsJSON(), onParentGone: () => void stop('parent gone') });
    return;
  }
  log.info({ smpp: gw.smppPort, http: gw.httpPort, ops: gw.opsPort, pid: process.pid, ...(worker ? { workerPid: worker.pid() } : {}) }, 'scgw ready');
}

void main();
