/**
 * Web-originated SMS: the short codes they come from, and the message an action the web runs sees. They leave
 * through the normal reply path (outbox in the action's transaction, relay after commit): web/subscriber/act.ts.
 */
import { nanoid } from 'nanoid';
import type { ActionMessage, Locale } from '../../actions/index.js';

/** Short codes web SMS come from: the services they belong to (SPEC "The services"). */
export const WEB_SMS_FROM = { password: '111', account: '111', archive: '232', mms: '1234' } as const;

/** An ActionMessage for something the web does on a number (channel `web` or `api`): its operations-log rows. */
export function webMessage(msisdn: string, shortCode: string, locale: Locale, channel: 'web' | 'api' = 'web', link = ''): ActionMessage {
  return { msisdn, shortCode, text: '', args: '', link, channel, corr: nanoid(12), locale };
}
