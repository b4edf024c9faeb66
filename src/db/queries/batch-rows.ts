/**
 * The MO batch's multi-row writes (pipeline/mo/batch.ts) as statements whose text never changes with the number
 * of rows: each column is ONE array parameter, spread by `unnest`. A `values (…), (…)` list has a new text for
 * every batch size, so each was parsed and planned anew and cost the driver an extra round trip to describe it;
 * these are prepared once per connection. Both drivers send JS arrays as PostgreSQL arrays.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../client.js';
import type { outbox, processedMo } from '../schema/index.js';

/**
 * One column as one array parameter, cast to `type[]`. Timestamps go as text (ISO) and are cast per element:
 * postgres.js under drizzle cannot serialize a timestamptz[] parameter (drizzle replaces the element serializer).
 */
export function arrayParam<T>(rows: readonly T[], pick: (row: T) => unknown, type: string): SQL {
  return sql`${sql.param(rows.map((r) => pick(r) ?? null))}::${sql.raw(type)}[]`;
}

export function isoOrNull(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

export function jsonOrNull(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

/** processed_mo's row of an MO: its key and what the MO log keeps of it. */
export type MoKeyRow = Pick<typeof processedMo.$inferInsert, 'idemKey' | 'link' | 'source' | 'destination' | 'corr' | 'channel' | 'state' | 'action'>;

/** Takes the keys not taken before (ON CONFLICT DO NOTHING); returns those taken now. `rows` hold each key once. */
export async function takeMoKeys(tx: DbOrTx, rows: readonly MoKeyRow[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const r = await tx.execute(sql`insert into processed_mo (idem_key, link, source, destination, corr, channel, state, action)
    select * from unnest(${arrayParam(rows, (x) => x.idemKey, 'text')}, ${arrayParam(rows, (x) => x.link, 'text')},
      ${arrayParam(rows, (x) => x.source, 'text')}, ${arrayParam(rows, (x) => x.destination, 'text')}, ${arrayParam(rows, (x) => x.corr, 'text')},
      ${arrayParam(rows, (x) => x.channel, 'text')}, ${arrayParam(rows, (x) => x.state, 'text')}, ${arrayParam(rows, (x) => x.action, 'text')})
    on conflict do nothing
    returning idem_key`);
  return rowsOf<{ idem_key: string }>(r).map((x) => x.idem_key);
}

/** An outbox row as the executors write it: a reply to one number, on one link, under its request's key. */
export type ReplyRow = Pick<typeof outbox.$inferInsert, 'idemKey' | 'link' | 'source' | 'destination' | 'corr' | 'body' | 'template' | 'archiveText' | 'payload' | 'tlvs'>;

/** What the relay needs of each written row (pipeline/outbox/relay.ts RelayRow), with its request's key. */
export interface WrittenReply {
  id: number; idemKey: string; link: string; corr: string; source: string; destination: string; body: string | null; template: string;
  tlvs: ReplyRow['tlvs'] | null; payload: string | null;
}

/** Writes the replies, ids in the order given; returns them in that order. */
export async function insertReplies(tx: DbOrTx, rows: readonly ReplyRow[]): Promise<WrittenReply[]> {
  if (rows.length === 0) return [];
  const r = await tx.execute(sql`insert into outbox (idem_key, link, source, destination, corr, body, template, archive_text, payload, tlvs)
    select u.idem_key, u.link, u.source, u.destination, u.corr, u.body, u.template, u.archive_text, u.payload, u.tlvs::jsonb
    from unnest(${arrayParam(rows, (x) => x.idemKey, 'text')}, ${arrayParam(rows, (x) => x.link, 'text')}, ${arrayParam(rows, (x) => x.source, 'text')},
      ${arrayParam(rows, (x) => x.destination, 'text')}, ${arrayParam(rows, (x) => x.corr, 'text')}, ${arrayParam(rows, (x) => x.body, 'text')},
      ${arrayParam(rows, (x) => x.template, 'text')}, ${arrayParam(rows, (x) => x.archiveText, 'text')}, ${arrayParam(rows, (x) => x.payload, 'text')},
      ${arrayParam(rows, (x) => jsonOrNull(x.tlvs), 'text')}) with ordinality
      as u (idem_key, link, source, destination, corr, body, template, archive_text, payload, tlvs, n)
    order by u.n
    returning id, idem_key, link, corr, source, destination, body, template, tlvs, payload`);
  return rowsOf<{ id: number | string; idem_key: string; link: string; corr: string; source: string; destination: string; body: string | null; template: string; tlvs: unknown; payload: string | null }>(r)
    .map((x) => ({
      id: Number(x.id), idemKey: x.idem_key, link: x.link, corr: x.corr, source: x.source, destination: x.destination, body: x.body, template: x.template,
      tlvs: (typeof x.tlvs === 'string' ? JSON.parse(x.tlvs) : x.tlvs) as WrittenReply['tlvs'], payload: x.payload,
    }))
    .sort((a, b) => a.id - b.id);
}
