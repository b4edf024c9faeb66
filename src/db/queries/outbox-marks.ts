import { eq } from 'drizzle-orm';
import { rawRows, type Db, type DbOrTx } from '../client.js';
import { outbox } from '../schema/index.js';

export interface SentMark { id: number; status: 'sent' | 'failed'; segments: number; messageIds: string[] }

/** writeOutboxMarks' statement, one text for any number of rows (each column one array parameter). */
const MARKS = `
    with s as (
      update outbox set status = v.status, sent_at = now(), body = null,
        relayed_at = case when outbox.id = any($1::bigint[]) then coalesce(outbox.relayed_at, now()) else outbox.relayed_at end,
        segments = case when v.segments > 0 then v.segments else outbox.segments end,
        message_ids = case when v.ids = '' then outbox.message_ids else string_to_array(v.ids, ' ') end
      from (select unnest($2::bigint[]) as id, unnest($3::text[]) as status, unnest($4::int[]) as segments, unnest($5::text[]) as ids) as v
      where outbox.id = v.id
      returning outbox.id, outbox.status, outbox.destination, outbox.source, outbox.archive_text, outbox.template, outbox.link, outbox.corr, outbox.payload
    ), r as (
      update outbox set relayed_at = now()
      where id = any($1::bigint[]) and relayed_at is null and not (id = any($2::bigint[]))
    )
    insert into sms_archive (msisdn, direction, peer, body, origin, link, corr, outbox_id, created_at)
    select s.destination, 'received', s.source, coalesce(s.archive_text, '[' || s.template || ']'), 'gateway', s.link, s.corr, s.id, $6::timestamptz
    from s join subscribers sub on sub.msisdn = s.destination and sub.archive_on
    where s.status = 'sent' and s.payload is null
    on conflict do nothing`;

/**
 * The outbox bookkeeping of a batch in ONE statement (one round trip, one commit): rows queued in Redis are marked
 * relayed (the sweep leaves them alone); sent replies get their outcome and lose their body (it may hold a
 * password); and those sent to a number whose archive is on are archived (`archive_text`, password masked, else
 * only the template name; binary replies are not archived; once per reply: unique outbox_id). A row both relayed
 * and sent in the batch is marked by the sent update alone (one statement must not update a row twice).
 * Idempotent: a retried batch changes nothing more. It is planned on each run, not
 * prepared: the best plan changes as the outbox grows.
 */
export async function writeOutboxMarks(db: Db, marks: { relayed: readonly number[]; sent: readonly SentMark[]; at: Date }): Promise<void> {
  const { relayed, sent, at } = marks;
  if (!relayed.length && !sent.length) return;
  // Planned on each run (client.ts UNPREPARED): a plan kept from a small outbox would read all of it on every flush.
  await rawRows(db, MARKS, [
    [...relayed], sent.map((m) => m.id), sent.map((m) => m.status), sent.map((m) => m.segments), sent.map((m) => m.messageIds.join(' ')), at.toISOString(),
  ], { planEachRun: true });
}

/** Sent replies' outcomes alone (writeOutboxMarks). */
export async function markOutboxSent(db: Db, marks: readonly SentMark[]): Promise<void> {
  await writeOutboxMarks(db, { relayed: [], sent: marks, at: new Date() });
}

/** A reply settled (sent or failed) in the database: the record of a send that outlives Redis's copy of it. */
export async function outboxSettled(db: DbOrTx, id: number): Promise<boolean> {
  const [row] = await db.select({ status: outbox.status }).from(outbox).where(eq(outbox.id, id));
  return row !== undefined && row.status !== 'pending';
}
