/** `/archive`: the SMS archive behind number + archive password; newest first, paged, searchable. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listArchive, type ArchiveRow } from '../../db/queries/sms-archive.js';
import { getSubscriber } from '../../db/queries/subscribers.js';
import type { SubscriberDeps } from './deps.js';
import { loginForm, loginRefusal, pager, whoBar } from './forms.js';
import { html, type Html } from './html.js';
import { formatTime, showNumber } from './i18n.js';
import { layout, notice, sendPage, type View } from './layout.js';
import { attemptLogin } from './login.js';
import { clientAddress, field, normaliseMsisdn, pageParam, queryParam, view } from './request.js';
import { clearSession, readSession, sessionCurrent, setSession } from './session.js';

const PAGE_SIZE = 20;

function loginPage(v: View, msisdn?: string, error?: Html): string {
  const body = html`<h1>${v.t('archive.title')}</h1>
${loginForm(v, { action: '/archive/login', ...(msisdn ? { msisdn } : {}), error: error ?? null, hint: v.t('login.archive.hint') })}`;
  return layout(v, { title: v.t('archive.title'), section: 'archive', body });
}

function message(v: View, m: ArchiveRow, timeZone: string): Html {
  const peer = showNumber(m.peer);
  return html`<li class="msg ${m.direction}">
  <div class="meta"><span class="peer">${m.direction === 'sent' ? v.t('archive.sent', { peer }) : v.t('archive.received', { peer })}</span>
  <span>${m.origin === 'feed' ? html`<span class="tag">${v.t('archive.copy')}</span> ` : ''}<time datetime="${m.createdAt.toISOString()}">${formatTime(m.createdAt, v.locale, timeZone)}</time></span></div>
  <p class="body">${m.body}</p>
</li>`;
}

export function registerArchive(app: FastifyInstance, deps: SubscriberDeps) {
  const secure = deps.config.publicUrl.startsWith('https:');
  const tz = deps.config.web.timeZone;

  async function current(req: FastifyRequest) {
    const s = readSession(req, 'archive', deps.now());
    if (!s) return null;
    const sub = await getSubscriber(deps.db, s.msisdn);
    return sub && sessionCurrent(s, sub.archivePasswordHash) ? sub : null;
  }

  app.get('/archive', async (req, reply) => {
    const v = view(req, reply);
    const sub = await current(req);
    if (!sub) return sendPage(reply, 200, loginPage(v));
    const q = queryParam(req, 'q').slice(0, 100);
    const page = pageParam(req);
    const { rows, total } = await listArchive(deps.db, sub.msisdn, { q, page, size: PAGE_SIZE });
    const empty = q ? v.t('archive.nomatch', { q }) : v.t('archive.empty');
    const body = html`<h1>${v.t('archive.title')}</h1>
${whoBar(v, v.t('archive.of', { number: showNumber(sub.msisdn) }), '/archive/logout')}
${sub.archiveOn ? '' : notice('warn', v.t('archive.off'))}
<form class="search" method="get" action="/archive" role="search">
  <input type="search" name="q" value="${q}" placeholder="${v.t('archive.search')}" aria-label="${v.t('archive.search')}">
  <button class="btn" type="submit">${v.t('archive.search.go')}</button>
</form>
${q ? html`<p><a href="/archive">${v.t('archive.search.clear')}</a></p>` : ''}
${rows.length ? html`<ol class="msgs">${rows.map((m) => message(v, m, tz))}</ol>` : html`<p class="card">${empty}</p>`}
${pager(v, '/archive', q ? { q } : {}, page, total, PAGE_SIZE)}`;
    return sendPage(reply, 200, layout(v, { title: v.t('archive.title'), section: 'archive', body }));
  });

  app.post('/archive/login', async (req, reply: FastifyReply) => {
    const v = view(req, reply);
    const typed = field(req, 'msisdn');
    const msisdn = normaliseMsisdn(typed);
    if (!msisdn) return sendPage(reply, 400, loginPage(v, typed, notice('error', v.t('form.bad-number'))));
    const r = await attemptLogin(deps, { kind: 'archive' }, msisdn, field(req, 'password'), v.locale, clientAddress(req, deps.config.web.trustProxyHops));
    if (r.ok) {
      setSession(reply, 'archive', r.session, secure);
      return reply.redirect('/archive', 303);
    }
    const { status, error } = loginRefusal(v, r, reply, tz, deps.now());
    return sendPage(reply, status, loginPage(v, typed, error));
  });

  app.post('/archive/logout', async (_req, reply) => {
    clearSession(reply, 'archive');
    return reply.redirect('/archive', 303);
  });
}
