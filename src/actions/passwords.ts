/**
 * Generated passwords: nanoid over an alphabet without look-alikes (no 0/o, 1/l/i), stored only as scrypt
 * hashes `scrypt$logN$r$p$salt$hash` (parameters kept, so costs can change and old hashes still verify).
 * Issuing is capped per number per hour; past the cap one polite refusal per hour, then silence.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { customAlphabet } from 'nanoid';
import { rowsOf, type DbOrTx, type Tx } from '../db/client.js';
import { arrayParam } from '../db/queries/batch-rows.js';
import { passwordEvents, subscribers } from '../db/schema/index.js';
import { batchPerTick } from '../tick-batch.js';
import type { ActionDeps } from './types.js';

export const PASSWORD_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';

export function passwordGenerator(length: number): () => string {
  return customAlphabet(PASSWORD_ALPHABET, length);
}

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const R = 8;
const P = 1;
const KEYLEN = 32;

/** Async scrypt (libuv pool, never the event loop). maxmem must cover 128·N·r (LIBRARIES.md §6). */
export async function hashPassword(plain: string, logN: number): Promise<string> {
  const salt = randomBytes(16);
  const N = 2 ** logN;
  const key = await scrypt(plain, salt, KEYLEN, { N, r: R, p: P, maxmem: 256 * N * R + 1024 * 1024 });
  return `scrypt$${logN}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * A stored hash names its own cost, so a bad or hostile row could ask for gigabytes or hours. Refused
 * (false, before any work): r outside 1–32, p outside 1–16, memory 128·N·r over 1 GiB, a salt or key
 * outside 8–64 bytes. Our own hashes use r=8, p=1, 32-byte keys and logN up to 20 (SCRYPT_LOG_N).
 */
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEMORY = 1024 * 1024 * 1024;

export async function verifyPassword(plain: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, logNs, rs, ps, saltS, keyS] = parts as [string, string, string, string, string, string];
  const logN = Number(logNs), r = Number(rs), p = Number(ps);
  if (!Number.isInteger(logN) || logN < 1 || logN > 22) return false;
  if (!Number.isInteger(r) || r < 1 || r > MAX_R || !Number.isInteger(p) || p < 1 || p > MAX_P) return false;
  const N = 2 ** logN;
  if (128 * N * r > MAX_MEMORY) return false;
  if (keyS.length > 88 || saltS.length > 88) return false; // base64url of 64 bytes, checked before decoding
  const expected = Buffer.from(keyS, 'base64url');
  const salt = Buffer.from(saltS, 'base64url');
  if (expected.length < 16 || expected.length > 64 || salt.length < 8 || salt.length > 64) return false;
  const key = await scrypt(plain, salt, expected.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

export type PasswordKind = 'archive' | 'account';

/** A password generated and hashed before the transaction (Action.prepare), so the hash never holds a lock. */
export interface PreparedPassword { password: string; hash: string }

/** How many passwords `msisdn` was issued since `since`: the unlocked pre-check's count (preparePassword). */
export type IssuedCount = NonNullable<ActionDeps['issuedSince']>;

/**
 * Outside the transaction: hash a new password unless the number is already at its hourly cap (an
 * unlocked read; issuePassword decides again under the row lock). A flood past the cap costs no hashing.
 * `deps.issuedSince` counts (createIssuedCounts: the asks of a tick in one statement); unset, one query here.
 */
export async function preparePassword(
  db: DbOrTx,
  msisdn: string,
  deps: { now(): Date; newPassword(): string; hashPassword(p: string): Promise<string>; passwordsPerHour: number; issuedSince?: IssuedCount },
): Promise<PreparedPassword | null> {
  const hourAgo = new Date(deps.now().getTime() - 3600_000);
  const issued = deps.issuedSince ? await deps.issuedSince(msisdn, hourAgo) : (await countIssuedMany(db, [{ msisdn, since: hourAgo }]))[0] ?? 0;
  if (issued >= deps.passwordsPerHour) return null;
  const password = deps.newPassword();
  return { password, hash: await deps.hashPassword(password) };
}

/**
 * countIssued for many asks in ONE statement, each with its own number and `since`, in the order asked. Its text
 * is the same for any number of asks (one array parameter per column), so it is prepared once per connection.
 */
export async function countIssuedMany(db: DbOrTx, asks: readonly { msisdn: string; since: Date }[]): Promise<number[]> {
  if (asks.length === 0) return [];
  const r = await db.execute(sql`select (select count(*)::int from password_events e
      where e.msisdn = q.msisdn and e.outcome = 'issued' and e.created_at >= q.since::timestamptz) as n
    from unnest(${arrayParam(asks, (a) => a.msisdn, 'text')}, ${arrayParam(asks, (a) => a.since.toISOString(), 'text')}) with ordinality
      as q (msisdn, since, i)
    order by q.i`);
  return rowsOf<{ n: number | string }>(r).map((row) => Number(row.n));
}

/**
 * The pre-check's counts, asked by the `ON` of one event-loop tick (an intake tick's MO run together: one mo job),
 * in ONE statement instead of one round trip each. Each caller gets its own count; a failed statement rejects every
 * caller of it (their MO fail and are retried, as when their own query failed).
 */
export function createIssuedCounts(db: DbOrTx, maxPerStatement = 500): IssuedCount {
  const count = batchPerTick(async (asks: { msisdn: string; since: Date }[]) => {
    const counts = await countIssuedMany(db, asks);
    return asks.map((_, i) => counts[i] ?? 0);
  }, maxPerStatement);
  return (msisdn, since) => count({ msisdn, since });
}

export type IssueOutcome =
  | { ok: true; password: string; hash: string }
  | { ok: false; reason: 'rate-limited'; notify: boolean };

/**
 * Locks the subscriber row (created if new), applies the hourly cap, records the event and, when issued, stores the
 * hash: `store` is the SET clause of an UPDATE of the number's subscribers row. With a prepared password the event
 * and the store are one statement (a password costs the batch two round trips, not three); without one (a dry run,
 * or a number the unlocked pre-check saw at its cap) the hash is made under the lock and stored after.
 */
export async function issuePassword(
  tx: Tx,
  msisdn: string,
  kind: PasswordKind,
  deps: { now(): Date; newPassword(): string; hashPassword(p: string): Promise<string>; passwordsPerHour: number; prepared?: PreparedPassword | null },
  store: (hash: string) => SQL,
): Promise<IssueOutcome> {
  await lockSubscriber(tx, msisdn);
  const now = deps.now();
  const hourAgo = new Date(now.getTime() - 3600_000);
  const prepared = deps.prepared ?? undefined;
  // Under the row lock, one statement counts the hour's events and records this one as issued or refused (a new
  // statement, so its snapshot sees every event committed before the lock was ours); the update runs only if issued.
  const [row] = rowsOf<{ outcome: 'issued' | 'refused'; refused: number }>(await tx.execute(sql`
    with c as (
      select count(*) filter (where outcome = 'issued')::int as issued, count(*) filter (where outcome = 'refused')::int as refused
      from ${passwordEvents} where msisdn = ${msisdn} and created_at >= ${hourAgo.toISOString()}::timestamptz),
    e as (
      insert into ${passwordEvents} (msisdn, kind, outcome, created_at)
      select ${msisdn}, ${kind}, case when c.issued >= ${deps.passwordsPerHour} then 'refused' else 'issued' end, ${now.toISOString()}::timestamptz from c
      returning outcome)${prepared ? sql`,
    s as (update ${subscribers} set ${store(prepared.hash)} where msisdn = ${msisdn} and exists (select 1 from e where outcome = 'issued'))` : sql``}
    select e.outcome, c.refused from e, c`));
  if (!row) throw new Error('password event not recorded');
  if (row.outcome === 'refused') return { ok: false, reason: 'rate-limited', notify: row.refused === 0 };
  if (prepared) return { ok: true, ...prepared };
  const password = deps.newPassword();
  const hash = await deps.hashPassword(password);
  await tx.execute(sql`update ${subscribers} set ${store(hash)} where msisdn = ${msisdn}`);
  return { ok: true, password, hash };
}

/**
 * Creates the subscriber if new and takes its row lock, in one statement (an upsert that updates nothing but
 * still locks the row it hits): serialises concurrent requests from one number.
 */
export async function lockSubscriber(tx: Tx, msisdn: string) {
  const [row] = await tx.insert(subscribers).values({ msisdn })
    .onConflictDoUpdate({ target: subscribers.msisdn, set: { msisdn: sql`excluded.msisdn` } })
    .returning();
  if (!row) throw new Error('subscriber row vanished inside its own transaction');
  return row;
}
