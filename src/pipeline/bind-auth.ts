/**
 * Bind policy for the listener (scgw issue 10 item 4): who may bind, and what a guesser learns. Every refusal
 * is ESME_RBINDFAIL with the same work behind it (one scrypt verify, against a dummy hash when there is no
 * real one to check), so neither the status nor the time tells an unknown system_id from a wrong password or
 * a refused source. The source allowlist is checked before the password: from outside it a password is never
 * tried. Failures are counted per source address and per system_id in Redis (binds are rare, and a fleet must
 * share the count, or N nodes give a guesser N times the tries); each refusal waits a backoff that doubles,
 * and at the limit a lockout refuses even the right password until it ends.
 */
import { randomBytes } from 'node:crypto';
import { BlockList, isIPv6 } from 'node:net';
import type { Cluster, Redis } from 'ioredis';
import { hashPassword, verifyPassword } from '../actions/index.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { getLink } from '../db/queries/links.js';
import type { Logger } from '../log.js';
import { ESME } from '../smpp/status.js';
import type { AuthRequest, AuthResult } from '../smpp/types.js';
import { hashKey } from './jobs.js';

export type BindFailure = 'unknown' | 'password' | 'source' | 'disabled' | 'locked';

export interface BindAuthDeps {
  db: Db;
  redis: Redis | Cluster;
  prefix: string;
  log: Logger;
  guard: Config['bindGuard'];
  /** scrypt cost of link passwords: the dummy hash costs the same to verify. */
  passwordLogN: number;
  onFailure?(reason: BindFailure): void;
  onLockout?(scope: 'source' | 'id'): void;
  sleep?(ms: number): Promise<void>;
}

/**
 * bind-fail (4 keys: source counter, id counter, source lock, id lock; the id pair may be absent).
 * ARGV: window_s, lockout_s, limit_source, limit_id. Counts one failure on each counter given; a counter that
 * reaches its limit is replaced by a lock for lockout_s. Returns {highest count, locked source (0|1), locked id}.
 */
const BIND_FAIL = `
local out = {0, 0, 0}
for i = 1, #KEYS / 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], ARGV[1]) end
  if n > out[1] then out[1] = n end
  if n >= tonumber(ARGV[2 + i]) then
    redis.call('SET', KEYS[#KEYS / 2 + i], '1', 'EX', ARGV[2])
    redis.call('DEL', KEYS[i])
    out[1 + i] = 1
  end
end
return out
`;

export function createBindAuth(deps: BindAuthDeps): (req: AuthRequest) => Promise<AuthResult> {
  const { guard, redis } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // Verified when there is no real hash to check: same scrypt parameters, so the same time.
  const dummyHash = hashPassword(randomBytes(12).toString('base64url'), deps.passwordLogN);
  const key = (kind: string, id: string) => `${deps.prefix}:bind:${kind}:${hashKey('', id)}`;

  async function refuse(req: AuthRequest, source: string, reason: BindFailure, linkExists: boolean): Promise<AuthResult> {
    deps.onFailure?.(reason);
    // Never the password; the system_id as given, so an operator can see what is being tried.
    deps.log.warn({ systemId: req.systemId, remote: source, reason }, 'bind refused');
    if (reason === 'locked') return { ok: false, status: ESME.RBINDFAIL, reason };
    // Per system_id only for links that exist (unknown ids would only grow keys) and only from allowed sources:
    // a stranger outside the allowlist cannot lock the operator's link out.
    const keys = [key('fail-src', source)];
    const locks = [key('lock-src', source)];
    const limits = [guard.failuresPerSource];
    if (linkExists && reason !== 'source') {
      keys.push(key('fail-id', req.systemId));
      locks.push(key('lock-id', req.systemId));
      limits.push(guard.failuresPerId);
    }
    const [count, lockedSource, lockedId] = await redis.eval(BIND_FAIL, keys.length * 2, ...keys, ...locks,
      String(guard.windowS), String(guard.lockoutS), ...limits.map(String)) as [number, number, number];
    if (lockedSource) { deps.onLockout?.('source'); deps.log.warn({ remote: source, lockoutS: guard.lockoutS }, 'bind lockout: source address'); }
    if (lockedId) { deps.onLockout?.('id'); deps.log.warn({ systemId: req.systemId, lockoutS: guard.lockoutS }, 'bind lockout: system_id'); }
    // Backoff: 1×, 2×, 4×… the base delay, capped at 8 s (the socket stays paused meanwhile).
    const delay = Math.min(guard.delayMs * 2 ** Math.max(0, count - 1), 8000);
    if (delay > 0) await sleep(delay);
    return { ok: false, status: ESME.RBINDFAIL, reason };
  }

  return async function authenticate(req) {
    const source = sourceAddress(req.remoteAddress);
    // A system_id no link can have (a NUL byte, 16+ octets: found by the fuzz) is unknown without a query:
    // PostgreSQL refuses NUL in text, and that is an error to log, not a bind to refuse.
    const plausible = LINK_NAME.test(req.systemId);
    const [sourceLocked, idLocked, link] = await Promise.all([
      redis.exists(key('lock-src', source)),
      redis.exists(key('lock-id', req.systemId)),
      plausible ? getLink(deps.db, req.systemId) : undefined,
    ]);
    if (sourceLocked) {
      // The source locked itself out, so there is nothing to hide from it: no scrypt (a locked-out flood costs no
      // CPU), and the longest backoff before the answer (it holds one of the source's few connections).
      await sleep(Math.min(guard.delayMs * 2 ** 5, 8000));
      return refuse(req, source, 'locked', !!link);
    }
    let failure: BindFailure | undefined;
    // A locked system_id still costs its scrypt below: a quick answer would tell that the id exists.
    if (idLocked) failure = 'locked';
    else if (!link) failure = 'unknown';
    else if (link.allowedSources.length && !sourceAllowed(link.allowedSources, source)) failure = 'source';
    else if (!link.enabled || link.direction !== 'listen') failure = 'disabled';
    // One verify on every path: the real hash only once nothing else refused.
    const ok = await verifyPassword(req.password, failure || !link ? await dummyHash : link.passwordHash);
    if (failure || !link) return refuse(req, source, failure ?? 'unknown', !!link);
    if (!ok) return refuse(req, source, 'password', true);
    // A good bind clears its source's count (a peer's own typo does not pile up); the system_id's count stays.
    await redis.del(key('fail-src', source));
    return { ok: true, link: link.name, window: link.window, maxSessions: link.maxSessions, vendor: link.vendor };
  };
}

/** A link's name is its system_id (web/admin/schemas.ts linkName; SMPP 3.4 §5.2.1: at most 15 octets). */
const LINK_NAME = /^[A-Za-z0-9_-]{1,15}$/;

function sourceAddress(remote: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  return mapped ? mapped[1]! : remote;
}

export function sourceAllowed(cidrs: readonly string[], remote: string): boolean {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.split('/') as [string, string | undefined];
    const type = isIPv6(addr) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  const ip = sourceAddress(remote);
  return list.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4');
}
