/**
 * Rates over 1, 5 and 15 minutes from counters sampled at each heartbeat (like load averages, but plain
 * differences: the count added within the window divided by its length). Pure: samples in, rates out.
 * With less history than a window (a node just started), the window is the history there is.
 */
export interface RateWindows { m1: number; m5: number; m15: number }

export interface RateTracker<K extends string> {
  /** The counters' totals at time t (ms). Counters only grow; a drop (a reset) restarts the history. */
  sample(t: number, totals: Record<K, number>): void;
  /** Per second, rounded to 0.01. */
  rates(): Record<K, RateWindows>;
}

const WINDOWS = { m1: 60_000, m5: 300_000, m15: 900_000 } as const;

export function createRateTracker<K extends string>(names: readonly K[]): RateTracker<K> {
  let samples: { t: number; totals: Record<K, number> }[] = [];
  return {
    sample(t, totals) {
      const last = samples[samples.length - 1];
      if (last && names.some((n) => totals[n] < last.totals[n])) samples = [];
      samples.push({ t, totals: { ...totals } });
      // Keep one sample older than 15 minutes: the 15-minute window starts from it.
      while (samples.length > 2 && samples[1]!.t <= t - WINDOWS.m15) samples.shift();
    },
    rates() {
      const last = samples[samples.length - 1];
      const out = {} as Record<K, RateWindows>;
      for (const n of names) {
        const w = { m1: 0, m5: 0, m15: 0 };
        if (last) {
          for (const [k, ms] of Object.entries(WINDOWS) as [keyof RateWindows, number][]) {
            // The newest sample at or before the window's start, else the oldest there is.
            const from = [...samples].reverse().find((s) => s.t <= last.t - ms) ?? samples[0]!;
            const secs = (last.t - from.t) / 1000;
            w[k] = secs > 0 ? Math.round(((last.totals[n] - from.totals[n]) / secs) * 100) / 100 : 0;
          }
        }
        out[n] = w;
      }
      return out;
    },
  };
}
