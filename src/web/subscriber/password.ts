/**
 * `/password`: the seed's first-password flow. A number in, the personal-account password out by SMS (account.password,
 * channel web). Capped per number by the hourly password cap shared with SMS and USSD, and per client (a keyed hash
 * of its address) by PASSWORD_FORM_PER_IP_PER_HOUR: such forms are the classic SMS-pumping target.
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
import { clientAddress, field, normaliseMsisdn, view } from './request.js';
import { WEB_SMS_FROM, webMessage, withSms } from './sms.js';
import { msisdnField } from './forms.js';

export type PasswordOutcome = 'sent' | 'capped-number' | 'capped-client' | 'unavailable';

export async function requestPassword(deps: SubscriberDeps, msisdn: string, client: string, locale: Locale): Promise<PasswordOutcome> {
  if (!deps.sms.link()) return 'unavailable';
  const clientTag = deps.tag(`client:${client}`);
  return withSms(deps, async (tx, send) => {
    // One client's requests are counted one at a time, so a burst cannot slip past the cap.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${clientTag}))`);
    const now = deps.now();
    const recent = await countFormRequests(tx, clientTag, new Date(now.getTime() - 3600_000));
    if (recent >= deps.config.web.passwordFormPerIpPerHour) return 'capped-client';
    await recordFormRequest(tx, clientTag, now);
    const msg = webMessage(msisdn, WEB_SMS_FROM.password, locale);
    const replies = await accountPassword.run(tx, msg, {}, { ...deps.action, render: deps.render });
    const issued = replies.filter((r) => r.template === 'account.password');
    // Refused by the per-number cap: the page says so; no refusal SMS from the web (that would pump SMS too).
    if (issued.length === 0) return 'capped-number';
    for (const r of issued) await send(msisdn, WEB_SMS_FROM.password, r, locale);
    return 'sent';
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
      case 'capped-client':
        return sendPage(reply, 429, passwordPage(v, { msisdn: typed, result: notice('error', v.t('password.capped.client')) }));
      case 'unavailable':
        return sendPage(reply, 503, passwordPage(v, { msisdn: typed, result: notice('error', v.t('password.unavailable')) }));
    }
  });
}
