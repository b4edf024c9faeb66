import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import { deleteBlock, insertBlock, listBlocks, type BlockRow } from '../../db/queries/blocklist.js';
import { applyChange, conflict, notFound, param } from './change.js';
import { blockEntry, blockPattern, type BlockView, type Deleted } from './schemas.js';

function blockView(b: Pick<BlockRow, 'pattern' | 'note'> & { createdAt?: Date }): BlockView {
  return { pattern: b.pattern, kind: b.pattern.endsWith('*') ? 'prefix' : 'number', note: b.note, ...(b.createdAt ? { createdAt: b.createdAt.toISOString() } : {}) };
}

/**
 * The block list (issue 11): numbers and prefixes the gateway takes nothing from and sends nothing to. Config like
 * routes: each change is a version (diff, rollback, export), and every node recompiles the list when the version moves.
 */
export function registerBlocklist(app: FastifyInstance, deps: { db: Db }) {
  app.get('/admin/blocklist', async (): Promise<BlockView[]> => (await listBlocks(deps.db)).map(blockView));

  app.post('/admin/blocklist', async (req, reply) => {
    const body = blockEntry.parse(req.body ?? {});
    const out = await applyChange(deps.db, req, async (tx) => (await insertBlock(tx, body)) ?? conflict(`${body.pattern} is already on the block list`));
    return reply.status(201).send({ ...blockView(out.result), configVersion: out.version });
  });

  app.delete('/admin/blocklist/:pattern', async (req): Promise<Deleted> => {
    const pattern = blockPattern.parse(param(req, 'pattern'));
    const out = await applyChange(deps.db, req, async (tx) => (await deleteBlock(tx, pattern)) || notFound(`block list entry ${pattern}`));
    return { deleted: pattern, configVersion: out.version };
  });
}
