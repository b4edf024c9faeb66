/**
 * The subscriber's stored language (issue 11 item 5): what USSD screens are shown in, since a USSD string is digits
 * and says nothing about the language. Set by an explicit choice (the menu's "Language" item, actions/locale-set.ts),
 * which sticks, and otherwise guessed from the subscriber's last text MO (pipeline/mo/execute.ts): Cyrillic → ru,
 * Latin letters → en, digits and symbols say nothing. A guess never overrides a choice.
 */
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../client.js';
import { subscribers } from '../schema/index.js';

/** The stored locale ('en' for a number we have no row for: the column's default). */
export async function storedLocale(db: DbOrTx, msisdn: string): Promise<string> {
  const [row] = await db.select({ locale: subscribers.locale }).from(subscribers).where(eq(subscribers.msisdn, msisdn));
  return row?.locale ?? 'en';
}

/**
 * A guess from an MO's text, in the MO's transaction. `ru` creates the row (a new number's default is `en`); `en`
 * only changes an existing one. One statement, and it writes nothing when the locale is already right or chosen.
 */
export async function noteMoLocale(tx: Tx, msisdn: string, locale: 'en' | 'ru', now: Date): Promise<void> {
  if (locale === 'en') {
    await tx.update(subscribers).set({ locale, updatedAt: now })
      .where(and(eq(subscribers.msisdn, msisdn), ne(subscribers.locale, locale), isNull(subscribers.localeChosenAt)));
    return;
  }
  await tx.insert(subscribers).values({ msisdn, locale, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: subscribers.msisdn,
      set: { locale, updatedAt: now },
      setWhere: sql`${subscribers.localeChosenAt} is null and ${subscribers.locale} <> ${locale}`,
    });
}

/** An explicit choice: stored and marked chosen, so later MO guesses leave it alone. */
export async function chooseLocale(tx: Tx, msisdn: string, locale: 'en' | 'ru', now: Date): Promise<void> {
  await tx.insert(subscribers).values({ msisdn, locale, localeChosenAt: now, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: subscribers.msisdn, set: { locale, localeChosenAt: now, updatedAt: now } });
}
