/**
 * Page language: `?lang=` (remembered in a cookie), else the cookie, else Accept-Language; English by default.
 * Texts live in strings-en.ts / strings-ru.ts; dates are shown in WEB_TIME_ZONE.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Locale } from '../../actions/index.js';
import { EN, type StringKey } from './strings-en.js';
import { RU } from './strings-ru.js';

export const LOCALES: readonly Locale[] = ['en', 'ru'];
const LANG_COOKIE = 'lang';

export type Translate = (key: StringKey, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const table: Record<StringKey, string> = locale === 'ru' ? RU : EN;
  return (key, vars = {}) => table[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

function isLocale(v: unknown): v is Locale {
  return v === 'en' || v === 'ru';
}

/** The best of our locales for an Accept-Language header (q-values honoured), or undefined. */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header.split(',').map((part, i) => {
    const [tag = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    return { lang: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), i };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((r) => r.lang).find(isLocale);
}

export function pickLocale(req: FastifyRequest, reply: FastifyReply): Locale {
  const asked = (req.query as Record<string, unknown> | undefined)?.['lang'];
  if (isLocale(asked)) {
    reply.setCookie(LANG_COOKIE, asked, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 86400 });
    return asked;
  }
  const kept = req.cookies[LANG_COOKIE];
  if (isLocale(kept)) return kept;
  return fromAcceptLanguage(req.headers['accept-language']) ?? 'en';
}

/** A date and time in WEB_TIME_ZONE; `zone` names the zone (for a deadline read on its own: a lock, an expiry). */
export function formatTime(d: Date, locale: Locale, timeZone: string, zone = false): string {
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', {
    timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', ...(zone ? { timeZoneName: 'short' } : {}),
  }).format(d);
}

/** A number as people read it: +79161234567; short codes stay as they are. */
export function showNumber(msisdn: string): string {
  return /^\d{10,15}$/.test(msisdn) ? `+${msisdn}` : msisdn;
}
