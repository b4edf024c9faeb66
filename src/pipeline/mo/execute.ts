/**
 * The one executor of MO plans (keyword MO and USSD steps alike): the plan's slow preparation outside any
 * transaction, then the group-commit transaction (idempotency key, action, archive, operations log, outbox),
 * then the relay of the replies. A plan that is already done (its key taken) only has its replies relayed
 * again; the mt worker's sent-marker keeps a sent one from going out twice.
 */
import { APP_FORWARD, type ActionDeps, type Locale, type Reply } from '../../actions/index.js';
import { preparePlan, runPlan } from '../../actions/execute.js';
import type { ActionPlan } from '../../actions/plan.js';
import { replyRows } from '../../actions/reply-rows.js';
import { guessLocale } from '../../actions/locale-set.js';
import type { Tx } from '../../db/client.js';
import type { AssembledMo } from '../jobs.js';
import { archiveMo, type ArchivableMo } from './archive.js';
import type { MoBatcher, NewReply } from './batch.js';
import type { OutboxRelay } from '../outbox/relay.js';
import type { PartsStore } from './parts-store.js';

export interface ExecuteDeps {
  db: Parameters<typeof preparePlan>[0];
  batcher: MoBatcher;
  relay: OutboxRelay;
  /** Needed only for reassembled MO (Execution.partsKey). */
  parts?: Pick<PartsStore, 'markRouted'>;
  action: ActionDeps;
  faults?: { inTransaction?(idemKey: string): void; afterCommit?(idemKey: string): void };
  onRouted?(outcome: { action: string; binary: boolean }): void;
  /** Queues an app forward the plan committed (pipeline/apps/; its sweep is the backstop). */
  forwards?: { enqueue(id: string): Promise<void> };
}

/** The MO's identity and addresses (replies go from its destination back to its source; parts marked routed). */
export interface Execution extends Pick<AssembledMo, 'idemKey' | 'partsKey' | 'corr' | 'link' | 'source' | 'destination' | 'receivedAt' | 'channel'> {
  locale: Locale;
  /** null: no action, only `shape([])`'s replies (a USSD menu screen). */
  plan: ActionPlan | null;
  /** The replies as sent: the action's own for SMS, one screen for USSD. */
  shape?(replies: Reply[]): Reply[];
  tlvs?: NewReply['tlvs'];
  /** SMS MO are kept in the archive (when it is on) with their replies; USSD screens never. */
  archive?: ArchivableMo & { binary: boolean };
}

/** true: acted on now; false: acted on before (only its replies were relayed again). */
export async function executePlan(ex: Execution, deps: ExecuteDeps): Promise<boolean> {
  const plan = ex.plan;
  const prepares = plan?.action.prepare !== undefined;
  // While it is hashed, the prepared MO already submitted wait for it, to share its transaction (batch.ts gather).
  const arrived = prepares ? deps.batcher.expect() : undefined;
  let actionDeps: ActionDeps;
  try {
    actionDeps = plan ? await preparePlan(deps.db, plan, deps.action) : deps.action;
  } finally {
    arrived?.(); // right before its own submit (nothing runs between the two), or given up
  }
  const rows = await deps.batcher.submit({
    idemKey: ex.idemKey,
    // Prepared MO (password hashes) come one per hash: they gather into a shared transaction (batch.ts).
    gather: prepares,
    // Nothing of it needs the transaction (a menu screen, or an Action.pure): its batch may be one statement.
    pure: plan === null || plan.action.pure === true,
    record: { link: ex.link, source: ex.source, destination: ex.destination, corr: ex.corr, channel: ex.channel, state: 'acted', action: plan?.action.name ?? null },
    act: async (tx: Tx, operations, archive, locales) => {
      const acted = plan ? await runPlan(tx, plan, { ...actionDeps, operations, beforeArchiveChange: (msisdn) => archive.flush(msisdn) }) : [];
      const replies = ex.shape ? ex.shape(acted) : acted;
      // A text MO's language is remembered for the subscriber's USSD screens (issue 11), in the MO's own transaction
      // (one statement for the batch, after every action of it: a choice made in the batch still wins).
      const guess = plan && plan.msg.channel === 'sms' && !plan.refused ? guessLocale(plan.msg.text) : null;
      if (guess) locales({ msisdn: ex.source, locale: guess, at: deps.action.now() });
      if (ex.archive) await archiveMo(tx, ex.archive, deps.action.now(), archive.defer); // after the action: `ON` itself is kept
      deps.faults?.inTransaction?.(ex.idemKey);
      return replyRows(replies, { idemKey: ex.idemKey, link: ex.link, source: ex.destination, destination: ex.source, corr: ex.corr }, {
        ...(ex.archive ? { archive: { render: deps.action.render, locale: ex.locale } } : {}),
        ...(ex.tlvs ? { tlvs: ex.tlvs } : {}),
      });
    },
  });
  // Durable from here: action, operations log and replies committed together.
  deps.faults?.afterCommit?.(ex.idemKey);
  if (rows === null) await deps.relay.relayByIdemKey(ex.idemKey);
  else {
    deps.onRouted?.({ action: plan?.action.name ?? 'ussd.menu', binary: ex.archive?.binary === true });
    // The MO's arrival rides along to the mt job, for the MO→reply latency (a relay again has no MO at hand).
    const at = ex.receivedAt;
    await deps.relay.relay(at === undefined ? rows : rows.map((r) => ({ ...r, moAt: at })));
  }
  // The forward (app.forward) was committed with the MO: queued after commit, again on a re-run (same jobId).
  if (plan?.action.name === APP_FORWARD) await deps.forwards?.enqueue(ex.idemKey);
  if (ex.partsKey) await deps.parts?.markRouted(ex.partsKey);
  return rows !== null;
}
