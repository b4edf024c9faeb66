import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { deleteTemplate, getTemplate, listTemplates, setTemplate } from '../../db/queries/templates.js';
import { applyChange, notFound, param } from './change.js';
import { locale, templateKey, templateQuery, templateSet, type Deleted, type TemplateView } from './schemas.js';

/**
 * Reply templates per locale (en, ru); a short code's help text is the template `help.<short code>`.
 * Placeholders are checked against the actions that render the template (validate.ts).
 */
export function registerTemplates(app: FastifyInstance, deps: { db: Db }) {
  const keyOf = (req: Parameters<typeof param>[0]) => ({ key: templateKey.parse(param(req, 'key')), locale: locale.parse(param(req, 'locale')) });

  app.get('/admin/templates', async (req): Promise<TemplateView[]> => {
    const q = templateQuery.parse(req.query ?? {});
    return (await listTemplates(deps.db, q)).map((t) => ({ key: t.key, locale: t.locale as TemplateView['locale'], body: t.body }));
  });

  app.get('/admin/templates/:key/:locale', async (req): Promise<TemplateView> => {
    const k = keyOf(req);
    const t = (await getTemplate(deps.db, k.key, k.locale)) ?? notFound(`template ${k.key}/${k.locale}`);
    return { ...k, body: t.body };
  });

  app.put('/admin/templates/:key/:locale', async (req): Promise<TemplateView> => {
    const k = keyOf(req);
    const { body } = templateSet.parse(req.body ?? {});
    const out = await applyChange(deps.db, req, (tx) => setTemplate(tx, { ...k, body }));
    return { ...k, body, configVersion: out.version };
  });

  app.delete('/admin/templates/:key/:locale', async (req): Promise<Deleted> => {
    const k = keyOf(req);
    const out = await applyChange(deps.db, req, async (tx) => (await deleteTemplate(tx, k.key, k.locale)) || notFound(`template ${k.key}/${k.locale}`));
    return { deleted: `${k.key}/${k.locale}`, configVersion: out.version };
  });
}
