/**
 * `POST /ussd`: USSD over HTTP in the common aggregator shape (Africa's Talking and the like; PROTOCOL.md §5
 * "Hosted comparison"): form-urlencoded or JSON `sessionId`, `serviceCode`, `phoneNumber`, `text` (the inputs so far
 * joined by `*`, empty at first); the answer is text/plain `CON <screen>` (show, wait) or `END <text>` (show, close).
 * The same menus and actions as USSD over SMPP (web/api/ussd-run.ts → actions/ussd-step.ts).
 *
 * Who may call: a bearer token with scope `ussd` (admin grants it too), or a client address in USSD_HTTP_ALLOW;
 * else 401 (no credentials, unknown token) or 403 (a token without the scope). Caps (issue 10 style, Redis counters):
 * per client address per minute (USSD_HTTP_PER_MINUTE) before anything else is looked at, and over all callers
 * (USSD_HTTP_GLOBAL_PER_MINUTE) → 429 with Retry-After. Bad input → 400 with a message.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { findToken } from '../../db/queries/tokens.js';
import { sourceAllowed } from '../cidr.js';
import { grants } from '../admin/auth.js';
import type { Limits } from '../limits.js';
import { clientAddress, clientKey, normaliseMsisdn } from '../subscriber/request.js';
import { runUssdHttp, type UssdRunDeps } from './ussd-run.js';

export interface UssdHttpConfig {
  /** CIDR ranges whose callers need no token (USSD_HTTP_ALLOW). */
  allow: readonly string[];
  perMinute: number;
  globalPerMinute: number;
  trustProxyHops: number;
}

export interface UssdHttpDeps extends UssdRunDeps {
  config: UssdHttpConfig;
  limits: Limits;
  now(): Date;
}

/** The most inputs one dialogue replays (a menu is a few levels deep; this only bounds the work per request). */
const MAX_INPUTS = 20;

const body = z.object({
  sessionId: z.string().trim().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  serviceCode: z.string().trim().regex(/^\*?\d{1,6}(\*\d{1,20})*#?$/, 'a USSD code such as *111# or *111*25#'),
  phoneNumber: z.string().max(32).transform((s, ctx) => normaliseMsisdn(s) ?? (ctx.addIssue({ code: 'custom', message: 'a number in international format, 10 to 15 digits' }), z.NEVER)),
  text: z.string().max(182, 'at most 182 characters (one USSD screen)').default(''),
  networkCode: z.string().max(16).optional(),
}).passthrough();

function tooMany(reply: FastifyReply, cap: { retryAfterS: number; unavailable?: true }, what: string) {
  const retryAfterS = cap.retryAfterS;
  if (cap.unavailable) {
    // Redis down: the caps cannot be counted, so nothing is let through uncounted (the aggregator retries later).
    return reply.status(503).header('retry-after', String(retryAfterS)).send({ code: 'SCGW_REDIS_UNAVAILABLE', message: 'USSD caps unavailable; retry later' });
  }
  return reply.status(429).header('retry-after', String(retryAfterS))
    .send({ code: 'SCGW_RATE_LIMITED', message: `too many USSD requests ${what}; retry in ${retryAfterS} s` });
}

async function authorised(req: FastifyRequest, deps: UssdHttpDeps, address: string): Promise<{ status: 401 | 403; message: string } | null> {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (m) {
    const tok = await findToken(deps.db, m[1]!);
    if (!tok || (tok.expiresAt !== null && tok.expiresAt.getTime() <= deps.now().getTime())) return { status: 401, message: 'unknown, revoked or expired token' };
    return grants(tok.scopes, 'ussd') ? null : { status: 403, message: `this token's scopes (${tok.scopes.join(', ')}) do not include ussd` };
  }
  if (deps.config.allow.length > 0 && sourceAllowed(deps.config.allow, address)) return null;
  return { status: 401, message: 'a bearer token with scope ussd, or a client address in USSD_HTTP_ALLOW' };
}

export async function registerUssdApi(app: FastifyInstance, deps: UssdHttpDeps) {
  await app.register(formbody, { bodyLimit: 4 * 1024 });
  // Caps and credentials in onRequest, before the body is read: a stranger costs one Redis INCR, no parsing.
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    const address = clientAddress(req, deps.config.trustProxyHops);
    const mine = await deps.limits.take(`ussd:src:${clientKey(address)}`, deps.config.perMinute, 60_000, 'refuse');
    if (!mine.ok) return tooMany(reply, mine, 'from this address this minute (USSD_HTTP_PER_MINUTE)');
    const refused = await authorised(req, deps, address);
    if (refused) return reply.status(refused.status).send({ code: refused.status === 401 ? 'SCGW_UNAUTHORIZED' : 'SCGW_FORBIDDEN', message: refused.message });
    const all = await deps.limits.take('ussd:all', deps.config.globalPerMinute, 60_000, 'refuse');
    if (!all.ok) return tooMany(reply, all, 'this minute (USSD_HTTP_GLOBAL_PER_MINUTE)');
    return undefined;
  };
  app.post('/ussd', { bodyLimit: 4 * 1024, onRequest: guard }, async (req, reply) => {
    const input = body.parse(req.body ?? {});
    const code = input.serviceCode.replace(/^\*?/, '*').replace(/#?$/, '#');
    const inputs = input.text === '' ? [] : input.text.split('*');
    if (inputs.length > MAX_INPUTS) {
      return reply.status(400).send({ code: 'SCGW_BAD_REQUEST', message: `text: at most ${MAX_INPUTS} inputs joined by *` });
    }
    const answer = await runUssdHttp({ sessionId: input.sessionId, serviceCode: code, msisdn: input.phoneNumber, inputs, text: input.text }, deps);
    return reply.type('text/plain; charset=utf-8').send(`${answer.kind} ${answer.text}`);
  });
}
