/**
 * The end of a forward, in ONE transaction: the state leaves `pending` (guarded, so only one run gets past it)
 * and the replies (the app's, or the fallback) go into the outbox with it. A crash before commit leaves the forward
 * pending (it is posted again: at most a repeated POST, under the same Idempotency-Key); after commit, the outbox
 * relays the replies once (its sweep if the relay below is lost).
 */
import type { Locale } from '../../actions/index.js';
import type { Db } from '../../db/client.js';
import { finishForward, type ForwardRow } from '../../db/queries/apps.js';
import { outbox } from '../../db/schema/index.js';
import { RELAY_COLUMNS, type OutboxRelay, type RelayRow } from '../outbox/relay.js';

/** What goes to the subscriber: texts under a template label (the message log's "what"). */
export interface FinalReplies { template: string; texts: readonly string[] }

/** true: this run ended the forward (and wrote its replies); false: another run had. */
export async function finish(db: Db, relay: Pick<OutboxRelay, 'relay'>, fw: Pick<ForwardRow, 'id' | 'link' | 'shortCode' | 'msisdn' | 'corr'>, state: 'done' | 'failed', replies: FinalReplies, at: Date, why: string | null): Promise<boolean> {
  const rows = await db.transaction(async (tx): Promise<RelayRow[] | null> => {
    if (!(await finishForward(tx, fw.id, state, at, why))) return null;
    if (replies.texts.length === 0) return [];
    // Keyed by the MO's id, as the MO's own replies are (the message log and relayByIdemKey find them).
    return tx.insert(outbox).values(replies.texts.map((text) => ({
      idemKey: fw.id, link: fw.link, source: fw.shortCode, destination: fw.msisdn, corr: fw.corr, body: text, template: replies.template,
    }))).returning(RELAY_COLUMNS);
  });
  // Durable from here: the forward's end and its replies committed together.
  if (rows === null) return false;
  await relay.relay(rows);
  return true;
}

export function localeOf(row: Pick<ForwardRow, 'locale'>): Locale {
  return row.locale === 'ru' ? 'ru' : 'en';
}
