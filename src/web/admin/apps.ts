import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { getApp, insertApp, listApps, removeApp, updateApp, type AppRow } from '../../db/queries/apps.js';
import { applyChange, conflict, notFound, param } from './change.js';
import { appCreate, appName, appPatch, type AppCreated, type AppView, type Deleted } from './schemas.js';

/** Never the secret: it signs every POST and stays in the apps table; views say only whether it is set. */
function view(row: AppRow): AppView {
  return {
    name: row.name, url: row.url, timeoutMs: row.timeoutMs, maxAttempts: row.maxAttempts, backoffMs: row.backoffMs, concurrency: row.concurrency,
    fallbackTemplate: row.fallbackTemplate, fallbackText: row.fallbackText, enabled: row.enabled, secretSet: row.secret !== '', createdAt: row.createdAt.toISOString(),
  };
}

/** A generated signing secret: 256 bits, base64url. */
export function newAppSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * HTTP apps (issue 11): config like routes, each change a version (diff, rollback, export show `secretSet`, never
 * the secret). The secret is returned once, by the POST that created it (generated when not given).
 */
export function registerApps(app: FastifyInstance, deps: { db: Db }) {
  const nameOf = (req: Parameters<typeof param>[0]) => appName.parse(param(req, 'name'));

  app.get('/admin/apps', async (): Promise<AppView[]> => (await listApps(deps.db)).map(view));

  app.get('/admin/apps/:name', async (req): Promise<AppView> => {
    const name = nameOf(req);
    return view((await getApp(deps.db, name)) ?? notFound(`app named "${name}"`));
  });

  app.post('/admin/apps', async (req, reply) => {
    const { secret, ...fields } = appCreate.parse(req.body ?? {});
    const key = secret ?? newAppSecret();
    const out = await applyChange(deps.db, req, async (tx) => (await insertApp(tx, { ...fields, secret: key })) ?? conflict(`app "${fields.name}" already exists`));
    const created: AppCreated = { ...view(out.result), secret: key, configVersion: out.version };
    return reply.status(201).send(created);
  });

  /** Any field but the name; `secret` replaces the signing secret (forwards posted from then on use it). */
  app.patch('/admin/apps/:name', async (req): Promise<AppView> => {
    const name = nameOf(req);
    const fields = appPatch.parse(req.body ?? {});
    const out = await applyChange(deps.db, req, async (tx) => {
      const current = (await getApp(tx, name)) ?? notFound(`app named "${name}"`);
      if (Object.keys(fields).length === 0) return current;
      return (await updateApp(tx, name, fields)) ?? notFound(`app named "${name}"`);
    });
    return { ...view(out.result), configVersion: out.version };
  });

  /** Refused (422) while a route forwards to the app; pending forwards to it then get their fallback. */
  app.delete('/admin/apps/:name', async (req): Promise<Deleted> => {
    const name = nameOf(req);
    const out = await applyChange(deps.db, req, async (tx) => (await removeApp(tx, name)) || notFound(`app named "${name}"`));
    return { deleted: name, configVersion: out.version };
  });
}
