import type { FastifyInstance } from 'fastify';
import { html } from './html.js';
import { layout, sendPage } from './layout.js';
import { view } from './request.js';

/** `/`: what a subscriber can do here, one card per page. */
export function registerHome(app: FastifyInstance) {
  app.get('/', async (req, reply) => {
    const v = view(req, reply);
    const card = (href: string, title: string, text: string) => html`<section class="card"><h2>${title}</h2><p>${text}</p><a class="btn secondary" href="${href}">${v.t('home.open')}</a></section>`;
    const body = html`<h1>${v.t('home.title')}</h1>
<p class="lead">${v.t('home.intro')}</p>
<div class="cards">
  ${card('/archive', v.t('nav.archive'), v.t('home.archive.text'))}
  ${card('/account', v.t('account.title'), v.t('home.account.text'))}
  ${card('/password', v.t('password.title'), v.t('home.password.text'))}
</div>`;
    return sendPage(reply, 200, layout(v, { title: v.t('home.title'), section: 'home', body }));
  });
}
