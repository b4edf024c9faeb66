/**
 * `/mms/{id}`: an MMS the MMSC could not deliver, shown to its recipient's number + the view password from the
 * SMS. Images inline, text parts as text, anything else as a download. After the keep time: 410, content gone.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getMms, getMmsPart, listMmsParts, type MmsPartInfo, type MmsRow } from '../../db/queries/mms.js';
import type { SubscriberDeps } from './deps.js';
import { loginForm, loginRefusal } from './forms.js';
import { html, type Html } from './html.js';
import { formatTime, showNumber } from './i18n.js';
import { layout, notice, sendPage, type View } from './layout.js';
import { attemptLogin } from './login.js';
import { clientAddress, field, normaliseMsisdn, view } from './request.js';
import { readSession, sessionCurrent, setSession } from './session.js';

/** Shown inline; everything else (SVG included: it can carry script) is a download. */
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

function page(v: View, title: string, body: Html): string {
  return layout(v, { title, section: 'mms', body: html`<h1>${title}</h1>${body}` });
}

function partHtml(v: View, mms: MmsRow, p: MmsPartInfo): Html {
  const src = `/mms/${encodeURIComponent(mms.id)}/parts/${p.seq}`;
  if (p.text !== null) return html`<p class="text">${p.text}</p>`;
  if (INLINE_IMAGES.has(p.contentType)) return html`<img src="${src}" alt="${p.name ?? v.t('mms.attachment')}">`;
  return html`<p><a class="btn secondary" href="${src}" download="${p.name ?? ''}">${v.t('mms.download')}: ${p.name ?? v.t('mms.attachment')} (${Math.ceil(p.bytes / 1024)} KB)</a></p>`;
}

export function registerMms(app: FastifyInstance, deps: SubscriberDeps) {
  const secure = deps.config.publicUrl.startsWith('https:');
  const tz = deps.config.web.timeZone;
  const gone = (m: MmsRow) => m.purgedAt !== null || m.expiresAt <= deps.now();

  /** The MMS, or the reply already sent (404 unknown, 410 past its keep time). */
  async function load(req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, v: View): Promise<MmsRow | null> {
    const mms = await getMms(deps.db, req.params.id);
    if (!mms) { sendPage(reply, 404, page(v, v.t('mms.title'), notice('error', v.t('mms.missing')))); return null; }
    if (gone(mms)) {
      sendPage(reply, 410, page(v, v.t('mms.gone.title'), html`<p class="card">${v.t('mms.gone.text', { days: deps.config.mms.keepDays })}</p>`));
      return null;
    }
    return mms;
  }

  function viewer(req: FastifyRequest, mms: MmsRow): boolean {
    const s = readSession(req, 'mms', deps.now());
    return !!s && s.mms === mms.id && s.msisdn === mms.recipient && sessionCurrent(s, mms.passwordHash);
  }

  function loginPage(v: View, mms: MmsRow, msisdn?: string, error?: Html): string {
    return page(v, v.t('mms.title'), html`<p class="lead">${v.t('mms.login.hint')}</p>
${loginForm(v, { action: `/mms/${encodeURIComponent(mms.id)}`, ...(msisdn ? { msisdn } : {}), error: error ?? null })}`);
  }

  app.get<{ Params: { id: string } }>('/mms/:id', async (req, reply) => {
    const v = view(req, reply);
    const mms = await load(req, reply, v);
    if (!mms) return reply;
    if (!viewer(req, mms)) return sendPage(reply, 200, loginPage(v, mms));
    const parts = await listMmsParts(deps.db, mms.id);
    return sendPage(reply, 200, page(v, v.t('mms.title'), html`<div class="card">
  <dl class="facts">
    <dt>${v.t('mms.from')}</dt><dd>${showNumber(mms.sender)}</dd>
    ${mms.subject ? html`<dt>${v.t('mms.subject')}</dt><dd>${mms.subject}</dd>` : ''}
  </dl>
  <div class="parts">${parts.map((p) => partHtml(v, mms, p))}</div>
  <p class="hint">${v.t('mms.kept', { time: formatTime(mms.expiresAt, v.locale, tz, true) })}</p>
</div>`));
  });

  app.post<{ Params: { id: string } }>('/mms/:id', async (req, reply) => {
    const v = view(req, reply);
    const mms = await load(req, reply, v);
    if (!mms) return reply;
    const typed = field(req, 'msisdn');
    const msisdn = normaliseMsisdn(typed);
    if (!msisdn) return sendPage(reply, 400, loginPage(v, mms, typed, notice('error', v.t('form.bad-number'))));
    const r = await attemptLogin(deps, { kind: 'mms', id: mms.id }, msisdn, field(req, 'password'), v.locale, clientAddress(req, deps.config.web.trustProxyHops));
    if (r.ok) {
      setSession(reply, 'mms', r.session, secure);
      return reply.redirect(`/mms/${encodeURIComponent(mms.id)}`, 303);
    }
    const { status, error } = loginRefusal(v, r, reply, tz, deps.now());
    return sendPage(reply, status, loginPage(v, mms, typed, error));
  });

  app.get<{ Params: { id: string; seq: string } }>('/mms/:id/parts/:seq', async (req, reply) => {
    const mms = await getMms(deps.db, req.params.id);
    if (!mms) return reply.status(404).send();
    if (gone(mms)) return reply.status(410).send();
    if (!viewer(req, mms)) return reply.status(403).send();
    const part = await getMmsPart(deps.db, mms.id, Number(req.params.seq));
    if (!part) return reply.status(404).send();
    const inline = INLINE_IMAGES.has(part.contentType) || part.contentType.startsWith('text/plain');
    const name = (part.name ?? `part-${part.seq}`).replace(/[^\w.\-]/g, '_');
    return reply
      .header('content-type', inline ? part.contentType : 'application/octet-stream')
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${name}"`)
      .header('cache-control', 'private, no-store')
      .send(part.data);
  });
}
