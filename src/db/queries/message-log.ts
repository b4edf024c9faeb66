/**
 * The operator's message log (issue 11): MO from processed_mo (its log columns, written with the idempotency key)
 * and MT from the outbox, searched together by number, short code, link, time range and state, newest first or
 * oldest first, one keyset page at a time. Each filter is pushed into both halves so the number indexes
 * (processed_mo_source_time, outbox_destination_time) and the BRIN time indexes serve them. What is kept, and
 * so what can be found: RETAIN_PROCESSED_MO_DAYS for MO, RETAIN_OUTBOX_DAYS for MT.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../client.js';

export const MO_STATES = ['acted', 'blocked'] as const;
export const MT_STATES = ['pending', 'sent', 'failed'] as const;
export type MessageState = (typeof MO_STATES)[number] | (typeof MT_STATES)[number];

export interface MessageFilter {
  /** The subscriber's number (MO source, MT destination); with or without a leading '+'. */
  number?: string;
  shortCode?: string;
  link?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  state?: MessageState;
  direction?: 'mo' | 'mt';
}

/** Where a page ends: the last row's time as PostgreSQL prints it (microseconds kept) and its id. */
export interface MessageCursor { at: string; id: string }

export interface MessageRow {
  direction: 'mo' | 'mt';
  /** MO: the idempotency key; MT: `mt-` and the outbox id, zero-padded so ids sort as numbers. */
  id: string;
  at: Date;
  link: string | null;
  number: string | null;
  shortCode: string | null;
  state: string | null;
  /** MO: the action that ran; MT: the reply's template. */
  what: string | null;
  channel: string | null;
  corr: string | null;
  /** MT: the delivery receipt's final state, if one came back. */
  receipt: string | null;
  cursor: MessageCursor;
}

interface RawRow { direction: 'mo' | 'mt'; id: string; at: Date | string; at_text: string; link: string | null; number: string | null; short_code: string | null; state: string | null; what: string | null; channel: string | null; corr: string | null; receipt: string | null }

function numberForms(n: string): string[] {
  const bare = n.trim().replace(/^\+/, '');
  return [bare, `+${bare}`];
}

function half(kind: 'mo' | 'mt', f: MessageFilter, after: MessageCursor | undefined, order: 'asc' | 'desc'): SQL | null {
  const states: readonly string[] = kind === 'mo' ? MO_STATES : MT_STATES;
  if (f.direction && f.direction !== kind) return null;
  if (f.state && !states.includes(f.state)) return null;
  const col = kind === 'mo'
    ? { number: sql`source`, shortCode: sql`destination`, state: sql`state`, id: sql`idem_key` }
    : { number: sql`destination`, shortCode: sql`source`, state: sql`status`, id: sql`('mt-' || lpad(id::text, 20, '0'))` };
  const where: SQL[] = [kind === 'mo' ? sql`source is not null` : sql`true`];
  if (f.number) { const [a, b] = numberForms(f.number); where.push(sql`${col.number} in (${a}, ${b})`); }
  if (f.shortCode) where.push(sql`${col.shortCode} = ${f.shortCode}`);
  if (f.link) where.push(sql`link = ${f.link}`);
  if (f.from) where.push(sql`created_at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) where.push(sql`created_at < ${f.to.toISOString()}::timestamptz`);
  if (f.state) where.push(sql`${col.state} = ${f.state}`);
  if (after) {
    where.push(order === 'desc'
      ? sql`(created_at, ${col.id}) < (${after.at}::timestamptz, ${after.id})`
      : sql`(created_at, ${col.id}) > (${after.at}::timestamptz, ${after.id})`);
  }
  const select = kind === 'mo'
    ? sql`select 'mo' as direction, idem_key as id, created_at as at, created_at::text as at_text, link, source as number, destination as short_code,
        state, action as what, channel, corr, null::text as receipt from processed_mo`
    : sql`select 'mt' as direction, ('mt-' || lpad(id::text, 20, '0')) as id, created_at as at, created_at::text as at_text, link, destination as number,
        source as short_code, status as state, template as what, null::text as channel, corr, receipt_state as receipt from outbox`;
  return sql`${select} where ${sql.join(where, sql` and `)}`;
}

/** One page: `limit` rows after `after` (exclusive), newest first (`desc`) or oldest first (`asc`). */
export async function searchMessages(db: DbOrTx, f: MessageFilter, opts: { limit: number; after?: MessageCursor; order?: 'asc' | 'desc' }): Promise<MessageRow[]> {
  const order = opts.order ?? 'desc';
  const halves = [half('mo', f, opts.after, order), half('mt', f, opts.after, order)].filter((h): h is SQL => h !== null);
  if (halves.length === 0) return [];
  const dir = order === 'desc' ? sql`desc` : sql`asc`;
  // Each half is limited and ordered on its own first, so neither is read past the page.
  const parts = halves.map((h) => sql`(${h} order by created_at ${dir}, id ${dir} limit ${opts.limit})`);
  const r = await db.execute(sql`select * from (${sql.join(parts, sql` union all `)}) m order by at ${dir}, id ${dir} limit ${opts.limit}`);
  return rowsOf<RawRow>(r).map((x) => ({
    direction: x.direction, id: x.id, at: new Date(x.at), link: x.link, number: x.number, shortCode: x.short_code, state: x.state,
    what: x.what, channel: x.channel, corr: x.corr, receipt: x.receipt, cursor: { at: x.at_text, id: x.id },
  }));
}
