/**
 * What one bound peer may put into Redis (scgw issue 10 item 6), checked at intake, before the ack, so a
 * refusal is an SMPP status and an acked part is never dropped later:
 * - MO per second per link: a token bucket per link on this node (no Redis round trip per MO; a fleet of N
 *   listener nodes takes up to N × the rate), refused ESME_RTHROTTLED.
 * - Concatenation parts: open part sets per link and per (link, sender), shared in Redis because parts of one
 *   set may reach different nodes; octets per part and per set. Refused ESME_RMSGQFUL (open sets end by
 *   completing or timing out) or ESME_RINVMSGLEN (too big).
 */
import type { Cluster, Redis } from 'ioredis';
import type { Config } from '../../config.js';
import { ScgwError } from '../../errors.js';
import type { InboundMessage } from '../../smpp/types.js';
import { partIdentity, splitUdh } from '../../text/index.js';
import { hashKey } from '../jobs.js';

/**
 * part-open (3 keys: the link's open sets, the sender's open sets (sorted sets scored by expiry, seconds),
 * the set's octets per part (hash seq → octets)).
 * ARGV: set id, seq, octets, max open per link, max open per sender, max octets per set, ttl_s, total.
 * Returns 'ok' | 'link' | 'sender' | 'size'. A set is open from its first part until it has `total` parts
 * (or its ttl passes); a part of a set already open is never refused for the open-set caps, and a
 * resubmitted part replaces its own octets rather than adding to them.
 */
const PART_OPEN = `
local now = tonumber(redis.call('TIME')[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
-- A new set (neither open nor just completed) must fit under both caps.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('EXISTS', KEYS[3]) == 0 then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 'link' end
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 'sender' end
end
local sum = tonumber(ARGV[3])
local held = redis.call('HGETALL', KEYS[3])
for i = 1, #held, 2 do if held[i] ~= ARGV[2] then sum = sum + tonumber(held[i + 1]) end end
if sum > tonumber(ARGV[6]) then return 'size' end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[7])
if redis.call('HLEN', KEYS[3]) >= tonumber(ARGV[8]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  local expires = now + tonumber(ARGV[7])
  redis.call('ZADD', KEYS[1], expires, ARGV[1])
  redis.call('ZADD', KEYS[2], expires, ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[7])
  redis.call('EXPIRE', KEYS[2], ARGV[7])
end
return 'ok'
`;

export interface MoLimitsDeps {
  redis: Redis | Cluster;
  prefix: string;
  parts: Config['parts'];
  /** How long a set stays open without its next part: the concatenation timeout. */
  openS: number;
  now?: () => number;
}

export interface MoLimits {
  /** Throws SCGW_MO_THROTTLED when the link is over its rate (null: no limit). */
  rate(link: string, perSecond: number | null | undefined): void;
  /** Throws SCGW_PART_TOO_LARGE or SCGW_PARTS_OPEN_LIMIT for a part the caps refuse; other MO pass at no cost. */
  parts(msg: InboundMessage): Promise<void>;
}

export function createMoLimits(deps: MoLimitsDeps): MoLimits {
  const now = deps.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const { parts: caps, prefix } = deps;

  return {
    rate(link, perSecond) {
      if (!perSecond) return;
      const t = now();
      const b = buckets.get(link) ?? { tokens: perSecond, at: t };
      // Refill for the time since the last MO; the bucket holds one second's worth (the burst a link may send).
      b.tokens = Math.min(perSecond, b.tokens + ((t - b.at) / 1000) * perSecond);
      b.at = t;
      buckets.set(link, b);
      if (b.tokens < 1) throw new ScgwError('SCGW_MO_THROTTLED', `link ${link} is over its ${perSecond} MO per second`);
      b.tokens -= 1;
    },

    async parts(msg) {
      // SMPP 3.4 §5.3.2.32: message_payload carries the whole message when short_message is empty.
      const ud = msg.shortMessage.length === 0 && msg.tlvs.messagePayload ? msg.tlvs.messagePayload : msg.shortMessage;
      const { udh } = splitUdh(ud, (msg.esmClass & 0x40) !== 0);
      const sar = msg.tlvs.sarTotalSegments === undefined ? {} : { sar: { ref: msg.tlvs.sarMsgRefNum, total: msg.tlvs.sarTotalSegments, seq: msg.tlvs.sarSegmentSeqnum } };
      const id = partIdentity({ link: msg.link, source: msg.source.addr, destination: msg.destination.addr.trim(), udh, ...sar });
      if (!id) return;
      if (ud.length > caps.partMaxBytes) {
        throw new ScgwError('SCGW_PART_TOO_LARGE', `a concatenated part of ${ud.length} octets (at most ${caps.partMaxBytes})`);
      }
      const set = hashKey('', id.key);
      const res = await deps.redis.eval(PART_OPEN, 3,
        `${prefix}:partcap:link:${hashKey('', msg.link)}`,
        `${prefix}:partcap:sender:${hashKey('', `${msg.link}\0${msg.source.addr}`)}`,
        `${prefix}:partcap:set:${set}`,
        set, String(id.seq), String(ud.length), String(caps.openPerLink), String(caps.openPerSender), String(caps.setMaxBytes),
        String(deps.openS), String(id.total)) as string;
      if (res === 'size') throw new ScgwError('SCGW_PART_TOO_LARGE', `the concatenated message would exceed ${caps.setMaxBytes} octets`);
      if (res === 'link') throw new ScgwError('SCGW_PARTS_OPEN_LIMIT', `link ${msg.link} has ${caps.openPerLink} part sets open`);
      if (res === 'sender') throw new ScgwError('SCGW_PARTS_OPEN_LIMIT', `this sender has ${caps.openPerSender} part sets open`);
    },
  };
}
