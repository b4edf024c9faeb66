/** Page pieces used by more than one page: the login form, the "logged in as" bar, the pager, login outcomes. */
import type { FastifyReply } from 'fastify';
import { html, type Html } from './html.js';
import { formatTime } from './i18n.js';
import { csrfField, notice, type View } from './layout.js';
import type { LoginResult } from './login.js';

/** The phone-number field every subscriber form starts with. */
export function msisdnField(v: View, value?: string): Html {
  return html`<div class="field">
      <label for="msisdn">${v.t('form.msisdn')}<span class="hint">${v.t('form.msisdn.hint')}</span></label>
      <input id="msisdn" name="msisdn" type="tel" inputmode="tel" autocomplete="tel" required value="${value ?? ''}">
    </div>`;
}

export function loginForm(v: View, opts: { action: string; msisdn?: string; error?: Html | null; hint?: Html | string }): Html {
  return html`<div class="card narrow">
  ${opts.error ?? ''}
  <form method="post" action="${opts.action}" novalidate>
    ${csrfField(v)}
    ${msisdnField(v, opts.msisdn)}
    <div class="field">
      <label for="password">${v.t('form.password')}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" autocapitalize="none" spellcheck="false" required>
    </div>
    <button class="btn block" type="submit">${v.t('form.login')}</button>
  </form>
  ${opts.hint ? html`<p class="hint">${opts.hint}</p>` : ''}
</div>`;
}

/** The refusal a failed login shows, with its HTTP status (401 wrong, 429 locked, with Retry-After). */
export function loginRefusal(v: View, r: Exclude<LoginResult, { ok: true }>, reply: FastifyReply, timeZone: string, now: Date): { status: number; error: Html } {
  if (r.reason === 'locked' || r.reason === 'backoff') {
    const seconds = Math.max(1, Math.ceil((r.until.getTime() - now.getTime()) / 1000));
    reply.header('retry-after', String(seconds));
    return { status: 429, error: notice('error', r.reason === 'locked' ? v.t('login.locked', { time: formatTime(r.until, v.locale, timeZone, true) }) : v.t('login.backoff', { seconds })) };
  }
  if (r.reason === 'throttled') {
    reply.header('retry-after', '60');
    return { status: 429, error: notice('error', v.t('login.throttled')) };
  }
  if (r.reason === 'busy') {
    reply.header('retry-after', '5');
    return { status: 503, error: notice('error', v.t('login.busy')) };
  }
  return { status: 401, error: notice('error', v.t('login.bad')) };
}

export function whoBar(v: View, text: string, logoutAction: string, extra: Html | string = ''): Html {
  return html`<div class="who"><span>${text}</span><span>${extra}
  <form method="post" action="${logoutAction}" class="inline">${csrfField(v)}<button class="linkish" type="submit">${v.t('form.logout')}</button></form></span></div>`;
}

export function pager(v: View, base: string, params: Record<string, string>, page: number, total: number, size: number): Html {
  const pages = Math.max(1, Math.ceil(total / size));
  if (pages <= 1) return html``;
  const link = (p: number) => `${base}?${new URLSearchParams({ ...params, page: String(p) }).toString()}`;
  return html`<nav class="pager" aria-label="pages">
  <span>${page > 1 ? html`<a href="${link(page - 1)}" rel="prev">${v.t('page.newer')}</a>` : ''}</span>
  <span>${v.t('page.of', { page, pages })}</span>
  <span>${page < pages ? html`<a href="${link(page + 1)}" rel="next">${v.t('page.older')}</a>` : ''}</span>
</nav>`;
}
