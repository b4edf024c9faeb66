/** An in-process gateway on the test services, plus helpers to create links and read state. */
import { hashPassword } from '../../src/actions/index.js';
import { createLink } from '../../src/db/queries/links.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { createRootLogger, type Logger } from '../../src/log.js';
import { resolveRedis } from '../../src/redis.js';
import { testConfig, testServices, type TestServices } from './services.js';

export interface TestGateway {
  gw: Gateway;
  svc: TestServices;
  adminToken: string;
  addLink(name: string, password: string, extra?: Partial<Parameters<typeof createLink>[1]>): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestGateway(opts: { svc?: TestServices; env?: Record<string, string>; faults?: GatewayOptions['faults']; now?: () => Date; log?: Logger; onHash?: GatewayOptions['onHash'] } = {}): Promise<TestGateway> {
  const svc = opts.svc ?? (await testServices());
  const config = testConfig(svc, opts.env);
  const log = opts.log ?? createRootLogger(config.logLevel);
  const redis = await resolveRedis({ url: config.redisUrl, topology: config.redisTopology, dataDir: config.dataDir, embedded: false, log });
  let adminToken = '';
  const gw = await startGateway({
    config, log, redis,
    onFirstAdminToken: (t) => { adminToken = t; },
    ...(opts.faults ? { faults: opts.faults } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.onHash ? { onHash: opts.onHash } : {}),
  });
  return {
    gw, svc, adminToken,
    async addLink(name, password, extra = {}) {
      await createLink(gw.db.db, { name, passwordHash: await hashPassword(password, 12), ...extra });
    },
    async stop() {
      await gw.stop();
      if (!opts.svc) await svc.cleanup();
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`): for effects that happen asynchronously. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
