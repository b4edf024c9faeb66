/**
 * The subscriber's stored language (issue 11 item 5): what USSD screens are shown in, since a USSD string is digits
 * and says nothing about the language. Set by an explicit choice (the menu's "Language" item, actions/locale-set.ts),
 * which sticks, and otherwise guessed from the subscriber's last text MO (pipeline/mo/execute.ts): Cyrillic → ru,
 * Latin letters → en, digits and symbols say nothing. A guess never overrides a choice.
 */
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { arrayParam } from './batch-rows.js';
import { subscribers } from '../schema/index.js';

/** The stored locale ('en' for a number we have no row for: the column's default). */
export async function storedLocale(db: DbOrTx, msisdn: string): Promise<string> {
  const [row] = await db.select({ locale: subscribers.locale }).from(subscribers).where(eq(subscribers.msisdn, msisdn));
  return row?.locale ?? 'en';
}

/** A language guessed from an MO's text, and when. */
export interface LocaleGuess { msisdn: string; locale: 'en' | 'ru'; at: Date }

/**
 * The guesses of an MO batch, in the batch's transaction, in ONE statement: `ru` creates the row (a new number's
 * default is `en`); `en` only changes an existing one; a number's last guess wins. Nothing is written where the
 * locale is already right or was chosen. Numbers are taken in order, so two batches lock rows in one order.
 */
export async function noteMoLocales(tx: Tx, guesses: readonly LocaleGuess[]): Promise<void> {
  const last = new Map<string, LocaleGuess>();
  for (const g of guesses) { last.delete(g.msisdn); last.set(g.msisdn, g); }
  if (last.size === 0) return;
  const rows = [...last.values()].sort((a, b) => (a.msisdn < b.msisdn ? -1 : a.msisdn > b.msisdn ? 1 : 0));
  await tx.execute(sql`with v (msisdn, locale, at) as (
      select u.msisdn, u.locale, u.at::timestamptz from unnest(${arrayParam(rows, (g) => g.msisdn, 'text')}, ${arrayParam(rows, (g) => g.locale, 'text')}, ${arrayParam(rows, (g) => g.at.toISOString(), 'text')}) as u (msisdn, locale, at)),
    en as (
      update subscribers s set locale = 'en', updated_at = v.at from v
      where v.locale = 'en' and s.msisdn = v.msisdn and s.locale <> 'en' and s.locale_chosen_at is null)
    insert into subscribers (msisdn, locale, created_at, updated_at)
    select msisdn, locale, at, at from v where locale = 'ru' order by msisdn
    on conflict (msisdn) do update set locale = excluded.locale, updated_at = excluded.updated_at
    where subscribers.locale_chosen_at is null and subscribers.locale <> excluded.locale`);
}

/** An explicit choice: stored and marked chosen, so later MO guesses leave it alone. */
export async function chooseLocale(tx: Tx, msisdn: string, locale: 'en' | 'ru', now: Date): Promise<void> {
  await tx.insert(subscribers).values({ msisdn, locale, localeChosenAt: now, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: subscribers.msisdn, set: { locale, localeChosenAt: now, updatedAt: now } });
}
