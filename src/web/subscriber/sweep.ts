/**
 * Housekeeping of the web role, on a timer: deletes the content of MMS past their keep time (the page answers
 * 410 from the expiry on, whether or not the sweep has run), old login failures and password-form counts, and the
 * text of USSD-over-HTTP answers past their retry window.
 * Idempotent, so every web node may run it.
 */
import type { Db } from '../../db/client.js';
import { purgeExpiredMms } from '../../db/queries/mms.js';
import { sweepFormRequests } from '../../db/queries/password-form.js';
import { sweepLoginLocks } from '../../db/queries/login-guard.js';
import { sweepLoginFailures } from '../../db/queries/web-accounts.js';
import { wipeUssdHttpAnswers } from '../../db/queries/ussd-http.js';
import type { Logger } from '../../log.js';

export interface WebSweep {
  run(): Promise<number>;
  close(): void;
}

export function createWebSweep(deps: { db: Db; log: Logger; now(): Date; everyMs: number; loginWindowMin: number; ussdHttpReplyKeepS?: number }): WebSweep {
  async function run() {
    const now = deps.now();
    const purged = await purgeExpiredMms(deps.db, now);
    await sweepLoginFailures(deps.db, new Date(now.getTime() - deps.loginWindowMin * 60_000));
    await sweepLoginLocks(deps.db, now);
    await sweepFormRequests(deps.db, new Date(now.getTime() - 3600_000));
    // USSD over HTTP answers (they may hold a password) are kept only while a retried POST can come.
    await wipeUssdHttpAnswers(deps.db, new Date(now.getTime() - (deps.ussdHttpReplyKeepS ?? 600) * 1000));
    if (purged) deps.log.info({ purged }, 'expired MMS content deleted');
    return purged;
  }
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try { await run(); } catch (e) { deps.log.warn({ err: e }, 'web sweep failed; will retry'); }
    if (!stopped) timer = setTimeout(tick, deps.everyMs);
  };
  timer = setTimeout(tick, deps.everyMs);
  return { run, close() { stopped = true; if (timer) clearTimeout(timer); } };
}
