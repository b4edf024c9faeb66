import type { ActionDeps, Locale } from '../../actions/index.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../log.js';
import type { HashSlots } from '../hash-slots.js';
import type { Limits } from '../limits.js';

/** A committed outbox row, as the pipeline's outbox relay takes it. */
export interface WebReplyRow { id: number; link: string; corr: string; source: string; destination: string; body: string | null; template: string }

/**
 * How web-originated SMS leave (the normal reply path): rows written to the outbox in the action's transaction,
 * then handed to the pipeline's relay. web/ never imports bullmq, so main wires these functions in.
 */
export interface WebSms {
  /** The link web SMS go out on (WEB_SMS_LINK, else a link with a receiving bind, else the first); undefined if none. */
  link(): string | undefined;
  relay(rows: readonly WebReplyRow[]): Promise<void>;
}

export interface SubscriberDeps {
  db: Db;
  log: Logger;
  config: Pick<Config, 'web' | 'mms' | 'publicUrl' | 'passwords' | 'abuse'>;
  now(): Date;
  /** A keyed hash (the msisdn log-tag key): client addresses are counted by tag, never stored. */
  tag(value: string): string;
  render(key: string, locale: Locale, vars?: Record<string, string | number>): string;
  /** The block-list entry that matches the number, or null (issue 11; the node's compiled list, no query). */
  blocked(msisdn: string): string | null;
  sms: WebSms;
  /** Abuse caps shared by every web node (Redis counters). */
  limits: Limits;
  /** Password checks running at once on this node (LOGIN_HASH_CONCURRENCY). */
  hashSlots: HashSlots;
  action: Omit<ActionDeps, 'render'>;
}
