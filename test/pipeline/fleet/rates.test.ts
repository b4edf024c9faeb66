import { describe, expect, it } from 'vitest';
import { createRateTracker } from '../../../src/pipeline/fleet/rates.js';

describe('rates over 1, 5 and 15 minutes from sampled counters', () => {
  it('divides what each window added by its length, from the newest sample at or before its start', () => {
    const r = createRateTracker(['mo'] as const);
    // 1 MO/s for 15 minutes, then 10 MO/s for the last minute; a sample every 5 s.
    let total = 0;
    for (let t = 0; t <= 960_000; t += 5000) {
      r.sample(t, { mo: total });
      total += t < 900_000 ? 5 : 50;
    }
    expect(r.rates().mo).toEqual({ m1: 10, m5: 2.8, m15: 1.6 });
  });

  it('uses the history there is when it is shorter than a window, and restarts after a counter reset', () => {
    const r = createRateTracker(['mo', 'mt'] as const);
    expect(r.rates()).toEqual({ mo: { m1: 0, m5: 0, m15: 0 }, mt: { m1: 0, m5: 0, m15: 0 } });
    r.sample(0, { mo: 0, mt: 0 });
    r.sample(10_000, { mo: 20, mt: 5 });
    expect(r.rates()).toEqual({ mo: { m1: 2, m5: 2, m15: 2 }, mt: { m1: 0.5, m5: 0.5, m15: 0.5 } });
    r.sample(20_000, { mo: 3, mt: 6 }); // a reset
    r.sample(30_000, { mo: 13, mt: 6 });
    expect(r.rates().mo).toEqual({ m1: 1, m5: 1, m15: 1 });
  });
});
