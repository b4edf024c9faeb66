/**
 * The operator's message log (issue 11): `GET /admin/messages` pages through MO and MT (db/queries/message-log.ts);
 * `GET /admin/messages/export` streams them as CSV, reading the database a page at a time with a keyset cursor,
 * so an export of millions of rows holds neither memory nor a long transaction. Any valid token may search; the
 * subscriber's number is shown only to a token that grants read, others see it masked (auth.ts).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client.js';
import { searchMessages, type MessageCursor, type MessageFilter, type MessageRow } from '../../db/queries/message-log.js';
import { ScgwError } from '../../errors.js';
import { grants } from './auth.js';
import { MESSAGE_CSV_COLUMNS, messageExportQuery, messageQuery, type MessagePage, type MessageView } from './schemas.js';

const EXPORT_PAGE = 1000;

/** `79161234567` → `7916*****67`: enough to tell rows apart, not enough to text anyone. */
export function maskNumber(n: string): string {
  const digits = n.replace(/^\+/, '');
  const plus = n.length !== digits.length ? '+' : '';
  if (digits.length < 8) return plus + '*'.repeat(digits.length);
  return plus + digits.slice(0, 4) + '*'.repeat(digits.length - 6) + digits.slice(-2);
}

function showsNumbers(req: FastifyRequest): boolean {
  return req.operator !== null && grants(req.operator.scopes, 'read');
}

function view(r: MessageRow, unmasked: boolean): MessageView {
  return {
    direction: r.direction, id: r.id, at: r.at.toISOString(), number: r.number === null ? null : unmasked ? r.number : maskNumber(r.number),
    shortCode: r.shortCode, link: r.link, state: r.state, what: r.what, channel: r.channel, corr: r.corr, receipt: r.receipt,
  };
}

/** timestamptz as PostgreSQL prints it (`2030-05-01 10:02:00.123456+00`): the cursor keeps its microseconds. */
const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2}){0,2})?$/;

function encodeCursor(c: MessageCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

function decodeCursor(s: string): MessageCursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && PG_TIMESTAMP.test(v[0])) {
      return { at: v[0], id: v[1] };
    }
  } catch { /* refused below */ }
  throw new ScgwError('SCGW_BAD_REQUEST', 'cursor: not a cursor this API returned (pass `next` of the previous page)');
}

function filterOf(q: { number?: string | undefined; shortCode?: string | undefined; link?: string | undefined; from?: string | undefined; to?: string | undefined; state?: MessageFilter['state'] | undefined; direction?: MessageFilter['direction'] | undefined }): MessageFilter {
  return {
    ...(q.number ? { number: q.number } : {}), ...(q.shortCode ? { shortCode: q.shortCode } : {}), ...(q.link ? { link: q.link } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}), ...(q.to ? { to: new Date(q.to) } : {}),
    ...(q.state ? { state: q.state } : {}), ...(q.direction ? { direction: q.direction } : {}),
  };
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(v: string | null): string {
  if (v === null) return '';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(m: MessageView): string {
  const cells = [m.direction, m.at, m.number, m.shortCode, m.link, m.state, m.what, m.channel, m.corr, m.receipt];
  return cells.map(csvField).join(',') + '\r\n';
}

async function* csvRows(db: Db, filter: MessageFilter, unmasked: boolean): AsyncGenerator<string> {
  yield MESSAGE_CSV_COLUMNS.join(',') + '\r\n';
  let after: MessageCursor | undefined;
  for (;;) {
    const rows = await searchMessages(db, filter, { limit: EXPORT_PAGE, order: 'asc', ...(after ? { after } : {}) });
    if (rows.length) yield rows.map((r) => csvLine(view(r, unmasked))).join('');
    if (rows.length < EXPORT_PAGE) return;
    after = rows[rows.length - 1]!.cursor;
  }
}

export function registerMessages(app: FastifyInstance, deps: { db: Db }) {
  app.get('/admin/messages', async (req): Promise<MessagePage> => {
    const q = messageQuery.parse(req.query ?? {});
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = await searchMessages(deps.db, filterOf(q), { limit: q.limit, ...(after ? { after } : {}) });
    const unmasked = showsNumbers(req);
    const last = rows[rows.length - 1];
    return { messages: rows.map((r) => view(r, unmasked)), next: rows.length === q.limit && last ? encodeCursor(last.cursor) : null, numbersMasked: !unmasked };
  });

  app.get('/admin/messages/export', async (req, reply) => {
    const q = messageExportQuery.parse(req.query ?? {});
    const unmasked = showsNumbers(req);
    req.log.info({ from: q.from, to: q.to, masked: !unmasked }, 'message log export');
    const name = `scgw-messages-${q.from.slice(0, 10)}-${q.to.slice(0, 10)}.csv`;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`)
      .header('x-scgw-numbers-masked', String(!unmasked))
      .send(Readable.from(csvRows(deps.db, filterOf(q), unmasked)));
  });
}
