import type { z } from 'zod';
import type { Db, Tx } from '../db/client.js';
import type { OperationSink } from '../db/queries/operations.js';

export type Channel = 'sms' | 'ussd' | 'web' | 'api';
export type Locale = 'en' | 'ru';

/** What an action sees of an MO: already decoded, reassembled and routed. */
export interface ActionMessage {
  msisdn: string;
  shortCode: string;
  text: string;
  /** prefix routes: the text after the keyword; else ''. */
  args: string;
  link: string;
  channel: Channel;
  corr: string;
  /** the reply language: Russian when the MO was written in Cyrillic, else the subscriber's. */
  locale: Locale;
  /** The MO's id (its idempotency key): set on keyword MO; app.forward keys its forward by it. */
  id?: string;
  /** When the MO (its last part) arrived, epoch ms; unset for a set routed at its timeout, and off the MO path. */
  receivedAt?: number;
  /** The link takes binary SMS (links.allow_binary): an action may add a binary reply (WAP push). Unset: no. */
  allowBinary?: boolean;
}

export interface Reply {
  template: string;
  /** The text; for a binary reply only a label for logs, never sent. */
  text: string;
  /** A binary reply: sent as 8-bit segments instead of the text (mms.settings: OMA CP WAP push, PROTOCOL.md §6). */
  binary?: { kind: 'wap-push'; payload: string /* base64 of the WSP push PDU */ };
}

export interface ActionDeps {
  now(): Date;
  newPassword(): string;
  hashPassword(plain: string): Promise<string>;
  render(key: string, locale: Locale, vars?: Record<string, string | number>): string;
  passwordsPerHour: number;
  /** The password pre-check's count (passwords.ts createIssuedCounts); unset, each prepare queries on its own. */
  issuedSince?(msisdn: string, since: Date): Promise<number>;
  /** What this action's prepare() returned, when the caller ran it. */
  prepared?: unknown;
  publicUrl: string;
  /**
   * Where the action's operations-log rows go, when the executor collects them to write in one statement before
   * commit (the MO batch, the web executor). Unset: each row is inserted at once in the action's transaction.
   */
  operations?: OperationSink;
  /**
   * Called before an action turns `msisdn`'s archive on or off: the MO batch stores the archive rows earlier MO
   * deferred for that number (pipeline/mo/batch.ts ArchiveBatch), so each saw the archive as it was after its own action.
   */
  beforeArchiveChange?(msisdn: string): Promise<void>;
}

export interface Action<P = Record<string, unknown>> {
  name: string;
  params: z.ZodType<P>;
  /**
   * The templates this action renders, each with the placeholders it fills in (`{password}`). The admin API
   * refuses a template that names any other placeholder. `help.*` templates take none.
   */
  placeholders: Readonly<Record<string, readonly string[]>>;
  /**
   * Work done before the transaction, without locks (hashing a new password); its result reaches run()
   * as deps.prepared. Callers that skip it (dry run) get the same outcome, only slower inside the transaction.
   */
  prepare?(db: Db, msg: ActionMessage, params: P, deps: ActionDeps): Promise<unknown>;
  run(tx: Tx, msg: ActionMessage, params: P, deps: ActionDeps): Promise<Reply[]>;
  /**
   * run() reads and writes nothing in `tx`: its only writes are operations-log rows through deps.operations
   * (logOperation). The MO batch then runs it before its one statement (pipeline/mo/batch.ts BatchItem.pure), with a
   * transaction that throws when used.
   */
  pure?: true;
}
