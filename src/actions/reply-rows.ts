/**
 * Replies → outbox rows, for every executor (pipeline/mo/execute.ts for MO, web/subscriber/act.ts for the web):
 * each reply goes back to the number from the short code, on one link, under one idempotency key and corr. Pure.
 */
import type { ReplyRow } from '../db/queries/batch-rows.js';
import { maskForArchive } from './archive-mask.js';
import type { Locale, Reply } from './types.js';

/** Where a request's replies go; `source` is the short code they come from. */
export interface ReplyAddress { idemKey: string; link: string; source: string; destination: string; corr: string }

/** `render` with no variables gives the template body: where the password sits in the reply. */
export function archiveText(render: (key: string, locale: Locale) => string, reply: Reply, locale: Locale): string | null {
  if (reply.binary) return null; // a binary reply has no text to render; the archive skips it (queries/sms-archive.ts)
  return maskForArchive(render(reply.template, locale), reply.text);
}

export function replyRows(
  replies: readonly Reply[],
  to: ReplyAddress,
  opts: {
    /** Set: each row carries its masked archive text (kept in the SMS archive once sent). */
    archive?: { render(key: string, locale: Locale): string; locale: Locale };
    tlvs?: ReplyRow['tlvs'];
  } = {},
): ReplyRow[] {
  return replies.map((r) => ({
    ...to, body: r.text, template: r.template,
    ...(opts.archive ? { archiveText: archiveText(opts.archive.render, r, opts.archive.locale) } : {}),
    ...(r.binary ? { payload: r.binary.payload } : {}),
    ...(opts.tlvs ? { tlvs: opts.tlvs } : {}),
  }));
}
