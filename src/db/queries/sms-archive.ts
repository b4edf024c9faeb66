import { and, count, desc, eq, ilike, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.js';
import { arrayParam, isoOrNull } from './batch-rows.js';
import { processedMo, smsArchive, subscribers } from '../schema/index.js';

export type ArchiveEntry = typeof smsArchive.$inferInsert;
export type ArchiveRow = typeof smsArchive.$inferSelect;

/** Stores the message for `entry.msisdn` if that number's archive is on; returns whether it did. */
export async function archiveIfOn(tx: DbOrTx, entry: ArchiveEntry): Promise<boolean> {
  const [sub] = await tx.select({ on: subscribers.archiveOn }).from(subscribers).where(eq(subscribers.msisdn, entry.msisdn));
  if (!sub?.on) return false;
  await tx.insert(smsArchive).values(entry);
  return true;
}

/**
 * archiveIfOn for many entries in ONE statement: the rows whose number has the archive on are inserted, in
 * order (ids follow the entries' order), the others dropped; the MO batch's (pipeline/mo/batch.ts). Its text is
 * the same for any number of entries (db/queries/batch-rows.ts).
 */
export async function archiveManyIfOn(tx: DbOrTx, entries: readonly ArchiveEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.execute(sql`insert into sms_archive (msisdn, direction, peer, body, origin, link, corr, created_at)
    select v.msisdn, v.direction, v.peer, v.body, v.origin, v.link, v.corr, coalesce(v.created_at::timestamptz, now())
    from unnest(${arrayParam(entries, (e) => e.msisdn, 'text')}, ${arrayParam(entries, (e) => e.direction, 'text')}, ${arrayParam(entries, (e) => e.peer, 'text')},
      ${arrayParam(entries, (e) => e.body, 'text')}, ${arrayParam(entries, (e) => e.origin, 'text')}, ${arrayParam(entries, (e) => e.link, 'text')},
      ${arrayParam(entries, (e) => e.corr, 'text')}, ${arrayParam(entries, (e) => isoOrNull(e.createdAt), 'text')}) with ordinality
      as v (msisdn, direction, peer, body, origin, link, corr, created_at, n)
    join subscribers s on s.msisdn = v.msisdn and s.archive_on
    order by v.n`);
}

/**
 * A copy from an archive-feed link (the operator's SMSC copying a subscriber's other traffic): stored for the
 * sender and the recipient, whichever has the archive on; never routed or answered. Once per idempotency key.
 */
export async function storeFeedCopy(db: Db, copy: { idemKey: string; link: string; source: string; destination: string; body: string; corr: string; at: Date }): Promise<number> {
  return db.transaction(async (tx) => {
    const fresh = await tx.insert(processedMo).values({ idemKey: copy.idemKey }).onConflictDoNothing().returning({ k: processedMo.idemKey });
    if (fresh.length === 0) return 0; // stored before (a retried job)
    const base = { body: copy.body, origin: 'feed' as const, link: copy.link, corr: copy.corr, createdAt: copy.at };
    const sent = await archiveIfOn(tx, { ...base, msisdn: copy.source, direction: 'sent', peer: copy.destination });
    const received = await archiveIfOn(tx, { ...base, msisdn: copy.destination, direction: 'received', peer: copy.source });
    return Number(sent) + Number(received);
  });
}

/** One page of a number's archive, newest first; `q` searches the text and the other party (case-insensitive). */
export async function listArchive(db: DbOrTx, msisdn: string, opts: { q?: string; page: number; size: number }): Promise<{ rows: ArchiveRow[]; total: number }> {
  const q = opts.q?.trim();
  const like = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const where = and(eq(smsArchive.msisdn, msisdn), like ? or(ilike(smsArchive.body, like), ilike(smsArchive.peer, like)) : undefined);
  const [rows, [n]] = await Promise.all([
    db.select().from(smsArchive).where(where).orderBy(desc(smsArchive.createdAt), desc(smsArchive.id))
      .limit(opts.size).offset((opts.page - 1) * opts.size),
    db.select({ n: count() }).from(smsArchive).where(where),
  ]);
  return { rows, total: Number(n?.n ?? 0) };
}
