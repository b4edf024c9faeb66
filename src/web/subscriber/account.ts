/**
 * `/account`: the operations archive behind number + personal-account password; the subscriber can clear it
 * (everything goes, one "cleared" entry stays). `/account/settings` (settings.ts) holds the login alerts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clearOperations } from '../../actions/index.js';
import { listOperations, type OperationRow } from '../../db/queries/operations.js';
import { getSubscriber, type SubscriberRow } from '../../db/queries/subscribers.js';
import type { SubscriberDeps } from './deps.js';
import { loginForm, loginRefusal, pager, whoBar } from './forms.js';
import { html, type Html } from './html.js';
import { formatTime, showNumber } from './i18n.js';
import { csrfField, layout, notice, sendPage, type View } from './layout.js';
import { attemptLogin } from './login.js';
import { clientAddress, field, normaliseMsisdn, pageParam, queryParam, view } from './request.js';
import { clearSession, readSession, sessionCurrent, setSession } from './session.js';
import { WEB_SMS_FROM, webMessage } from './sms.js';
import { EN, type StringKey } from './strings-en.js';

const PAGE_SIZE = 50;

function label(v: View, prefix: 'op' | 'outcome' | 'channel', value: string): string {
  const key = `${prefix}.${value}`;
  return key in EN ? v.t(key as StringKey) : value;
}

function loginPage(v: View, msisdn?: string, error?: Html): string {
  const hint = html`${v.t('login.account.hint')} <a href="/password">${v.t('login.account.link')}</a>.`;
  const body = html`<h1>${v.t('account.title')}</h1>
${loginForm(v, { action: '/account/login', ...(msisdn ? { msisdn } : {}), error: error ?? null, hint })}`;
  return layout(v, { title: v.t('account.title'), section: 'account', body });
}

function row(v: View, op: OperationRow, tz: string): Html {
  return html`<tr>
  <td class="when"><time datetime="${op.createdAt.toISOString()}">${formatTime(op.createdAt, v.locale, tz)}</time></td>
  <td class="what">${label(v, 'op', op.action)}</td>
  <td class="via">${label(v, 'channel', op.channel)}</td>
  <td class="result outcome-${op.outcome}">${label(v, 'outcome', op.outcome)}</td>
</tr>`;
}

/** The logged-in subscriber of the account pages, or null (no session, expired, or the password changed since). */
export async function accountSession(deps: SubscriberDeps, req: FastifyRequest): Promise<SubscriberRow | null> {
  const s = readSession(req, 'account', deps.now());
  if (!s) return null;
  const sub = await getSubscriber(deps.db, s.msisdn);
  return sub && sessionCurrent(s, sub.accountPasswordHash) ? sub : null;
}

export function registerAccount(app: FastifyInstance, deps: SubscriberDeps) {
  const secure = deps.config.publicUrl.startsWith('https:');
  const tz = deps.config.web.timeZone;

  app.get('/account', async (req, reply) => {
    const v = view(req, reply);
    const sub = await accountSession(deps, req);
    if (!sub) return sendPage(reply, 200, loginPage(v));
    const page = pageParam(req);
    const { rows, total } = await listOperations(deps.db, sub.msisdn, { page, size: PAGE_SIZE });
    const body = html`<h1>${v.t('account.title')}</h1>
${whoBar(v, v.t('account.of', { number: showNumber(sub.msisdn) }), '/account/logout', html`<a href="/account/settings">${v.t('account.settings')}</a> · `)}
${queryParam(req, 'cleared') === '1' ? notice('ok', v.t('account.cleared')) : ''}
<h2>${v.t('account.log')}</h2>
${rows.length ? html`<table class="ops">
  <thead><tr><th>${v.t('account.when')}</th><th>${v.t('account.what')}</th><th>${v.t('account.via')}</th><th>${v.t('account.result')}</th></tr></thead>
  <tbody>${rows.map((op) => row(v, op, tz))}</tbody>
</table>` : html`<p class="card">${v.t('account.empty')}</p>`}
${pager(v, '/account', {}, page, total, PAGE_SIZE)}
<details class="danger">
  <summary>${v.t('account.clear')}</summary>
  <div class="card">
    <p>${v.t('account.clear.explain')}</p>
    <form method="post" action="/account/clear">${csrfField(v)}<button class="btn wide-on-phone" type="submit">${v.t('account.clear.confirm')}</button></form>
  </div>
</details>`;
    return sendPage(reply, 200, layout(v, { title: v.t('account.title'), section: 'account', body }));
  });

  app.post('/account/login', async (req, reply) => {
    const v = view(req, reply);
    const typed = field(req, 'msisdn');
    const msisdn = normaliseMsisdn(typed);
    if (!msisdn) return sendPage(reply, 400, loginPage(v, typed, notice('error', v.t('form.bad-number'))));
    const r = await attemptLogin(deps, { kind: 'account' }, msisdn, field(req, 'password'), v.locale, clientAddress(req, deps.config.web.trustProxyHops));
    if (r.ok) {
      setSession(reply, 'account', r.session, secure);
      return reply.redirect('/account', 303);
    }
    const { status, error } = loginRefusal(v, r, reply, tz, deps.now());
    return sendPage(reply, status, loginPage(v, typed, error));
  });

  app.post('/account/clear', async (req, reply) => {
    const sub = await accountSession(deps, req);
    if (!sub) return reply.redirect('/account', 303);
    const msg = webMessage(sub.msisdn, WEB_SMS_FROM.account, view(req, reply).locale);
    await deps.db.transaction((tx) => clearOperations(tx, msg, deps.now()));
    return reply.redirect('/account?cleared=1', 303);
  });

  app.post('/account/logout', async (_req, reply) => {
    clearSession(reply, 'account');
    return reply.redirect('/account', 303);
  });
}
