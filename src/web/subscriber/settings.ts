/** `/account/settings`: login alerts by SMS (on each web login, on a wrong password), behind the account session. */
import type { FastifyInstance } from 'fastify';
import { logOperation } from '../../actions/oplog.js';
import { getAlertSettings, saveAlertSettings, type AlertSettings } from '../../db/queries/web-accounts.js';
import { accountSession } from './account.js';
import type { SubscriberDeps } from './deps.js';
import { html } from './html.js';
import { showNumber } from './i18n.js';
import { csrfField, layout, notice, sendPage, type View } from './layout.js';
import { field, queryParam, view } from './request.js';
import { WEB_SMS_FROM, webMessage } from './sms.js';

function settingsPage(v: View, msisdn: string, s: AlertSettings, saved: boolean): string {
  const box = (name: string, checked: boolean, text: string) => html`<label class="check"><input type="checkbox" name="${name}" value="on"${checked ? html` checked` : ''}> <span>${text}</span></label>`;
  const body = html`<h1>${v.t('settings.title')}</h1>
<p class="lead">${v.t('settings.intro', { number: showNumber(msisdn) })}</p>
<div class="card narrow">
  ${saved ? notice('ok', v.t('settings.saved')) : ''}
  <form method="post" action="/account/settings">
    ${csrfField(v)}
    ${box('alertOnLogin', s.alertOnLogin, v.t('settings.login'))}
    ${box('alertOnFailure', s.alertOnFailure, v.t('settings.failure'))}
    <button class="btn block" type="submit">${v.t('settings.save')}</button>
  </form>
</div>
<p><a href="/account">${v.t('settings.back')}</a></p>`;
  return layout(v, { title: v.t('settings.title'), section: 'account', body });
}

export function registerSettings(app: FastifyInstance, deps: SubscriberDeps) {
  app.get('/account/settings', async (req, reply) => {
    const sub = await accountSession(deps, req);
    if (!sub) return reply.redirect('/account', 303);
    const v = view(req, reply);
    return sendPage(reply, 200, settingsPage(v, sub.msisdn, await getAlertSettings(deps.db, sub.msisdn), queryParam(req, 'saved') === '1'));
  });

  app.post('/account/settings', async (req, reply) => {
    const sub = await accountSession(deps, req);
    if (!sub) return reply.redirect('/account', 303);
    const s: AlertSettings = { alertOnLogin: field(req, 'alertOnLogin') === 'on', alertOnFailure: field(req, 'alertOnFailure') === 'on' };
    const msg = webMessage(sub.msisdn, WEB_SMS_FROM.account, view(req, reply).locale);
    await deps.db.transaction(async (tx) => {
      const now = deps.now();
      await saveAlertSettings(tx, sub.msisdn, s, now);
      await logOperation(tx, {}, msg, 'alerts.settings', 'ok', now, { ...s });
    });
    return reply.redirect('/account/settings?saved=1', 303);
  });
}
