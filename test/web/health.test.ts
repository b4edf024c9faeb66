import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/web/errors.js';
import { registerHealth } from '../../src/web/health.js';

/** The gateway's checks, with the database down (as during a PostgreSQL restart). */
function app() {
  const a = Fastify();
  a.setErrorHandler(errorHandler);
  registerHealth(a, {
    checks: {
      database: async () => { throw new Error('connect ECONNREFUSED'); },
      redis: async () => true,
      smpp: async () => true,
    },
  });
  return a;
}

describe('/readyz', () => {
  it('is 503 and names the failing check while the database is down', async () => {
    const r = await app().inject('/readyz');
    expect(r.statusCode).toBe(503);
    expect(r.json()).toEqual({ status: 'not ready', checks: { database: 'failing', redis: 'ok', smpp: 'ok' } });
  });

  it('asks only the named checks: an SMPP listener stays ready while the database restarts', async () => {
    const r = await app().inject('/readyz?checks=redis,smpp');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ready', checks: { redis: 'ok', smpp: 'ok' } });
  });

  it('refuses an unknown check name with a 400 that lists the known ones', async () => {
    const r = await app().inject('/readyz?checks=redis,dtabase');
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ code: 'SCGW_BAD_REQUEST', message: 'unknown check dtabase (known: database, redis, smpp)' });
  });
});
