import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { deleteMenu, getMenu, insertMenu, listMenus, replaceMenu, type MenuRow } from '../../db/queries/menus.js';
import { applyChange, conflict, notFound, param } from './change.js';
import { menuCreate, menuSet, ussdCode, type Deleted, type MenuView } from './schemas.js';

function menuView(m: MenuRow): MenuView {
  return { code: m.code, title: m.title, items: m.items };
}

/**
 * USSD menus, one per USSD code: numbered items, each an action (+ params) or a submenu. Config only here;
 * actions and params are validated like routes'. TODO(#6): the USSD session runtime that walks them.
 */
export function registerMenus(app: FastifyInstance, deps: { db: Db }) {
  const codeOf = (req: Parameters<typeof param>[0]) => ussdCode.parse(param(req, 'code'));

  app.get('/admin/menus', async () => (await listMenus(deps.db)).map(menuView));

  app.get('/admin/menus/:code', async (req) => {
    const code = codeOf(req);
    return menuView((await getMenu(deps.db, code)) ?? notFound(`menu for ${code}`));
  });

  app.post('/admin/menus', async (req, reply) => {
    const menu = menuCreate.parse(req.body ?? {});
    const out = await applyChange(deps.db, req, async (tx) => (await insertMenu(tx, menu)) ?? conflict(`a menu for ${menu.code} already exists (PUT /admin/menus/{code} replaces it)`));
    return reply.status(201).send({ ...menuView(out.result), configVersion: out.version });
  });

  /** Creates or replaces the whole menu of one USSD code. */
  app.put('/admin/menus/:code', async (req) => {
    const code = codeOf(req);
    const { title, items } = menuSet.parse(req.body ?? {});
    const out = await applyChange(deps.db, req, async (tx) => (await replaceMenu(tx, { code, title, items })) ?? (await insertMenu(tx, { code, title, items }))!);
    return { ...menuView(out.result), configVersion: out.version };
  });

  app.delete('/admin/menus/:code', async (req): Promise<Deleted> => {
    const code = codeOf(req);
    const out = await applyChange(deps.db, req, async (tx) => (await deleteMenu(tx, code)) || notFound(`menu for ${code}`));
    return { deleted: code, configVersion: out.version };
  });
}
