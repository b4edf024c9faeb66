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

async function main() {
  let config;
  try {
    config = parseConfig();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const log = createRootLogger(config.logLevel, process.stdout.isTTY ? prettyDestination() : undefined);
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
  log.info({ redis: redis.describe, database: config.databaseUrl ? 'postgres' : `embedded PGlite in ${resolve(config.dataDir, 'pg')}` }, 'starting scgw');
  let gw: Awaited<ReturnType<typeof startGateway>> | undefined;
  // `scgw node drain`: the same graceful stop as SIGINT (stop taking binds, finish in-flight work, exit 0).
  let drain = () => {};
  try {
    gw = await startGateway({
      config, log, redis,
      onFirstAdminToken: (token) => {
        const file = join(config.dataDir, 'admin-token');
        writeSecretFile(file, token + '\n');
        log.info({ file: resolve(file) }, 'first admin token written (the CLI reads it from there; keep it secret)');
      },
      onDrain: () => drain(),
    });
  } catch (e) {
    if (e instanceof DbLockedError || isScgwError(e)) log.fatal(e.message);
    else log.fatal({ err: e }, 'start failed');
    await redis.stop();
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: unbinding peers, finishing in-flight jobs');
    const force = setTimeout(() => { log.error('shutdown timed out; exiting'); process.exit(1); }, config.shutdownTimeoutMs + 5000);
    await gw?.stop();
    await redis.stop();
    clearTimeout(force);
    log.info('stopped');
    process.exit(0);
  };
  drain = () => void stop('drain');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  log.info({ smpp: gw.smppPort, http: gw.httpPort }, 'scgw ready');
}

void main();
