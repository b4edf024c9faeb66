/**
 * Per app, on this node: a concurrency cap and a circuit breaker. Neither holds a worker slot: a forward that may
 * not go now is told how long to wait, and the worker moves its job to delayed (BullMQ, no attempt used).
 * The breaker opens after `failures` consecutive retryable failures (timeouts, 5xx, network) and stays open for
 * `openMs`; then one forward probes (half-open): success closes it, failure opens it again. Kept in process, like
 * the MO rate bucket: each node judges the app by what it sees.
 */
export type GateResult =
  | { ok: true; release(outcome: 'success' | 'failure' | 'neutral'): void }
  | { ok: false; waitMs: number; why: 'open' | 'busy' };

export interface AppGate {
  enter(app: string, cap: number): GateResult;
  /** Whether the app's breaker is open (or probing) now. */
  state(app: string): 'closed' | 'open' | 'half-open';
}

interface AppState { inFlight: number; failures: number; openUntil: number; probing: boolean }

/** A busy app's forwards look again after this (plus jitter, so they do not come back together). */
const BUSY_WAIT_MS = 200;

export function createAppGate(opts: { failures: number; openMs: number; now?: () => number; onOpen?(app: string): void; random?: () => number }): AppGate {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const apps = new Map<string, AppState>();
  const of = (app: string) => {
    let s = apps.get(app);
    if (!s) apps.set(app, s = { inFlight: 0, failures: 0, openUntil: 0, probing: false });
    return s;
  };
  const jitter = (ms: number) => ms + Math.floor(random() * ms);
  return {
    enter(app, cap) {
      const s = of(app);
      const t = now();
      let probe = false;
      if (s.openUntil > t) return { ok: false, waitMs: s.openUntil - t + Math.floor(random() * 250), why: 'open' };
      if (s.openUntil !== 0) {
        if (s.probing) return { ok: false, waitMs: jitter(BUSY_WAIT_MS * 2), why: 'open' };
        probe = true;
      }
      if (s.inFlight >= cap) return { ok: false, waitMs: jitter(BUSY_WAIT_MS), why: 'busy' };
      s.inFlight++;
      if (probe) s.probing = true;
      let released = false;
      return {
        ok: true,
        release(outcome) {
          if (released) return;
          released = true;
          s.inFlight--;
          if (probe) s.probing = false;
          if (outcome === 'failure') {
            s.failures++;
            if (probe || s.failures >= opts.failures) {
              const wasClosed = s.openUntil === 0;
              s.openUntil = now() + opts.openMs;
              s.failures = 0;
              if (wasClosed || probe) opts.onOpen?.(app);
            }
          } else {
            s.failures = 0;
            if (probe || outcome === 'success') s.openUntil = 0;
          }
        },
      };
    },
    state(app) {
      const s = apps.get(app);
      if (!s || s.openUntil === 0) return 'closed';
      return s.openUntil > now() ? 'open' : 'half-open';
    },
  };
}
