/**
 * `/password`: the seed's first-password flow. A number in, the personal-account password out by SMS (account.password,
 * channel web). Such forms are the classic SMS-pumping target (issue 10), so: only home-network numbers
 * (HOME_PREFIXES); at most PASSWORD_FORM_PER_MINUTE requests a minute in all and PASSWORD_FORM_PER_PREFIX_PER_MINUTE
 * per block of 10,000 numbers; per client (a keyed hash of its address, IPv6 per /64) PASSWORD_FORM_PER_IP_PER_HOUR;
 * per number the hourly password cap shared with SMS and USSD. The new password is pending: the old one keeps
 * working until the new one is used (actions/account-password.ts), so a stranger cannot take a password away.
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { accountPassword } from '../../actions/account-password.js';
import type { Locale } from '../../actions/index.js';
import { countFormRequests, recordFormRequest } from '../../db/queries/password-form.js';
import type { SubscriberDeps } from './deps.js';
import { html, type Html } from './html.js';
import { showNumber } from './i18n.js';
import { csrfField, layout, notice, sendPage, type View } from './layout.js';
import { clientAddress, clientKey, field, isHomeNumber, normaliseMsisdn, view } from './request.js';
import { prepareWebPlan, webPlan, webTransaction } from './act.js';
import { WEB_SMS_FROM } from './sms.js';
import { msisdnField } from './forms.js';

export type PasswordOutcome = 'sent' | 'foreign' | 'blocked' | 'capped-number' | 'capped-client' | 'capped-busy' | 'unavailable';

/** The block a number belongs to for the per-prefix cap: all but its last 4 digits (10,000 numbers). */
const block = (msisdn: string) => msisdn.slice(0, -4);

export async function requestPassword(deps: SubscriberDeps, msisdn: string, client: string, locale: Locale): Promise<PasswordOutcome> {
  if (!deps.sms.link()) return 'unavailable';
  if (!isHomeNumber(msisdn, deps.config.abuse.homePrefixes)) return 'foreign';
  const { passwordFormPerMinute, passwordFormPerPrefixPerMinute } = deps.config.abuse;
  for (const [key, max] of [['pwform:all', passwordFormPerMinute], [`pwform:block:${block(msisdn)}`, passwordFormPerPrefixPerMinute]] as const) {
    const r = await deps.limits.take(key, max, 60_000, 'refuse');
    if (!r.ok) return r.unavailable ? 'unavailable' : 'capped-busy';
  }
  const clientTag = deps.tag(`client:${clientKey(client)}`);
  const plan = webPlan(deps, { action: accountPassword.name, params: {}, msisdn, from: WEB_SMS_FROM.password, locale });
  // The block list (issue 11), decided by the planner: nothing is stored or sent, and the page says so.
  if (plan.refused) return 'blocked';
  // Hashed before the transaction: no lock is held while scrypt runs (issue 10 item 5).
  const ready = await prepareWebPlan(deps, plan);
  return webTransaction(deps, async (tx, act) => {
    // One client's requests are counted one at a time, so a burst cannot slip past the cap.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${clientTag}))`);
    const now = deps.now();
    const recent = await countFormRequests(tx, clientTag, new Date(now.getTime() - 3600_000));
    if (recent >= deps.config.web.passwordFormPerIpPerHour) return 'capped-client';
    await recordFormRequest(tx, clientTag, now);
    const replies = await act(ready);
    // Refused by the per-number cap: the page says so (the action sends no refusal SMS to the web).
    return replies.some((r) => r.template === accountPassword.name) ? 'sent' : 'capped-number';
  });
}

function passwordPage(v: View, opts: { msisdn?: string; result?: Html }): string {
  const body = html`<h1>${v.t('password.title')}</h1>
<p class="lead">${v.t('password.intro')}</p>
<div class="card narrow">
  ${opts.result ?? ''}
  <form method="post" action="/password" novalidate>
    ${csrfField(v)}
    ${msisdnField(v, opts.msisdn)}
    <button class="btn block" type="submit">${v.t('password.send')}</button>
  </form>
</div>`;
  return layout(v, { title: v.t('password.title'), section: 'password', body });
}

export function registerPassword(app: FastifyInstance, deps: SubscriberDeps) {
  app.get('/password', async (req, reply) => sendPage(reply, 200, passwordPage(view(req, reply), {})));

  app.post('/password', async (req, reply) => {
    const v = view(req, reply);
    const typed = field(req, 'msisdn');
    const msisdn = normaliseMsisdn(typed);
    if (!msisdn) return sendPage(reply, 400, passwordPage(v, { msisdn: typed, result: notice('error', v.t('form.bad-number')) }));
    const outcome = await requestPassword(deps, msisdn, clientAddress(req, deps.config.web.trustProxyHops), v.locale);
    deps.log.debug({ msisdn: deps.tag(msisdn), outcome }, 'password form');
    switch (outcome) {
      case 'sent':
        return sendPage(reply, 200, passwordPage(v, {
          msisdn: typed,
          result: notice('ok', html`${v.t('password.sent', { number: showNumber(msisdn) })} <a href="/account">${v.t('password.next')}</a>`),
        }));
      case 'capped-number':
        return sendPage(reply, 429, passwordPage(v, { msisdn: typed, result: notice('error', v.t('password.capped.number')) }));
      case 'foreign':
        return sendPage(reply, 400, passwordPage(v, { msisdn: typed, result: notice('error', v.t('password.foreign')) }));
      case 'blocked':
        return sendPage(reply, 403, passwordPage(v, { msisdn: typed, result: notice('error', v.t('password.blocked')) }));
      case 'capped-busy':
        reply.header('retry-after', '60');
        return sendPage(reply, 429, passwordPage(v, { msisdn: typed, result: notice('error', v.t('password.capped.busy')) }));
      case 'capped-client':
        return sendPage(reply, 429, passwordPage(v, { msisdn: typed, result: notice('error', v.t('password.capped.client')) }));
      case 'unavailable':
        return sendPage(reply, 503, passwordPage(v, { msisdn: typed, result: notice('error', v.t('password.unavailable')) }));
    }
  });
}
