/**
 * One POST of a forward to its app, and what the answer means. The body is the stored JSON, sent byte for byte the
 * same on every attempt; the headers sign it (HMAC-SHA256 over `timestamp + "." + body`) and carry the forward's id
 * as Idempotency-Key, so the app can tell a retry from a new MO. No redirects are followed; the answer is read up
 * to MAX_RESPONSE_BYTES within the app's timeout.
 */
import { createHmac } from 'node:crypto';

export const MAX_RESPONSE_BYTES = 64 * 1024;
export const MAX_REPLIES = 10;
export const MAX_REPLY_CHARS = 1600;

export type PostOutcome =
  /** 2xx: the replies to send (none: the app answers later through the send API, or not at all). */
  | { kind: 'ok'; replies: string[]; status: number }
  /** Timeout, network error, 5xx, 408 or 429: worth another attempt. */
  | { kind: 'retry'; why: string }
  /** Any other status, or a 2xx whose body we cannot read as replies: no retry helps. */
  | { kind: 'fail'; why: string };

/** `sha256=` + hex HMAC-SHA256(secret, timestamp + "." + body): the X-Scgw-Signature header. */
export function signature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export interface PostTarget { url: string; secret: string; timeoutMs: number }

export async function postForward(target: PostTarget, id: string, body: string, now: Date): Promise<PostOutcome> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  let res: Response;
  const signal = AbortSignal.timeout(target.timeoutMs);
  try {
    res = await fetch(target.url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/plain, application/json',
        'user-agent': 'scgw',
        'x-scgw-timestamp': timestamp,
        'x-scgw-signature': signature(target.secret, timestamp, body),
        'idempotency-key': id,
      },
      body,
    });
  } catch (e) {
    return { kind: 'retry', why: signal.aborted ? `timeout after ${target.timeoutMs} ms` : `network: ${causeOf(e)}` };
  }
  if (res.status >= 500 || res.status === 408 || res.status === 429) {
    await res.body?.cancel().catch(() => {});
    return { kind: 'retry', why: `HTTP ${res.status}` };
  }
  if (res.status < 200 || res.status > 299) {
    await res.body?.cancel().catch(() => {});
    return { kind: 'fail', why: `HTTP ${res.status}` };
  }
  let text: string;
  try {
    text = await readCapped(res);
  } catch (e) {
    if (signal.aborted) return { kind: 'retry', why: `timeout after ${target.timeoutMs} ms (reading the answer)` };
    return e instanceof TooLarge ? { kind: 'fail', why: e.message } : { kind: 'retry', why: `network: ${causeOf(e)}` };
  }
  const replies = parseReplies(res.headers.get('content-type') ?? '', text);
  if (typeof replies === 'string') return { kind: 'fail', why: replies };
  return { kind: 'ok', replies, status: res.status };
}

/** The replies in a 2xx answer, or why it is not one: text/plain is one reply; JSON `{reply}` or `{replies: [...]}`; empty is none. */
export function parseReplies(contentType: string, text: string): string[] | string {
  if (text.trim() === '') return [];
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let replies: unknown[];
  if (type === 'text/plain') replies = [text.trim()];
  else if (type === 'application/json' || type.endsWith('+json')) {
    let doc: unknown;
    try { doc = JSON.parse(text); } catch { return 'answer: JSON that does not parse'; }
    const d = (doc ?? {}) as { reply?: unknown; replies?: unknown };
    if (typeof d.reply === 'string') replies = [d.reply];
    else if (Array.isArray(d.replies)) replies = d.replies;
    else if (d.reply === undefined && d.replies === undefined) return [];
    else return 'answer: JSON with neither a string "reply" nor an array "replies"';
  } else return `answer: content type ${type || 'none'} (text/plain or application/json expected)`;
  if (replies.length > MAX_REPLIES) return `answer: ${replies.length} replies (at most ${MAX_REPLIES})`;
  const out: string[] = [];
  for (const r of replies) {
    if (typeof r !== 'string') return 'answer: a reply that is not a string';
    if ([...r].length > MAX_REPLY_CHARS) return `answer: a reply over ${MAX_REPLY_CHARS} characters`;
    if (r.trim() !== '') out.push(r);
  }
  return out;
}

class TooLarge extends Error {}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await res.body.cancel().catch(() => {});
      throw new TooLarge(`answer: over ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function causeOf(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } }).cause;
  return c?.code ?? c?.message ?? (e as Error).message ?? String(e);
}
