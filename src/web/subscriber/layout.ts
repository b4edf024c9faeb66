/** The one layout every subscriber page shares: header with navigation and language switch, main, footer. */
import type { FastifyReply } from 'fastify';
import type { Locale } from '../../actions/index.js';
import { html, type Html } from './html.js';
import type { Translate } from './i18n.js';
import type { StringKey } from './strings-en.js';

export type Section = 'home' | 'archive' | 'account' | 'password' | 'mms';

export interface View {
  locale: Locale;
  t: Translate;
  /** the request path (no query): the language links point back at it. */
  path: string;
  csrf: string;
}

const NAV: ReadonlyArray<[Section, string, StringKey]> = [
  ['archive', '/archive', 'nav.archive'],
  ['account', '/account', 'nav.account'],
  ['password', '/password', 'nav.password'],
];

export function layout(v: View, opts: { title: string; section: Section; body: Html }): string {
  const other: Locale = v.locale === 'en' ? 'ru' : 'en';
  return html`<!doctype html>
<html lang="${v.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${opts.title} · ${v.t('site.name')}</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header class="top">
  <div class="bar">
    <a class="brand" href="/"><span class="logo" aria-hidden="true">✉</span>${v.t('site.name')}</a>
    <a class="lang" href="${v.path}?lang=${other}" hreflang="${other}" lang="${other}" aria-label="${v.t('lang.switch')}">${other === 'ru' ? 'Русский' : 'English'}</a>
  </div>
  <nav class="nav" aria-label="${v.t('site.name')}">
    ${NAV.map(([s, href, key]) => html`<a href="${href}"${s === opts.section ? html` aria-current="page"` : ''}>${v.t(key)}</a>`)}
  </nav>
</header>
<main class="main">
${opts.body}
</main>
<footer class="foot">${v.t('footer.note')}</footer>
</body>
</html>`.__html;
}

export function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page);
}

/** A notice box: `ok` (green), `warn` (amber) or `error` (red); role=alert for the last two. */
export function notice(kind: 'ok' | 'warn' | 'error', text: string | Html): Html {
  return html`<p class="notice ${kind}"${kind === 'ok' ? '' : html` role="alert"`}>${text}</p>`;
}

export function csrfField(v: View): Html {
  return html`<input type="hidden" name="_csrf" value="${v.csrf}">`;
}
