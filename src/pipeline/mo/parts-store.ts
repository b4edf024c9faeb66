/**
 * Concatenated MO parts wait in Redis (not process memory), so parts may arrive at different nodes.
 * text/reassemble.ts judges identity and completeness; this module keeps the state, atomically:
 * each step is one Lua script. The set is routed once, whole, with an idempotency key made from the
 * set's identity and a nonce drawn by its first part; a crash anywhere leads to a re-route that the
 * processed_mo row turns into a no-op.
 */
import type { Cluster, Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import type { Logger } from '../../log.js';
import { assemble, decodeUserData, partIdentity, type LinkTextOptions, type UdhInfo } from '../../text/index.js';
import { hashKey, type AssembledMo, type ConcatTimeoutJob, type MoJob } from '../jobs.js';
import { MO_JOB_OPTIONS, type Queues } from '../queues.js';
import type { ConfigView } from '../route-cache.js';

/**
 * add-part (1 key). ARGV: field, value, nonce, ttl, total, meta.
 * Returns {'held', nonce} | {'complete', nonce, flat HGETALL}. A part already held is ignored; a part with
 * different bytes arriving after the set completed starts a new set (the sender reused the reference).
 * A routed set holds digests ('h:' + SHA-1 of the value, see mark-routed), so a late duplicate still matches.
 */
const ADD_PART = `
local done = redis.call('HGET', KEYS[1], 'done')
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if done and existing ~= ARGV[2] and existing ~= 'h:' .. redis.sha1hex(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  done = false
  existing = false
end
if not done then
  if redis.call('HSETNX', KEYS[1], 'nonce', ARGV[3]) == 1 then redis.call('HSET', KEYS[1], 'meta', ARGV[6]) end
  if not existing then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
local nonce = redis.call('HGET', KEYS[1], 'nonce')
if done == '2' then return {'routed', nonce} end
local n = 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do if string.sub(f, 1, 1) == 'p' then n = n + 1 end end
if n >= tonumber(ARGV[5]) then
  if not done then redis.call('HSET', KEYS[1], 'done', '1') end
  return {'complete', nonce, redis.call('HGETALL', KEYS[1])}
end
return {'held', nonce}
`;

/** expire-set (1 key). ARGV: nonce. Returns the flat HGETALL when the set with that nonce is not yet routed, else {}. */
const EXPIRE_SET = `
if redis.call('HGET', KEYS[1], 'nonce') ~= ARGV[1] then return {} end
if redis.call('HGET', KEYS[1], 'done') == '2' then return {} end
redis.call('HSET', KEYS[1], 'done', '1')
return redis.call('HGETALL', KEYS[1])
`;

/**
 * mark-routed (1 key). Marks the set routed and replaces each part's bytes by their digest: the key lives on
 * (its ttl) only to recognise late duplicates, and up to MO_PART_SET_MAX_BYTES per set would otherwise stay
 * in Redis for that long (scgw issue 10 item 6).
 */
const MARK_ROUTED = `
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do
  local f, v = flat[i], flat[i + 1]
  if string.sub(f, 1, 1) == 'p' and string.sub(v, 1, 2) ~= 'h:' then redis.call('HSET', KEYS[1], f, 'h:' .. redis.sha1hex(v)) end
end
redis.call('HSET', KEYS[1], 'done', '2')
return 1
`;

export interface PartsStore {
  /** null: not a part; 'held': stored, waiting for the rest; else the whole message to route. */
  add(job: MoJob, udh: UdhInfo | null, body: Uint8Array, textOpts: LinkTextOptions): Promise<Omit<AssembledMo, 'channel'> | 'held' | null>;
  expire(job: ConcatTimeoutJob, view: ConfigView): Promise<AssembledMo | null>;
  /** Marks a set routed so late duplicates and the timeout do nothing. */
  markRouted(partsKey: string): Promise<void>;
}

interface Meta { dcs: number; source: string; destination: string; total: number; link: string }

export function createPartsStore(deps: { redis: Redis | Cluster; prefix: string; queues: Queues; timeoutS: number; log: Logger; onTimeout?(missing: number): void }): PartsStore {
  const { redis, prefix } = deps;
  const setKey = (partKey: string) => `${prefix}:parts:${hashKey('', partKey)}`;

  function toAssembled(flat: string[], nonce: string, partKey: string, corr: string, textOpts: LinkTextOptions): Omit<AssembledMo, 'channel'> {
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
    const meta = JSON.parse(fields.get('meta') ?? '{}') as Meta;
    const parts = new Map<number, { body: Uint8Array; udhLength: number }>();
    for (const [f, v] of fields) {
      if (!f.startsWith('p')) continue;
      const [udhLen, b64] = v.split('|') as [string, string];
      parts.set(Number(f.slice(1)), { udhLength: Number(udhLen), body: Buffer.from(b64 ?? '', 'base64') });
    }
    const { ordered, missing } = assemble(meta.total, parts);
    if (missing.length) {
      deps.log.info({ corr, missing: missing.length, total: meta.total }, 'concatenated MO timed out; routing the parts that arrived');
      deps.onTimeout?.(missing.length);
    }
    const idemKey = hashKey('cc-', `${partKey}\0${nonce}`);
    return { idemKey, partsKey: setKey(partKey), corr, link: meta.link, source: meta.source, destination: meta.destination, dcs: meta.dcs, decoded: decodeUserData(ordered, meta.dcs, textOpts) };
  }

  return {
    async add(job, udh, body, textOpts) {
      const id = partIdentity({ link: job.link, source: job.source, destination: job.destination.trim(), udh, ...(job.sar ? { sar: job.sar } : {}) });
      if (!id) return null;
      const meta: Meta = { dcs: job.dataCoding, source: job.source, destination: job.destination.trim(), total: id.total, link: job.link };
      const key = setKey(id.key);
      const res = await redis.eval(ADD_PART, 1, key,
        `p${id.seq}`, `${udh?.length ?? 0}|${Buffer.from(body).toString('base64')}`, nanoid(10),
        String(deps.timeoutS + 3600), String(id.total), JSON.stringify(meta)) as [string, string, string[]?];
      const [state, nonce] = res;
      if (state === 'routed') return 'held';
      if (state === 'complete') return { ...toAssembled(res[2] ?? [], nonce, id.key, job.corr, textOpts), receivedAt: job.receivedAt };
      // Every held part (re)schedules the set's timeout; the jobId makes it one job per set.
      const timeout: ConcatTimeoutJob = { kind: 'concat-timeout', partKey: id.key, nonce, link: job.link, corr: job.corr };
      await deps.queues.mo.add('concat-timeout', timeout, { ...MO_JOB_OPTIONS, jobId: hashKey('ct-', `${id.key}\0${nonce}`), delay: deps.timeoutS * 1000 });
      return 'held';
    },
    async expire(job, view) {
      const flat = await redis.eval(EXPIRE_SET, 1, setKey(job.partKey), job.nonce) as string[];
      if (!flat.length) return null;
      const link = view.links.get(job.link);
      const opts = link ? { dc0: link.dc0, gsm7Packed: link.gsm7Packed } : { dc0: 'gsm7' as const, gsm7Packed: false };
      return { ...toAssembled(flat, job.nonce, job.partKey, job.corr, opts), channel: 'sms' };
    },
    async markRouted(partsKey) {
      await redis.eval(MARK_ROUTED, 1, partsKey);
    },
  };
}
