/**
 * Web-originated SMS through the normal reply path: the action's transaction also writes the outbox rows, and
 * only after commit are they handed to the pipeline's relay. A crash in between loses nothing: the relay's
 * sweep queues rows left unrelayed. Replies are archived masked (outbox.archive_text) like any other.
 */
import { nanoid } from 'nanoid';
import { maskForArchive, type ActionMessage, type Locale, type Reply } from '../../actions/index.js';
import type { Tx } from '../../db/client.js';
import { insertWebReplies } from '../../db/queries/web-outbox.js';
import type { SubscriberDeps, WebReplyRow } from './deps.js';

/** Short codes web SMS come from: the services they belong to (SPEC "The services"). */
export const WEB_SMS_FROM = { password: '111', account: '111', archive: '232', mms: '1234' } as const;

export type SendSms = (to: string, from: string, reply: Reply, locale: Locale) => Promise<boolean>;

/** An ActionMessage for an action the web runs on a number (channel `web` or `api`). */
export function webMessage(msisdn: string, shortCode: string, locale: Locale, channel: 'web' | 'api' = 'web', link = ''): ActionMessage {
  return { msisdn, shortCode, text: '', args: '', link, channel, corr: nanoid(12), locale };
}

/**
 * Runs `fn` in one transaction with a `send` that writes outbox rows in it; relays them after commit.
 * `send` answers false (and writes nothing) when no link can carry web SMS.
 */
export async function withSms<T>(deps: SubscriberDeps, fn: (tx: Tx, send: SendSms) => Promise<T>): Promise<T> {
  const link = deps.sms.link();
  let rows: WebReplyRow[] = [];
  const result = await deps.db.transaction(async (tx) => {
    rows = [];
    const send: SendSms = async (to, from, reply, locale) => {
      if (!link) {
        deps.log.warn({ template: reply.template }, 'no link to send a web SMS on; not sent');
        return false;
      }
      const corr = nanoid(12);
      rows.push(...await insertWebReplies(tx, [{
        idemKey: `web-${corr}`, link, source: from, destination: to, body: reply.text, template: reply.template, corr,
        archiveText: maskForArchive(deps.render(reply.template, locale), reply.text),
      }]));
      return true;
    };
    return fn(tx, send);
  });
  // Durable from here: the replies are committed with the action.
  try {
    await deps.sms.relay(rows);
  } catch (e) {
    // Decided, not swallowed: the rows are in the outbox and the relay sweep queues them once Redis answers.
    deps.log.warn({ err: e, rows: rows.length }, 'web SMS relay failed; the outbox sweep will send them');
  }
  return result;
}
