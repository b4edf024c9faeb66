import type { FastifyInstance } from 'fastify';
import { ScgwError } from '../errors.js';

export interface HealthDeps {
  /** Each check resolves when its part is ready; rejects (or resolves false) otherwise. */
  checks: Record<string, () => Promise<boolean>>;
}

/**
 * /healthz: the process is up. /readyz: every dependency answers (database, Redis, SMPP listener);
 * `/readyz?checks=redis,smpp` asks only those, so an SMPP listener stays in its Service while the
 * database restarts (intake needs only Redis). An unknown check name is a 400.
 */
export function registerHealth(app: FastifyInstance, deps: HealthDeps) {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get<{ Querystring: { checks?: string } }>('/readyz', async (req, reply) => {
    const results: Record<string, string> = {};
    let ok = true;
    const wanted = req.query.checks?.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = wanted?.filter((n) => !(n in deps.checks)) ?? [];
    if (unknown.length) throw new ScgwError('SCGW_BAD_REQUEST', `unknown check ${unknown.join(', ')} (known: ${Object.keys(deps.checks).join(', ')})`);
    const selected = Object.entries(deps.checks).filter(([name]) => !wanted?.length || wanted.includes(name));
    await Promise.all(selected.map(async ([name, check]) => {
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
