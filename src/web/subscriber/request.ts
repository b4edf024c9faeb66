/** What every page handler reads off a request: the view (locale, texts, CSRF token), form fields, the client. */
import { isIPv6 } from 'node:net';
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

/**
 * The unit the per-client caps count: an IPv4 address, or an IPv6 /64 (one subscriber line or host gets a whole
 * /64, so counting single IPv6 addresses would hand out practically unlimited requests; issue 10).
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) sits in the low 64 bits: it never changes the /64.
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** The number is in one of the home network's prefixes (HOME_PREFIXES): the only ones web SMS may go to. */
export function isHomeNumber(msisdn: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => msisdn.startsWith(p));
}
