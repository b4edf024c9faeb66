import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { outbox } from '../schema/index.js';

export interface SentMark { id: number; status: 'sent' | 'failed'; segments: number; messageIds: string[] }

/** One statement for many rows: the outcome of sent replies; the body (it may hold a password) is wiped. */
export async function markOutboxSent(db: DbOrTx, marks: readonly SentMark[]): Promise<void> {
  if (!marks.length) return;
  await db.execute(sql`
    update outbox set status = v.status, sent_at = now(), body = null,
      segments = case when v.segments > 0 then v.segments else outbox.segments end,
      message_ids = case when v.ids = '' then outbox.message_ids else string_to_array(v.ids, ' ') end
    from (select unnest(${sql.param(marks.map((m) => m.id))}::bigint[]) as id,
                 unnest(${sql.param(marks.map((m) => m.status))}::text[]) as status,
                 unnest(${sql.param(marks.map((m) => m.segments))}::int[]) as segments,
                 unnest(${sql.param(marks.map((m) => m.messageIds.join(' ')))}::text[]) as ids) as v
    where outbox.id = v.id`);
}

/** Rows queued in Redis: the sweep leaves them alone. */
export async function markOutboxRelayed(db: DbOrTx, ids: readonly number[]): Promise<void> {
  if (!ids.length) return;
  await db.execute(sql`update outbox set relayed_at = now() where id = any(${sql.param([...ids])}::bigint[]) and relayed_at is null`);
}

/** A reply settled (sent or failed) in the database: the record of a send that outlives Redis's copy of it. */
export async function outboxSettled(db: DbOrTx, id: number): Promise<boolean> {
  const [row] = await db.select({ status: outbox.status }).from(outbox).where(eq(outbox.id, id));
  return row !== undefined && row.status !== 'pending';
}
