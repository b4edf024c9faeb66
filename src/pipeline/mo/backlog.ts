/**
 * A bounded backlog between ack and reply (issue 13 item 6). The listener acks an MO once it is a job; when
 * the workers or a link's peer fall behind, jobs would pile up in Redis without limit (and Redis runs
 * `noeviction`). Past a bound, intake answers ESME_RTHROTTLED instead, so the SMSC holds the excess:
 * - the MO waiting to be acted on (the `mo` queue: waiting, delayed, prioritized), MO_BACKLOG_MAX in total; a job
 *   holds one intake tick's MO, so its jobs are counted times this node's recent MO per job (an estimate);
 * - the replies waiting for one link (its `mt-<link>` queue), MT_BACKLOG_PER_LINK per link: a link whose
 *   peer reads no replies (or whose rate is low) stops taking MO while its other traffic flows.
 * The counts are read every BACKLOG_POLL_MS (one round trip per queue, not per MO), so a burst below the
 * bound is taken at once and the bound is exceeded by at most one poll interval of intake.
 */
import { ScgwError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Queues } from '../queues.js';

export interface BacklogLimits {
  moMax: number;
  mtPerLink: number;
  pollMs: number;
}

export interface BacklogGuard {
  /** Throws SCGW_BACKLOG_FULL (ESME_RTHROTTLED) when the MO of `link` should wait at the SMSC. */
  check(link: string): void;
  /** The counts of the last poll: for tests and the storage view. */
  counts(): { mo: number; mt: ReadonlyMap<string, number> };
  close(): void;
}

const PENDING = ['waiting', 'delayed', 'prioritized'] as const;

export function createBacklogGuard(deps: {
  queues: Pick<Queues, 'mo' | 'mt'>; links(): Iterable<string>; limits: BacklogLimits; log: Logger; onFull?(link: string, what: 'mo' | 'mt'): void;
  /** MO per `mo` job (an intake tick's MO are one job, enqueue.ts): the count of jobs times this is the MO count. */
  moPerJob?(): number;
}): BacklogGuard {
  let mo = 0;
  let mt = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let warned = false;

  async function poll(): Promise<void> {
    try {
      const links = [...deps.links()];
      const [m, ...perLink] = await Promise.all([
        deps.queues.mo.getJobCountByTypes(...PENDING),
        ...links.map((l) => deps.queues.mt(l).getJobCountByTypes(...PENDING)),
      ]);
      mo = Math.round((m ?? 0) * (deps.moPerJob?.() ?? 1));
      mt = new Map(links.map((l, i) => [l, perLink[i] ?? 0]));
      warned = false;
    } catch (e) {
      // Redis is away: intake refuses on its own (the enqueue fails); keep the last counts.
      if (!warned) deps.log.warn({ err: e }, 'backlog counts unavailable');
      warned = true;
    }
    if (!stopped) timer = setTimeout(() => void poll(), deps.limits.pollMs);
  }
  void poll();

  return {
    check(link) {
      if (mo >= deps.limits.moMax) {
        deps.onFull?.(link, 'mo');
        throw new ScgwError('SCGW_BACKLOG_FULL', `${mo} MO wait to be acted on (MO_BACKLOG_MAX ${deps.limits.moMax})`);
      }
      const replies = mt.get(link) ?? 0;
      if (replies >= deps.limits.mtPerLink) {
        deps.onFull?.(link, 'mt');
        throw new ScgwError('SCGW_BACKLOG_FULL', `${replies} replies wait for link ${link} (MT_BACKLOG_PER_LINK ${deps.limits.mtPerLink})`);
      }
    },
    counts: () => ({ mo, mt }),
    close() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
