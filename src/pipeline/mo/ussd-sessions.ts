/**
 * Where a subscriber is in a USSD menu, kept in Redis per (link, msisdn, its_session_info session number) with a
 * TTL. Each record also says which MO wrote it (`by`) and the state before (`prev`), so an MO job that runs
 * again after a crash decides from the state it first saw and never advances the menu twice
 * (pipeline/mo/ussd.ts).
 */
import type { Cluster, Redis } from 'ioredis';
import type { UssdState } from '../../actions/ussd-menu.js';
import { hashKey } from '../jobs.js';

/**
 * Longer than any USSD dialogue lives in the network (a MAP dialogue waits minutes at most for the user,
 * 3GPP TS 24.090), and than the mo job's first retries, so a retried step still finds its record.
 */
export const USSD_SESSION_TTL_S = 600;

export interface UssdSessionRecord {
  /** null: the session ended (a final reply was decided). */
  state: UssdState | null;
  /** The state the writing MO decided from. */
  prev: UssdState | null;
  /** The idempotency key of the MO that wrote this record. */
  by: string;
}

export interface UssdSessions {
  /** The session's key: `session` is its_session_info's high octet (undefined: a link without the TLV). */
  key(link: string, msisdn: string, session: number | undefined): string;
  get(key: string): Promise<UssdSessionRecord | null>;
  put(key: string, record: UssdSessionRecord): Promise<void>;
  drop(key: string): Promise<void>;
}

export function createUssdSessions(deps: { redis: Redis | Cluster; prefix: string; ttlS?: number }): UssdSessions {
  const ttl = deps.ttlS ?? USSD_SESSION_TTL_S;
  return {
    // A hash, so no msisdn sits in Redis key names.
    key: (link, msisdn, session) => `${deps.prefix}:ussd:${hashKey('s-', `${link}\0${msisdn}\0${session ?? 'none'}`)}`,
    async get(key) {
      const raw = await deps.redis.get(key);
      return raw ? (JSON.parse(raw) as UssdSessionRecord) : null;
    },
    async put(key, record) {
      await deps.redis.set(key, JSON.stringify(record), 'EX', ttl);
    },
    async drop(key) {
      await deps.redis.del(key);
    },
  };
}
