/** What every page handler reads off a request: the view (locale, texts, CSRF token), form fields, the client. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pickLocale, translator } from './i18n.js';
import type { View } from './layout.js';

export function view(req: FastifyRequest, reply: FastifyReply): View {
  const locale = pickLocale(req, reply);
  return { locale, t: translator(locale), path: req.url.split('?')[0] ?? '/', csrf: reply.generateCsrf() };
}

export function field(req: FastifyRequest, name: string): string {
  const body = req.body as Record<string, unknown> | undefined;
  const v = body?.[name];
  return typeof v === 'string' ? v : '';
}

export function queryParam(req: FastifyRequest, name: string): string {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

export function pageParam(req: FastifyRequest): number {
  const n = Number(queryParam(req, 'page'));
  return Number.isInteger(n) && n >= 1 && n <= 100000 ? n : 1;
}

/**
 * A number as typed (spaces, dashes, brackets, a leading + allowed) → digits, 10 to 15 of them (E.164); else null.
 * No national-prefix rewriting (8 916… stays as typed): that is operator-specific.
 */
export function normaliseMsisdn(input: string): string | null {
  const digits = input.trim().replace(/^\+/, '').replace(/[\s\-().]/g, '');
  return /^\d{10,15}$/.test(digits) ? digits : null;
}

/** The client's address: the socket peer, or with N trusted reverse proxies the Nth entry from the right of X-Forwarded-For. */
export function clientAddress(req: FastifyRequest, trustedHops: number): string {
  if (trustedHops > 0) {
    const xff = req.headers['x-forwarded-for'];
    const list = (Array.isArray(xff) ? xff.join(',') : xff ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const pick = list[list.length - trustedHops];
    if (pick) return pick;
  }
  return req.socket.remoteAddress ?? req.ip;
}
