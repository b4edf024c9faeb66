import type { FastifyInstance } from 'fastify';

export interface HealthDeps {
  /** Each check resolves when its part is ready; rejects (or resolves false) otherwise. */
  checks: Record<string, () => Promise<boolean>>;
}

/** /healthz: the process is up. /readyz: every dependency answers (database, Redis, SMPP listener). */
export function registerHealth(app: FastifyInstance, deps: HealthDeps) {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const results: Record<string, string> = {};
    let ok = true;
    await Promise.all(Object.entries(deps.checks).map(async ([name, check]) => {
      try {
        const good = await Promise.race([check(), new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]);
        results[name] = good ? 'ok' : 'failing';
        ok &&= good;
      } catch {
        results[name] = 'failing';
        ok = false;
      }
    }));
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: results });
  });
}
