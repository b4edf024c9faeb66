/**
 * The web's executor of actions (the password form, MMS notices, login alerts): the shape of pipeline/mo/execute.ts
 * without its queues. planNamedAction → preparePlan outside any transaction (a password hash holds no lock and no
 * pool connection) → one transaction: the page's own checks and writes, the actions, their operations-log rows and
 * outbox rows → commit → relay. A crash between commit and relay loses nothing: the relay's sweep queues rows left
 * unrelayed. Replies are archived masked (outbox.archive_text) like any other.
 */
import { nanoid } from 'nanoid';
import type { ActionDeps, Locale, Reply } from '../../actions/index.js';
import { preparePlan, runPlan } from '../../actions/execute.js';
import { planNamedAction, type ActionPlan } from '../../actions/plan.js';
import { replyRows } from '../../actions/reply-rows.js';
import type { Tx } from '../../db/client.js';
import { insertOperations, type NewOperationRow } from '../../db/queries/operations.js';
import type { ReplyRow } from '../../db/queries/batch-rows.js';
import { insertWebReplies } from '../../db/queries/web-outbox.js';
import type { SubscriberDeps, WebReplyRow } from './deps.js';

export interface WebActionRequest {
  action: string;
  params: unknown;
  msisdn: string;
  /** The short code the SMS comes from (WEB_SMS_FROM). */
  from: string;
  locale: Locale;
  channel?: 'web' | 'api';
  /** Ties the action to the page's own operations-log row (a login and its alert); else a fresh one. */
  corr?: string;
}

/**
 * The plan of an action the web starts on a number; its replies go out on the web SMS link (none: not sent). A number
 * on the block list gets a refused plan (plan.refused): it runs nothing and nothing is written to the outbox.
 */
export function webPlan(deps: Pick<SubscriberDeps, 'sms' | 'blocked'>, req: WebActionRequest): ActionPlan {
  return planNamedAction({
    msisdn: req.msisdn, shortCode: req.from, text: '', link: deps.sms.link() ?? '', channel: req.channel ?? 'web',
    corr: req.corr ?? nanoid(12), locale: req.locale, blockedBy: deps.blocked(req.msisdn),
  }, req.action, req.params);
}

/** A plan whose slow part (Action.prepare) is done: run it with these deps. */
export interface ReadyPlan { plan: ActionPlan; deps: ActionDeps }

/** Outside any transaction: the plan's slow, lock-free part. */
export async function prepareWebPlan(deps: SubscriberDeps, plan: ActionPlan): Promise<ReadyPlan> {
  return { plan, deps: await preparePlan(deps.db, plan, { ...deps.action, render: deps.render }) };
}

/** Runs a plan in the web transaction; returns its replies (already written to the outbox, relayed after commit). */
export type Act = (plan: ReadyPlan | ActionPlan) => Promise<Reply[]>;

/**
 * One transaction around `body`: the page's checks and writes, and the actions it runs through `act`. An action
 * with a prepare step must come prepared (prepareWebPlan before the transaction); one without may be planned inside.
 */
export async function webTransaction<T>(deps: SubscriberDeps, body: (tx: Tx, act: Act) => Promise<T>): Promise<T> {
  let rows: WebReplyRow[] = [];
  const result = await deps.db.transaction(async (tx) => {
    const logged: NewOperationRow[] = [];
    const outboxRows: ReplyRow[] = [];
    const act: Act = async (p) => {
      if (!('plan' in p) && p.action.prepare) throw new Error(`${p.action.name} must be prepared before the transaction (prepareWebPlan)`);
      const ready = 'plan' in p ? p : { plan: p, deps: { ...deps.action, render: deps.render } };
      const { plan } = ready;
      const acted = await runPlan(tx, plan, { ...ready.deps, operations: (row) => { logged.push(row); } });
      if (!plan.msg.link) {
        if (acted.length) deps.log.warn({ templates: acted.map((r) => r.template) }, 'no link to send a web SMS on; not sent');
        return acted;
      }
      outboxRows.push(...replyRows(acted, {
        idemKey: `web-${plan.msg.corr}`, link: plan.msg.link, source: plan.msg.shortCode, destination: plan.msg.msisdn, corr: plan.msg.corr,
      }, { archive: { render: deps.render, locale: plan.msg.locale } }));
      return acted;
    };
    const out = await body(tx, act);
    await insertOperations(tx, logged);
    rows = await insertWebReplies(tx, outboxRows);
    return out;
  });
  // Durable from here: the replies are committed with the action.
  try {
    await deps.sms.relay(rows);
  } catch (e) {
    // Decided, not swallowed: the rows are in the outbox and the relay sweep queues them once Redis answers.
    deps.log.warn({ err: e, rows: rows.length }, 'web SMS relay failed; the outbox sweep will send them');
  }
  return result;
}
