/**
 * The send API for apps (issue 11 item 3, README "Send API"):
 * - `POST /api/v1/messages` `{ from, to, text, callback_url?, reference? }` → 202 `{ id, state: 'queued', … }`. The
 *   message row and its outbox row are written in ONE transaction and relayed on `mt-<link>` like any reply.
 *   An `Idempotency-Key` header makes a retry safe: the same key and body answer the same id and send nothing again;
 *   the same key with another body is a 409.
 * - `GET /api/v1/messages/:id`: the message's state (queued, sent, delivered, failed, expired) with timestamps and
 *   each segment's state; only to the token that sent it (any other gets 404).
 * Bearer tokens with the `send` scope (admin tokens, web/admin/tokens.ts), each with the from addresses it may use,
 * a rate and a daily quota (Redis counters shared by every web node; refused while Redis is away). Recipients only
 * in HOME_PREFIXES, never one on the block list or opted out of the sending address (or of everything).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { customAlphabet, nanoid } from 'nanoid';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { findByIdemKey, getApiMessage, insertApiMessage, type ApiMessageRow } from '../../db/queries/api-messages.js';
import { partStates } from '../../db/queries/api-state.js';
import { isOptedOut } from '../../db/queries/opt-outs.js';
import { findSendToken, type SendToken } from '../../db/queries/send-tokens.js';
import type { Logger } from '../../log.js';
import { grants } from '../admin/auth.js';
import type { Limits } from '../limits.js';
import type { WebReplyRow } from '../subscriber/deps.js';
import { isHomeNumber, normaliseMsisdn } from '../subscriber/request.js';

const newMessageId = customAlphabet('23456789abcdefghjkmnpqrstuvwxyz', 20);
/** A from address: a number or short code (digits, optional +) or an alphanumeric sender of up to 11 characters (GSM). */
const FROM = /^(\+?\d{1,15}|[A-Za-z0-9 ._-]{1,11})$/;
const IDEM_KEY = /^[\x21-\x7e]{1,200}$/;
export const SEND_MAX_CHARS = 1600;

/** Binary: at most 10 concatenated 8-bit segments (134 octets each). */
export const SEND_MAX_BINARY = 1340;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const sendBody = z.object({
  from: z.string().regex(FROM, 'a number or short code (up to 15 digits) or an alphanumeric sender of up to 11 characters'),
  to: z.string().min(1).max(20),
  text: z.string().min(1).max(SEND_MAX_CHARS).optional(),
  binary: z.string().min(1).max(Math.ceil(SEND_MAX_BINARY / 3) * 4).regex(BASE64, 'base64 of the octets to send')
    .refine((b) => Buffer.from(b, 'base64').length <= SEND_MAX_BINARY, `at most ${SEND_MAX_BINARY} octets`).optional(),
  callback_url: z.string().max(2000).optional(),
  reference: z.string().max(200).optional(),
}).strict().refine((b) => (b.text === undefined) !== (b.binary === undefined), { message: 'give either text or binary (base64), not both', path: ['text'] });

export interface SendApiDeps {
  db: Db;
  log: Logger;
  now(): Date;
  homePrefixes: readonly string[];
  /** The block-list entry that matches the number, or null. */
  blocked(msisdn: string): string | null;
  limits: Limits;
  /** The link apps' messages go out on (SEND_API_LINK, else as web SMS); undefined: none. */
  link(): string | undefined;
  /** Whether the link may carry binary messages (its allowBinary). */
  linkAllowsBinary(link: string): boolean;
  /** The pipeline's outbox relay (main wires it; web never imports bullmq). */
  relay(rows: readonly RelayedRow[]): Promise<void>;
  /** Why a callback_url is refused, or null (pipeline/callbacks/address.ts through main). */
  callbackUrlProblem(url: string): string | null;
  tag(msisdn: string): string;
  /** Once per POST: 'accepted', 'replayed', or the refusal's code. */
  onOutcome?(outcome: string): void;
}

/** A committed outbox row as the relay takes it (a binary message carries payload and tlvs). */
type RelayedRow = WebReplyRow & { payload: string | null; tlvs?: { plainBinary?: boolean } | null | undefined };

declare module 'fastify' {
  interface FastifyRequest { sender: SendToken | null; sendOutcome: string | null }
}

type Refusal = { status: number; code: string; message: string; retryAfterS?: number };
const refuse = (reply: FastifyReply, r: Refusal) => {
  reply.request.sendOutcome = r.code;
  if (r.retryAfterS !== undefined) void reply.header('retry-after', String(r.retryAfterS));
  return reply.status(r.status).send({ code: r.code, message: r.message });
};

function view(m: ApiMessageRow) {
  return {
    id: m.id, state: m.state, from: m.source, to: m.destination, reference: m.reference, parts: m.parts,
    queuedAt: m.queuedAt.toISOString(), sentAt: m.sentAt?.toISOString() ?? null, deliveredAt: m.deliveredAt?.toISOString() ?? null,
    failedAt: m.failedAt?.toISOString() ?? null, expiredAt: m.expiredAt?.toISOString() ?? null,
  };
}

/** Seconds to the next UTC midnight: when a daily quota opens again. */
function toMidnightS(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

export async function registerSendApi(app: FastifyInstance, deps: SendApiDeps) {
  app.decorateRequest('sender', null);
  app.decorateRequest('sendOutcome', null);
  app.addHook('onResponse', async (req) => {
    if (req.method === 'POST' && req.sendOutcome) deps.onOutcome?.(req.sendOutcome);
  });
  // The token is checked before the body is parsed: a stranger costs one hash and one indexed look-up.
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return refuse(reply, { status: 401, code: 'SCGW_UNAUTHORIZED', message: 'missing bearer token (Authorization: Bearer <token>)' });
    const tok = await findSendToken(deps.db, m[1]!);
    if (!tok) return refuse(reply, { status: 401, code: 'SCGW_UNAUTHORIZED', message: 'unknown or revoked token' });
    if (tok.expiresAt !== null && tok.expiresAt.getTime() <= deps.now().getTime()) return refuse(reply, { status: 401, code: 'SCGW_UNAUTHORIZED', message: 'token expired' });
    if (!grants(tok.scopes, 'send')) return refuse(reply, { status: 403, code: 'SCGW_FORBIDDEN', message: `this token's scopes (${tok.scopes.join(', ')}) do not include send` });
    req.sender = tok;
    return undefined;
  };

  app.post('/api/v1/messages', { onRequest: guard, bodyLimit: 64 * 1024 }, async (req, reply) => {
    const tok = req.sender!;
    const parsed = sendBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return refuse(reply, { status: 422, code: 'SCGW_INVALID', message });
    }
    const body = parsed.data;
    const keyHeader = req.headers['idempotency-key'];
    const idemKey = typeof keyHeader === 'string' ? keyHeader : undefined;
    if (keyHeader !== undefined && (idemKey === undefined || !IDEM_KEY.test(idemKey))) {
      return refuse(reply, { status: 422, code: 'SCGW_INVALID', message: 'Idempotency-Key: 1 to 200 printable ASCII characters' });
    }
    const requestHash = createHash('sha256').update(JSON.stringify([body.from, body.to, body.text ?? null, body.binary ?? null, body.callback_url ?? null, body.reference ?? null])).digest('hex');
    const replay = (existing: ApiMessageRow) => {
      if (existing.requestHash !== requestHash) return refuse(reply, { status: 409, code: 'SCGW_CONFLICT', message: 'Idempotency-Key: already used with a different request body' });
      req.sendOutcome = 'replayed';
      return reply.status(202).header('idempotent-replayed', 'true').send(view(existing));
    };

    // A replay answers first, as the first request was answered: a retry costs no quota and is not refused
    // because something changed since (an opt-out that came later stops only new messages).
    if (idemKey) {
      const got = await findByIdemKey(deps.db, tok.id, idemKey);
      if (got) return replay(got);
    }
    if (!tok.allowedSources.includes(body.from)) {
      return refuse(reply, { status: 403, code: 'SCGW_SOURCE_NOT_ALLOWED', message: `from: ${body.from} is not among this token's allowed sources` });
    }
    const to = normaliseMsisdn(body.to);
    if (!to) return refuse(reply, { status: 422, code: 'SCGW_INVALID', message: 'to: a number in international format, 10 to 15 digits' });
    if (!isHomeNumber(to, deps.homePrefixes)) return refuse(reply, { status: 422, code: 'SCGW_NOT_HOME', message: 'to: not a number of this network (HOME_PREFIXES)' });
    if (body.callback_url !== undefined) {
      const problem = deps.callbackUrlProblem(body.callback_url);
      if (problem) return refuse(reply, { status: 422, code: 'SCGW_INVALID', message: `callback_url: ${problem}` });
      if (!tok.callbackSecret) return refuse(reply, { status: 422, code: 'SCGW_INVALID', message: 'callback_url: this token has no signing secret; rotate one (PATCH /admin/tokens/:id {"rotateCallbackSecret": true})' });
    }
    if (deps.blocked(to)) return refuse(reply, { status: 422, code: 'SCGW_BLOCKED', message: 'to: the number is on the block list; nothing is sent' });
    if (await isOptedOut(deps.db, to, body.from)) {
      return refuse(reply, { status: 422, code: 'SCGW_OPTED_OUT', message: `to: the subscriber opted out of messages from ${body.from}; nothing is sent` });
    }
    const link = deps.link();
    if (!link) return refuse(reply, { status: 503, code: 'SCGW_NO_LINK', message: 'no link to send on (SEND_API_LINK)' });
    if (body.binary !== undefined && !deps.linkAllowsBinary(link)) {
      return refuse(reply, { status: 422, code: 'SCGW_BINARY_NOT_ALLOWED', message: `binary: link ${link} does not carry binary messages (its allowBinary is off)` });
    }
    const now = deps.now();
    if (tok.rate) {
      const r = await deps.limits.take(`send:rate:${tok.id}`, tok.rate.max, tok.rate.perS * 1000, 'refuse');
      if (!r.ok) return refuse(reply, { status: 429, code: 'SCGW_RATE_LIMITED', message: r.unavailable ? 'rate caps unavailable (Redis); retry later' : `over this token's rate of ${tok.rate.max} per ${tok.rate.perS === 1 ? 'second' : 'minute'}`, retryAfterS: r.retryAfterS });
    }
    if (tok.dailyQuota !== null) {
      const q = await deps.limits.take(`send:day:${tok.id}`, tok.dailyQuota, 86_400_000, 'refuse');
      if (!q.ok) return refuse(reply, { status: 429, code: 'SCGW_QUOTA_EXCEEDED', message: q.unavailable ? 'quota unavailable (Redis); retry later' : `this token's daily quota of ${tok.dailyQuota} messages is used up (UTC day)`, retryAfterS: q.unavailable ? q.retryAfterS : toMidnightS(now) });
    }

    const id = newMessageId();
    const corr = nanoid(12);
    const written = await deps.db.transaction((tx) => insertApiMessage(tx, {
      id, tokenId: tok.id, idemKey: idemKey ?? null, requestHash, source: body.from, destination: to, link,
      reference: body.reference ?? null, callbackUrl: body.callback_url ?? null, kind: body.binary !== undefined ? 'binary' : 'text', queuedAt: now,
    }, {
      idemKey: `api-${id}`, link, source: body.from, destination: to, template: 'api', corr,
      ...(body.binary !== undefined
        ? { body: null, payload: Buffer.from(body.binary, 'base64').toString('base64'), tlvs: { plainBinary: true } }
        : { body: body.text ?? '', archiveText: body.text ?? '' }),
    }));
    if ('existing' in written) return replay(written.existing);
    // Durable from here: the message and its outbox row are committed together.
    try {
      await deps.relay(written.rows);
    } catch (e) {
      // Decided, not swallowed: the row is in the outbox and the relay sweep queues it once Redis answers.
      deps.log.warn({ err: e, message: id }, 'send api relay failed; the outbox sweep will send it');
    }
    deps.log.debug({ message: id, corr, link, msisdn: deps.tag(to), token: tok.id }, 'api message queued');
    req.sendOutcome = 'accepted';
    return reply.status(202).send(view(written.made));
  });

  app.get('/api/v1/messages/:id', { onRequest: guard }, async (req, reply) => {
    const id = (req.params as { id?: string }).id ?? '';
    const found = /^[0-9a-z]{1,40}$/.test(id) ? await getApiMessage(deps.db, id) : undefined;
    // Another token's message is as unknown as a missing one: ids are not probed.
    if (!found || found.msg.tokenId !== req.sender!.id) return refuse(reply, { status: 404, code: 'SCGW_NOT_FOUND', message: `no message ${id} sent with this token` });
    const { msg, out } = found;
    return { ...view(msg), partStates: out ? partStates(out) : [] };
  });
}
