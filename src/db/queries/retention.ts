/**
 * Retention: every row the gateway writes has a lifetime. Each rule deletes in batches of `batch` rows,
 * one short statement each (`ctid = any(array(select ctid … limit n))`), so no lock is held for long
 * and the MO path never waits behind a big delete. Time-ordered tables are found through their BRIN
 * index on created_at. Rows still needed are never touched: unsent replies (outbox 'pending'), the
 * archive of a number whose archive is on (or recently off), accounts with a password, lock or alert.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../client.js';

export interface RetentionPolicy {
  /** processed_mo: must outlive every retry of the job (50 attempts, ≤ 30 s apart: ~25 min). */
  processedMoDays: number;
  /** sent or failed outbox rows (body already blanked); late receipts match them until then. */
  outboxDays: number;
  operationsDays: number;
  archiveDays: number;
  /** the whole archive of a number whose archive has been off (and untouched) this long. */
  archiveAfterOffDays: number;
  passwordEventsDays: number;
  /** subscribers with no password and archive off, and web_accounts with no alert or lock, untouched this long. */
  idleAccountsDays: number;
  /** an expired MMS's row (its content is already gone; the page says 410) until it is deleted (then 404). */
  expiredMmsDays: number;
}

export type PruneCounts = Record<string, number>;

interface Rule { name: string; table: string; pick: (now: Date, p: RetentionPolicy) => SQL }

const at = (t: Date) => sql`${t.toISOString()}::timestamptz`;
const daysAgo = (now: Date, days: number) => at(new Date(now.getTime() - days * 86_400_000));

/** `pick` returns a query selecting the ctid of up to `limit` rows to delete from `table`. */
const RULES: readonly Rule[] = [
  { name: 'processed_mo', table: 'processed_mo', pick: (now, p) => sql`select ctid from processed_mo where created_at < ${daysAgo(now, p.processedMoDays)}` },
  // Never a 'pending' row: it has not gone out yet (a link down for days still owes the reply).
  { name: 'outbox', table: 'outbox', pick: (now, p) => sql`select ctid from outbox where created_at < ${daysAgo(now, p.outboxDays)} and status <> 'pending'` },
  // App forwards (issue 11) live as long as replies; a pending one is still owed its POST or its fallback.
  { name: 'app_forwards', table: 'app_forwards', pick: (now, p) => sql`select ctid from app_forwards where created_at < ${daysAgo(now, p.outboxDays)} and state <> 'pending'` },
  { name: 'operations', table: 'operations', pick: (now, p) => sql`select ctid from operations where created_at < ${daysAgo(now, p.operationsDays)}` },
  { name: 'sms_archive', table: 'sms_archive', pick: (now, p) => sql`select ctid from sms_archive where created_at < ${daysAgo(now, p.archiveDays)}` },
  // Archive off: the subscriber can still read it for archiveAfterOffDays (the page shows it with an "off"
  // notice), then it goes. updated_at is the last change of the row; any later change only delays this.
  {
    name: 'sms_archive (archive off)', table: 'sms_archive', pick: (now, p) => sql`select a.ctid from subscribers s join sms_archive a on a.msisdn = s.msisdn
      where not s.archive_on and s.updated_at < ${daysAgo(now, p.archiveAfterOffDays)}`,
  },
  { name: 'password_events', table: 'password_events', pick: (now, p) => sql`select ctid from password_events where created_at < ${daysAgo(now, p.passwordEventsDays)}` },
  // A row the /password form or a stray MO created: nothing to log in with, nothing archived.
  {
    name: 'subscribers (idle)', table: 'subscribers', pick: (now, p) => sql`select ctid from subscribers
      where not archive_on and archive_password_hash is null and account_password_hash is null and updated_at < ${daysAgo(now, p.idleAccountsDays)}`,
  },
  {
    name: 'web_accounts (idle)', table: 'web_accounts', pick: (now, p) => sql`select ctid from web_accounts
      where not alert_on_login and not alert_on_failure and (locked_until is null or locked_until < ${at(now)})
      and updated_at < ${daysAgo(now, p.idleAccountsDays)}`,
  },
  // mms_parts go with their message (on delete cascade).
  { name: 'mms_messages (expired)', table: 'mms_messages', pick: (now, p) => sql`select ctid from mms_messages where purged_at < ${daysAgo(now, p.expiredMmsDays)}` },
  // Send API messages live as long as their outbox rows; never one still queued or with a callback still due
  // (api_callbacks go with their message: on delete cascade). Their Idempotency-Keys are remembered as long.
  {
    name: 'api_messages', table: 'api_messages', pick: (now, p) => sql`select m.ctid from api_messages m
      where m.queued_at < ${daysAgo(now, p.outboxDays)} and m.state <> 'queued'
      and not exists (select 1 from api_callbacks c where c.message_id = m.id and c.done_at is null and c.gave_up_at is null)`,
  },
];

/**
 * Runs every rule until it finds fewer than `batch` rows, or `maxBatches` batches (the rest waits for the
 * next run). Returns the rows deleted per rule.
 */
export async function pruneExpired(db: Db, policy: RetentionPolicy, opts: { now: Date; batch: number; maxBatches: number }): Promise<PruneCounts> {
  const counts: PruneCounts = {};
  for (const rule of RULES) {
    let total = 0;
    for (let i = 0; i < opts.maxBatches; i++) {
      const r = await db.execute(sql`with gone as (
          delete from ${sql.identifier(rule.table)} where ctid = any(array(${rule.pick(opts.now, policy)} limit ${opts.batch}::int))
          returning 1
        ) select count(*)::int as n from gone`);
      const n = Number(rowsOf<{ n: number }>(r)[0]?.n ?? 0);
      total += n;
      if (n < opts.batch) break;
    }
    counts[rule.name] = total;
  }
  return counts;
}

export interface TableSize { table: string; rows: number; exact: boolean; bytes: number }

/**
 * Rows and bytes (table + indexes + TOAST) of every table of ours. Small tables are counted exactly;
 * large ones use the planner's estimate (pg_class.reltuples, kept by autovacuum), since count(*) on them
 * would scan the whole table.
 */
export async function tableSizes(db: Db, exactBelow = 100_000): Promise<TableSize[]> {
  const r = await db.execute(sql`select c.relname as table, c.reltuples::float8 as estimate, pg_total_relation_size(c.oid)::float8 as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' order by bytes desc, c.relname`);
  const out: TableSize[] = [];
  for (const row of rowsOf<{ table: string; estimate: number; bytes: number }>(r)) {
    const estimate = Number(row.estimate);
    // reltuples is -1 until the table is first vacuumed or analyzed (PostgreSQL 14+).
    if (estimate < 0 || estimate < exactBelow) {
      const c = await db.execute(sql`select count(*)::float8 as n from ${sql.identifier(row.table)}`);
      out.push({ table: row.table, rows: Number(rowsOf<{ n: number }>(c)[0]?.n ?? 0), exact: true, bytes: Number(row.bytes) });
    } else {
      out.push({ table: row.table, rows: Math.round(estimate), exact: false, bytes: Number(row.bytes) });
    }
  }
  return out;
}
