/**
 * A whole MO batch as ONE statement, for batches whose actions touch the database only through the rows they hand
 * back (pipeline/mo/batch.ts, Action.pure: help, MMS settings, a blocked number, a USSD menu screen). Its
 * data-modifying CTEs take the idempotency keys, and write only the rows of the keys taken now: the MO archive
 * (numbers whose archive is on), the operations log, the locale guesses and the replies. One statement is one
 * implicit transaction: all of it commits or none, with one round trip and no BEGIN or COMMIT of its own. The
 * batch transaction's four statements and four round trips did the same (db/queries/batch-rows.ts and the files
 * of each statement); the text here never changes with the number of rows (each column is one array parameter,
 * spread by `unnest`), so it is prepared once per connection, and it is run without drizzle's query builder (rawRows).
 */
import { rawRows, type Db } from '../client.js';
import { isoOrNull, jsonOrNull, type MoKeyRow, type ReplyRow, type WrittenReply } from './batch-rows.js';
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

/** $1–$8 keys, $9–$17 archive, $18–$25 operations log, $26–$29 locale guesses, $30–$39 replies: see `params` below. */
const TEXT = `with k as (
    insert into processed_mo (idem_key, link, source, destination, corr, channel, state, action)
    select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
    on conflict do nothing
    returning idem_key),
  a as (
    insert into sms_archive (msisdn, direction, peer, body, origin, link, corr, created_at)
    select v.msisdn, v.direction, v.peer, v.body, v.origin, v.link, v.corr, coalesce(v.created_at::timestamptz, now())
    from unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[]) with ordinality
      as v (idem_key, msisdn, direction, peer, body, origin, link, corr, created_at, n)
    join k using (idem_key)
    join subscribers s on s.msisdn = v.msisdn and s.archive_on
    order by v.n),
  o as (
    insert into operations (msisdn, action, channel, outcome, detail, corr, created_at)
    select u.msisdn, u.action, u.channel, u.outcome, u.detail::jsonb, u.corr, u.created_at::timestamptz
    from unnest($18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[]) with ordinality
      as u (idem_key, msisdn, action, channel, outcome, detail, corr, created_at, n)
    join k using (idem_key)
    order by u.n),
  g as (
    select distinct on (g.msisdn) g.msisdn, g.locale, g.at::timestamptz as at
    from unnest($26::text[], $27::text[], $28::text[], $29::text[]) with ordinality as g (idem_key, msisdn, locale, at, n)
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
    from unnest($30::text[], $31::text[], $32::text[], $33::text[], $34::text[], $35::text[], $36::text[], $37::text[], $38::text[], $39::text[]) with ordinality
      as u (idem_key, link, source, destination, corr, body, template, archive_text, payload, tlvs, n)
    join k using (idem_key)
    order by u.n
    returning id, idem_key, link, corr, source, destination, body, template, tlvs, payload)
  select k.idem_key, r.id, r.link, r.corr, r.source, r.destination, r.body, r.template, r.tlvs, r.payload
  from k left join r using (idem_key)`;

/** One column of `rows` as one array parameter (undefined as null). */
function col<T>(rows: readonly T[], pick: (row: T) => unknown): unknown[] {
  return rows.map((r) => pick(r) ?? null);
}

type Row = { idem_key: string; id: number | string | null; link: string; corr: string; source: string; destination: string; body: string | null; template: string; tlvs: unknown; payload: string | null };

export async function writeMoBatch(db: Db, b: MoBatchRows): Promise<MoBatchWritten> {
  const { keys, archive, operations, locales, replies } = b;
  const params = [
    col(keys, (x) => x.idemKey), col(keys, (x) => x.link), col(keys, (x) => x.source), col(keys, (x) => x.destination),
    col(keys, (x) => x.corr), col(keys, (x) => x.channel), col(keys, (x) => x.state), col(keys, (x) => x.action),
    col(archive, (e) => e.idemKey), col(archive, (e) => e.msisdn), col(archive, (e) => e.direction), col(archive, (e) => e.peer),
    col(archive, (e) => e.body), col(archive, (e) => e.origin), col(archive, (e) => e.link), col(archive, (e) => e.corr),
    col(archive, (e) => isoOrNull(e.createdAt)),
    col(operations, (x) => x.idemKey), col(operations, (x) => x.msisdn), col(operations, (x) => x.action), col(operations, (x) => x.channel),
    col(operations, (x) => x.outcome), col(operations, (x) => JSON.stringify(x.detail ?? {})), col(operations, (x) => x.corr),
    col(operations, (x) => isoOrNull(x.createdAt)),
    col(locales, (x) => x.idemKey), col(locales, (x) => x.msisdn), col(locales, (x) => x.locale), col(locales, (x) => x.at.toISOString()),
    col(replies, (x) => x.idemKey), col(replies, (x) => x.link), col(replies, (x) => x.source), col(replies, (x) => x.destination),
    col(replies, (x) => x.corr), col(replies, (x) => x.body), col(replies, (x) => x.template), col(replies, (x) => x.archiveText),
    col(replies, (x) => x.payload), col(replies, (x) => jsonOrNull(x.tlvs)),
  ];
  const fresh = new Set<string>();
  const written: WrittenReply[] = [];
  for (const x of await rawRows<Row>(db, TEXT, params)) {
    fresh.add(x.idem_key);
    if (x.id === null) continue; // taken now, no reply (a blocked number)
    written.push({
      id: Number(x.id), idemKey: x.idem_key, link: x.link, corr: x.corr, source: x.source, destination: x.destination, body: x.body, template: x.template,
      tlvs: (typeof x.tlvs === 'string' ? JSON.parse(x.tlvs) : x.tlvs) as WrittenReply['tlvs'], payload: x.payload,
    });
  }
  return { fresh, replies: written.sort((p, q) => p.id - q.id) };
}
