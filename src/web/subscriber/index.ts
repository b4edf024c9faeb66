/**
 * web/subscriber/: the subscriber's pages (SPEC "The services"): SMS archive, operations archive, alert settings,
 * password by web form, MMS view. Server-rendered HTML (html.ts escapes everything), one layout and stylesheet,
 * English and Russian. Signed HTTP-only session cookies, CSRF tokens on every form, security headers.
 * Imports db/ and actions/; never bullmq or smpp/ (web SMS leave through functions main wires in: deps.sms).
 */
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import type { FastifyError, FastifyInstance } from 'fastify';
import { registerAccount } from './account.js';
import { registerArchive } from './archive.js';
import type { SubscriberDeps } from './deps.js';
import { registerHome } from './home.js';
import { html } from './html.js';
import { pickLocale, translator } from './i18n.js';
import { layout, sendPage } from './layout.js';
import { registerMms } from './mms.js';
import { registerPassword } from './password.js';
import { registerSettings } from './settings.js';
import { SITE_CSS } from './style.js';

export type { SubscriberDeps, WebSms, WebReplyRow } from './deps.js';

/** Registers the pages in `app` (an encapsulated context: the plugins and hooks here stay out of /admin). */
export async function registerSubscriber(app: FastifyInstance, deps: SubscriberDeps & { sessionSecret: string }) {
  const https = deps.config.publicUrl.startsWith('https:');
  await app.register(cookie, { secret: deps.sessionSecret });
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  await app.register(csrf, { cookieKey: 'scgw_csrf', cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, signed: true, secure: https } });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], imgSrc: ["'self'"], styleSrc: ["'self'"], scriptSrc: ["'none'"], objectSrc: ["'none'"],
        formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: https ? { maxAge: 31536000 } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  // Every form post carries the token (checked once the body is parsed).
  app.addHook('preHandler', (req, reply, done) => (req.method === 'POST' ? app.csrfProtection(req, reply, done) : done()));

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const t = translator(pickLocale(req, reply));
    const v = { locale: pickLocale(req, reply), t, path: req.url.split('?')[0] ?? '/', csrf: '' };
    const csrfFailure = err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET';
    const status = csrfFailure ? 403 : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'subscriber page failed');
    const text = csrfFailure ? t('error.csrf') : status === 404 ? t('error.notfound') : status >= 500 ? t('error.internal') : err.message;
    return sendPage(reply, status, layout(v, { title: t('error.title'), section: 'home', body: html`<h1>${t('error.title')}</h1><p class="notice error" role="alert">${text}</p>` }));
  });

  app.get('/static/site.css', async (_req, reply) => reply
    .header('content-type', 'text/css; charset=utf-8')
    .header('cache-control', 'public, max-age=3600')
    .send(SITE_CSS));

  registerHome(app);
  registerPassword(app, deps);
  registerArchive(app, deps);
  registerAccount(app, deps);
  registerSettings(app, deps);
  registerMms(app, deps);
}
