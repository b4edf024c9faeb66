/**
 * `POST /api/mms`, for the MMSC: an MMS it could not deliver (from, to, subject, parts), as JSON with base64 parts or
 * as multipart/form-data (one file per part, a `text` field for a text part). Stored for MMS_KEEP_DAYS, then the
 * recipient gets an SMS with the link and a per-MMS view password (actions/mms-notify.ts), in the same transaction.
 * Authenticated by `Authorization: Bearer <MMSC_TOKEN>`; the API is off while MMSC_TOKEN is unset. Recipients only in
 * HOME_PREFIXES, at most MMS_NOTICES_PER_HOUR notices per recipient, the sender shown as senderLabel() (issue 10);
 * never to a number on the block list or one that opted out of 1234 or of everything (issue 11: 422 SCGW_BLOCKED,
 * SCGW_OPTED_OUT).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { customAlphabet } from 'nanoid';
import { z } from 'zod';
import { mmsNotify } from '../../actions/mms-notify.js';
import { insertMms, type NewMmsPart } from '../../db/queries/mms.js';
import { isOptedOut } from '../../db/queries/opt-outs.js';
import { getSubscriber } from '../../db/queries/subscribers.js';
import { errorHandler } from '../errors.js';
import type { SubscriberDeps } from '../subscriber/deps.js';
import { isHomeNumber, normaliseMsisdn } from '../subscriber/request.js';
import { prepareWebPlan, webPlan, webTransaction } from '../subscriber/act.js';
import { WEB_SMS_FROM } from '../subscriber/sms.js';

const newMmsId = customAlphabet('23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ', 16);
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;.*)?$/i;
const MAX_PARTS = 20;

const jsonBody = z.object({
  from: z.string().trim().min(1).max(200),
  to: z.string().min(1).max(20),
  subject: z.string().max(200).default(''),
  parts: z.array(z.object({
    contentType: z.string().regex(CONTENT_TYPE, 'a MIME type such as image/jpeg'),
    name: z.string().max(100).optional(),
    data: z.string().regex(/^[A-Za-z0-9+/=\s]*$/, 'base64').optional(),
    text: z.string().optional(),
  }).refine((p) => (p.data === undefined) !== (p.text === undefined), 'each part has either data (base64) or text')).min(1).max(MAX_PARTS),
});

interface MmsInput { from: string; to: string; subject: string; parts: NewMmsPart[] }

class TooLarge extends Error {}

/**
 * What of the MMSC's free-text `from` may go into our SMS (issue 10): a number as its digits, else an alphanumeric
 * sender of at most 11 characters (the GSM limit) without links, punctuation or line breaks; our short code must not
 * carry someone's text ("your card is blocked, call …").
 */
export function senderLabel(from: string): string {
  const number = normaliseMsisdn(from);
  if (number) return number;
  const label = from.replace(/[^A-Za-z0-9 ._-]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 11).trim();
  return label || 'unknown';
}

function tokenOk(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = createHash('sha256').update(m[1]!).digest();
  return timingSafeEqual(a, createHash('sha256').update(token).digest());
}

async function readMultipart(req: FastifyRequest, maxBytes: number): Promise<z.input<typeof jsonBody> & { files: NewMmsPart[] }> {
  const fields: Record<string, string> = {};
  const files: NewMmsPart[] = [];
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      files.push({ contentType: part.mimetype, name: part.filename || null, data: await part.toBuffer() });
      if (files.reduce((n, f) => n + f.data.length, 0) > maxBytes) throw new TooLarge();
    } else if (typeof part.value === 'string') {
      if (part.fieldname === 'text') files.push({ contentType: 'text/plain; charset=utf-8', name: null, data: Buffer.from(part.value, 'utf8') });
      else fields[part.fieldname] = part.value;
    }
  }
  return { from: fields['from'] ?? '', to: fields['to'] ?? '', subject: fields['subject'] ?? '', parts: [], files };
}

async function readInput(req: FastifyRequest, maxBytes: number): Promise<MmsInput> {
  if (req.isMultipart()) {
    const { files, ...rest } = await readMultipart(req, maxBytes);
    const head = jsonBody.omit({ parts: true }).parse(rest);
    if (files.length === 0 || files.length > MAX_PARTS) throw new z.ZodError([{ code: 'custom', path: ['parts'], message: `1 to ${MAX_PARTS} parts` }]);
    return { ...head, parts: files };
  }
  const body = jsonBody.parse(req.body);
  const parts = body.parts.map((p) => ({
    contentType: p.contentType, name: p.name ?? null,
    data: p.data !== undefined ? Buffer.from(p.data, 'base64') : Buffer.from(p.text ?? '', 'utf8'),
  }));
  return { from: body.from, to: body.to, subject: body.subject, parts };
}

export async function registerMmsApi(app: FastifyInstance, deps: SubscriberDeps) {
  const { maxBytes, keepDays, token } = deps.config.mms;
  await app.register(multipart, { limits: { fileSize: maxBytes, files: MAX_PARTS, fields: 10, parts: MAX_PARTS + 10 } });
  app.setErrorHandler((err: FastifyError, req, reply) => (err instanceof TooLarge || err.statusCode === 413
    ? reply.status(413).send({ code: 'SCGW_MMS_TOO_LARGE', message: `the MMS is over ${maxBytes} bytes (MMS_MAX_BYTES)` })
    : errorHandler(err, req, reply)));

  // base64 is 4/3 of the octets; the JSON around it is small.
  // The token is checked in onRequest, before a byte of the body is read or parsed: a stranger costs no parsing.
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!token) return reply.status(404).send({ code: 'SCGW_NOT_FOUND', message: 'the MMS API is off (MMSC_TOKEN is not set)' });
    if (!tokenOk(req.headers.authorization, token)) return reply.status(401).send({ code: 'SCGW_UNAUTHORIZED', message: 'missing or wrong bearer token' });
    return undefined;
  };
  app.post('/api/mms', { bodyLimit: Math.ceil((maxBytes * 4) / 3) + 64 * 1024, onRequest: guard }, async (req, reply) => {
    const input = await readInput(req, maxBytes);
    const to = normaliseMsisdn(input.to);
    if (!to) return reply.status(400).send({ code: 'SCGW_BAD_REQUEST', message: 'to: a number in international format, 10 to 15 digits' });
    if (!isHomeNumber(to, deps.config.abuse.homePrefixes)) {
      return reply.status(422).send({ code: 'SCGW_NOT_HOME', message: 'to: not a number of this network (HOME_PREFIXES); no notice is sent abroad' });
    }
    // Issue 11: the notice is not the recipient's own request, so it honours the block list and opt-outs; refused
    // before anything is stored (the MMSC keeps its own copy and should not retry).
    if (deps.blocked(to)) {
      return reply.status(422).send({ code: 'SCGW_BLOCKED', message: 'to: the number is on the block list; no notice is sent' });
    }
    if (await isOptedOut(deps.db, to, WEB_SMS_FROM.mms)) {
      return reply.status(422).send({ code: 'SCGW_OPTED_OUT', message: `to: the subscriber opted out of messages from ${WEB_SMS_FROM.mms}; no notice is sent` });
    }
    const bytes = input.parts.reduce((n, p) => n + p.data.length, 0);
    if (bytes > maxBytes) throw new TooLarge();
    if (!deps.sms.link()) return reply.status(503).send({ code: 'SCGW_NO_LINK', message: 'no link to send the notification SMS on' });
    const cap = await deps.limits.take(`mms:to:${to}`, deps.config.abuse.mmsNoticesPerHour, 3600_000, 'refuse');
    if (!cap.ok) {
      return reply.status(429).header('retry-after', String(cap.retryAfterS))
        .send({ code: 'SCGW_RATE_LIMITED', message: `too many MMS notices to this recipient this hour (MMS_NOTICES_PER_HOUR); retry in ${cap.retryAfterS} s` });
    }

    const id = newMmsId();
    const now = deps.now();
    const expiresAt = new Date(now.getTime() + keepDays * 86400_000);
    const locale = (await getSubscriber(deps.db, to))?.locale === 'ru' ? 'ru' : 'en';
    const plan = webPlan(deps, { action: mmsNotify.name, params: { mmsId: id, from: senderLabel(input.from), days: keepDays }, msisdn: to, from: WEB_SMS_FROM.mms, locale, channel: 'api' });
    // The view password is hashed before the transaction: the new MMS row is not held open while scrypt runs.
    const ready = await prepareWebPlan(deps, plan);
    await webTransaction(deps, async (tx, act) => {
      await insertMms(tx, { id, sender: input.from, recipient: to, subject: input.subject, bytes, createdAt: now, expiresAt }, input.parts);
      await act(ready);
    });
    deps.log.info({ mms: id, msisdn: deps.tag(to), parts: input.parts.length, bytes }, 'MMS stored for web viewing');
    return reply.status(201).send({ id, url: `${deps.config.publicUrl}/mms/${id}`, expiresAt: expiresAt.toISOString() });
  });
}
