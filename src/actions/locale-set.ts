import { z } from 'zod';
import { chooseLocale } from '../db/queries/subscriber-locale.js';
import { logOperation } from './oplog.js';
import type { Action } from './types.js';

/**
 * The subscriber's explicit language choice (the seeded USSD menu's "Language" item, issue 11): stored, and it
 * sticks against the guesses text MO make (db/queries/subscriber-locale.ts). The reply is in the chosen language.
 */
export const localeSet: Action<{ locale: 'en' | 'ru' }> = {
  name: 'locale.set',
  params: z.object({ locale: z.enum(['en', 'ru']) }).strict(),
  placeholders: { 'locale.set': [] },
  async run(tx, msg, params, deps) {
    const now = deps.now();
    await chooseLocale(tx, msg.msisdn, params.locale, now);
    await logOperation(tx, deps, msg, 'locale.set', 'ok', now, { locale: params.locale });
    return [{ template: 'locale.set', text: deps.render('locale.set', params.locale) }];
  },
};

const CYRILLIC = /[\u0400-\u04FF]/;
const LATIN = /[A-Za-z]/;

/**
 * What a text MO says about its writer's language (issue 11; README "USSD menus in the subscriber's language"):
 * any Cyrillic letter → ru; else any Latin letter → en; digits and symbols alone (`25`, `*111#`) → nothing.
 */
export function guessLocale(text: string): 'en' | 'ru' | null {
  if (CYRILLIC.test(text)) return 'ru';
  return LATIN.test(text) ? 'en' : null;
}
