/**
 * Abuse caps shared by every web node (issue 10): fixed-window counters in Redis, one INCR per hit. The window
 * follows the injected clock (deps.now), so tests move time instead of sleeping; keys expire on their own, so
 * a flood of random numbers or addresses leaves nothing behind. Each caller says what a Redis outage means for
 * it: the password form refuses (it would pump SMS unchecked), a login goes on (its lock lives in Postgres).
 */
import type { Cluster, Redis } from 'ioredis';

export type LimitResult = { ok: true } | { ok: false; retryAfterS: number; unavailable?: true };

export interface Limits {
  /** Counts one hit on `key` in the current window of `windowMs`; ok while the window holds at most `max`. */
  take(key: string, max: number, windowMs: number, onOutage: 'allow' | 'refuse'): Promise<LimitResult>;
}

export function createLimits(deps: { redis: Redis | Cluster; prefix: string; now(): Date; onOutage?(err: Error): void }): Limits {
  return {
    async take(key, max, windowMs, onOutage) {
      const now = deps.now().getTime();
      const window = Math.floor(now / windowMs);
      const k = `${deps.prefix}:limit:${key}:${window}`;
      try {
        const res = await deps.redis.multi().incr(k).pexpire(k, windowMs * 2).exec();
        const n = Number(res?.[0]?.[1] ?? 0);
        if (n <= max) return { ok: true };
        return { ok: false, retryAfterS: Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000)) };
      } catch (e) {
        deps.onOutage?.(e as Error);
        return onOutage === 'allow' ? { ok: true } : { ok: false, retryAfterS: 60, unavailable: true };
      }
    },
  };
}
