/**
 * A whole MO batch as ONE statement, for batches whose actions touch the database only through the rows they hand
 * back (pipeline/mo/batch.ts, Action.pure: help, MMS settings, a blocked number, a USSD menu screen). Its
 * data-modifying CTEs take the idempotency keys, and write only the rows of the keys taken now: the MO archive
 * (numbers whose archive is on), the operations log, the locale guesses and the replies. One statement is one
 * implicit transaction: all of it commits or none, with one round trip and no BEGIN or COMMIT of its own. The
 * batch transaction's four statements and four round trips did the same (db/queries/batch-rows.ts and the files
 * of each statement); the text here never changes with the number of rows, so it is prepared once per connection.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../client.js';
import { arrayParam, isoOrNull, jsonOrNull, type MoKeyRow, type ReplyRow, type WrittenReply } from './batch-rows.js';
import type { NewOperationRow } from './operations.js';
import type { ArchiveEntry } from './sms-archive.js';
import type { LocaleGuess } from './subscriber-locale.js';

/** A row written only if the key `idemKey` is taken by this statement. */
export type Keyed<T> = T & { idemKey: string };

export interface MoBatchRows {
  /** Each key once. */
  keys: readonly MoKeyRow[];
  archive: readonly Keyed<ArchiveEntry>[];
  operations: readonly Keyed<NewOperationRow>[];
  /** Per number the last guess of a key taken now wins (noteMoLocales's rule). */
  locales: readonly Keyed<LocaleGuess>[];
  replies: readonly ReplyRow[];
}

export interface MoBatchWritten {
  /** The keys taken now; the others were taken before, and nothing was written for them. */
  fresh: Set<string>;
  /** The replies written, in id order (the order given). */
  replies: WrittenReply[];
}

export async function writeMoBatch(db: DbOrTx, b: MoBatchRows): Promise<MoBatchWritten> {
  const { keys, archive, operations, locales, replies } = b;
  const r = await db.execute(sql`with k as (
      insert into processed_mo (idem_key, link, source, destination, corr, channel, state, action)
      select * from unnest(${arrayParam(keys, (x) => x.idemKey, 'text')}, ${arrayParam(keys, (x) => x.link, 'text')},
        ${arrayParam(keys, (x) => x.source, 'text')}, ${arrayParam(keys, (x) => x.destination, 'text')}, ${arrayParam(keys, (x) => x.corr, 'text')},
        ${arrayParam(keys, (x) => x.channel, 'text')}, ${arrayParam(keys, (x) => x.state, 'text')}, ${arrayParam(keys, (x) => x.action, 'text')})
      on conflict do nothing
      returning idem_key),
    a as (
      insert into sms_archive (msisdn, direction, peer, body, origin, link, corr, created_at)
      select v.msisdn, v.direction, v.peer, v.body, v.origin, v.link, v.corr, coalesce(v.created_at::timestamptz, now())
      from unnest(${arrayParam(archive, (e) => e.idemKey, 'text')}, ${arrayParam(archive, (e) => e.msisdn, 'text')}, ${arrayParam(archive, (e) => e.direction, 'text')},
        ${arrayParam(archive, (e) => e.peer, 'text')}, ${arrayParam(archive, (e) => e.body, 'text')}, ${arrayParam(archive, (e) => e.origin, 'text')},
        ${arrayParam(archive, (e) => e.link, 'text')}, ${arrayParam(archive, (e) => e.corr, 'text')}, ${arrayParam(archive, (e) => isoOrNull(e.createdAt), 'text')}) with ordinality
        as v (idem_key, msisdn, direction, peer, body, origin, link, corr, created_at, n)
      join k using (idem_key)
      join subscribers s on s.msisdn = v.msisdn and s.archive_on
      order by v.n),
    o as (
      insert into operations (msisdn, action, channel, outcome, detail, corr, created_at)
      select u.msisdn, u.action, u.channel, u.outcome, u.detail::jsonb, u.corr, u.created_at::timestamptz
      from unnest(${arrayParam(operations, (x) => x.idemKey, 'text')}, ${arrayParam(operations, (x) => x.msisdn, 'text')}, ${arrayParam(operations, (x) => x.action, 'text')},
        ${arrayParam(operations, (x) => x.channel, 'text')}, ${arrayParam(operations, (x) => x.outcome, 'text')}, ${arrayParam(operations, (x) => JSON.stringify(x.detail ?? {}), 'text')},
        ${arrayParam(operations, (x) => x.corr, 'text')}, ${arrayParam(operations, (x) => isoOrNull(x.createdAt), 'text')}) with ordinality
        as u (idem_key, msisdn, action, channel, outcome, detail, corr, created_at, n)
      join k using (idem_key)
      order by u.n),
    g as (
      select distinct on (g.msisdn) g.msisdn, g.locale, g.at::timestamptz as at
      from unnest(${arrayParam(locales, (x) => x.idemKey, 'text')}, ${arrayParam(locales, (x) => x.msisdn, 'text')}, ${arrayParam(locales, (x) => x.locale, 'text')},
        ${arrayParam(locales, (x) => x.at.toISOString(), 'text')}) with ordinality as g (idem_key, msisdn, locale, at, n)
      join k using (idem_key)
      order by g.msisdn, g.n desc),
    en as (
      update subscribers s set locale = 'en', updated_at = g.at from g
      where g.locale = 'en' and s.msisdn = g.msisdn and s.locale <> 'en' and s.locale_chosen_at is null),
    ru as (
      insert into subscribers (msisdn, locale, created_at, updated_at)
      select msisdn, locale, at, at from g where locale = 'ru' order by msisdn
      on conflict (msisdn) do update set locale = excluded.locale, updated_at = excluded.updated_at
      where subscribers.locale_chosen_at is null and subscribers.locale <> excluded.locale),
    r as (
      insert into outbox (idem_key, link, source, destination, corr, body, template, archive_text, payload, tlvs)
      select u.idem_key, u.link, u.source, u.destination, u.corr, u.body, u.template, u.archive_text, u.payload, u.tlvs::jsonb
      from unnest(${arrayParam(replies, (x) => x.idemKey, 'text')}, ${arrayParam(replies, (x) => x.link, 'text')}, ${arrayParam(replies, (x) => x.source, 'text')},
        ${arrayParam(replies, (x) => x.destination, 'text')}, ${arrayParam(replies, (x) => x.corr, 'text')}, ${arrayParam(replies, (x) => x.body, 'text')},
        ${arrayParam(replies, (x) => x.template, 'text')}, ${arrayParam(replies, (x) => x.archiveText, 'text')}, ${arrayParam(replies, (x) => x.payload, 'text')},
        ${arrayParam(replies, (x) => jsonOrNull(x.tlvs), 'text')}) with ordinality
        as u (idem_key, link, source, destination, corr, body, template, archive_text, payload, tlvs, n)
      join k using (idem_key)
      order by u.n
      returning id, idem_key, link, corr, source, destination, body, template, tlvs, payload)
    select k.idem_key, r.id, r.link, r.corr, r.source, r.destination, r.body, r.template, r.tlvs, r.payload
    from k left join r using (idem_key)`);
  const fresh = new Set<string>();
  const written: WrittenReply[] = [];
  type Row = { idem_key: string; id: number | string | null; link: string; corr: string; source: string; destination: string; body: string | null; template: string; tlvs: unknown; payload: string | null };
  for (const x of rowsOf<Row>(r)) {
    fresh.add(x.idem_key);
    if (x.id === null) continue; // taken now, no reply (a blocked number)
    written.push({
      id: Number(x.id), idemKey: x.idem_key, link: x.link, corr: x.corr, source: x.source, destination: x.destination, body: x.body, template: x.template,
      tlvs: (typeof x.tlvs === 'string' ? JSON.parse(x.tlvs) : x.tlvs) as WrittenReply['tlvs'], payload: x.payload,
    });
  }
  return { fresh, replies: written.sort((p, q) => p.id - q.id) };
}
