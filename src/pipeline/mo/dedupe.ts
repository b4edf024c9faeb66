/**
 * The per-link duplicate window (links.dedupe_window_s, off at 0): an MO re-sent on a new bind after its ack
 * was lost takes the identity of the first copy, so the BullMQ jobId and the processed_mo row fold it and it
 * is answered with the first copy's replies (each sent once: the mt sent-marker) instead of being acted on
 * again. Kannel and Jasmin key MO by bind and sequence number only, and act twice.
 *
 * What folds (README "Durability"): same link, source address, destination, data_coding, UDHI bit and octets
 * (short_message, message_payload, sar_* TLVs), within the window from the first copy, arriving on a
 * different session (bind) than the copy it folds into. The same content on the same session is a new MO: a
 * new sequence number on a bind that is still up means the peer saw our earlier ack, so the subscriber sent it
 * again. Except after a refusal: a copy we answered with an error (the enqueue timed out, no replica acked it)
 * may still be stored, and the peer will retry it on any bind, so its next copy folds whatever the session.
 * Delivery receipts and USSD never fold (their own identities apply).
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { InboundMessage } from '../../smpp/types.js';

/**
 * fold-mo (1 key: the content key). ARGV: session id, this copy's MO identity, window seconds.
 * Returns the identity the MO takes. The value is "<session> <identity>" (nanoid session ids have no space).
 * A fold moves the record to the new session but keeps the first copy's identity and expiry, so a further
 * re-send (a third bind) folds too, and a genuine repeat on the new bind does not.
 */
const FOLD_MO = `
local v = redis.call('GET', KEYS[1])
if v then
  local sep = string.find(v, ' ', 1, true)
  if sep then
    local session = string.sub(v, 1, sep - 1)
    local id = string.sub(v, sep + 1)
    if session ~= ARGV[1] then
      redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. id, 'KEEPTTL')
      return id
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'EX', tonumber(ARGV[3]))
return ARGV[2]
`;

/** mark-refused (1 key). ARGV: the identity the refused copy took. Any session's next copy folds into it. */
const MARK_REFUSED = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local sep = string.find(v, ' ', 1, true)
if not sep or string.sub(v, sep + 1) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], '* ' .. ARGV[1], 'KEEPTTL')
return 1
`;

/** Whether the window applies at all: never to receipts (matched by message id) nor USSD (a dialog, where "1" twice is two steps). */
export function foldable(msg: InboundMessage, isReceipt: boolean): boolean {
  return !isReceipt && msg.tlvs.ussdServiceOp === undefined;
}

/** Everything the subscriber's handset decided, nothing the bind decided (session, sequence number, times). */
export function contentKey(prefix: string, msg: InboundMessage): string {
  const h = createHash('sha256');
  const t = msg.tlvs;
  h.update(`${msg.link}\0${msg.source.addr}\0${msg.destination.addr.trim()}\0${msg.dataCoding}\0${msg.esmClass & 0x40}\0`);
  h.update(`${t.sarMsgRefNum ?? ''}/${t.sarTotalSegments ?? ''}/${t.sarSegmentSeqnum ?? ''}\0${msg.shortMessage.length}\0`);
  h.update(msg.shortMessage);
  if (t.messagePayload) h.update(t.messagePayload);
  return `${prefix}:mo-seen:${h.digest('hex').slice(0, 40)}`;
}

/** The MO identity to use: `identity` itself, or the first copy's when this one is a re-send from another bind. */
export async function foldRepeat(redis: Redis | Cluster, prefix: string, msg: InboundMessage, identity: string, windowS: number): Promise<string> {
  return await redis.eval(FOLD_MO, 1, contentKey(prefix, msg), msg.sessionId, identity, String(windowS)) as string;
}

/** After refusing a copy that may be stored anyway: its retry, on this bind or another, folds into it. false: not marked. */
export async function markRefused(redis: Redis | Cluster, prefix: string, msg: InboundMessage, identity: string): Promise<boolean> {
  return (await redis.eval(MARK_REFUSED, 1, contentKey(prefix, msg), identity)) === 1;
}
