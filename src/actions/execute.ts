/**
 * The transactional half of the one MO executor (pipeline/mo/execute.ts puts the queues around it; web/ may
 * call it directly): a plan's slow preparation outside any transaction, then its action inside the caller's.
 * `rehearse` is the dry run: the same two steps in a transaction that is always rolled back.
 */
import type { Db, Tx } from '../db/client.js';
import type { ActionPlan } from './plan.js';
import type { ActionDeps, Reply } from './types.js';

/** Slow, lock-free work (a password hash) before the transaction; its result reaches run() as deps.prepared. */
export async function preparePlan(db: Db, plan: ActionPlan, deps: ActionDeps): Promise<ActionDeps> {
  if (!plan.action.prepare) return deps;
  return { ...deps, prepared: await plan.action.prepare(db, plan.msg, plan.params, deps) };
}

export function runPlan(tx: Tx, plan: ActionPlan, deps: ActionDeps): Promise<Reply[]> {
  return plan.action.run(tx, plan.msg, plan.params, deps);
}

class RolledBack extends Error {
  constructor(readonly replies: Reply[]) { super('dry run: rolled back'); }
}

/** Prepares and runs the plan in a transaction that is always rolled back: the replies, and nothing happened. */
export async function rehearse(db: Db, plan: ActionPlan, deps: ActionDeps): Promise<Reply[]> {
  const prepared = await preparePlan(db, plan, deps);
  try {
    await db.transaction(async (tx) => { throw new RolledBack(await runPlan(tx, plan, prepared)); });
  } catch (e) {
    if (e instanceof RolledBack) return e.replies;
    throw e;
  }
  throw new Error('dry run transaction committed'); // unreachable: the callback always throws
}
