import { describe, expect, it } from 'vitest';
import { batchPerTick } from '../src/tick-batch.js';

describe('batchPerTick', () => {
  it('serves the calls of one turn with one run, each caller its own result in order; a later turn is a new run', async () => {
    const runs: number[][] = [];
    const double = batchPerTick(async (xs: number[]) => { runs.push(xs); return xs.map((x) => x * 2); });
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(await double(5)).toBe(10);
    expect(runs).toEqual([[1, 2, 3], [5]]);
  });

  it('splits a turn into runs of at most `max`', async () => {
    const runs: number[][] = [];
    const same = batchPerTick(async (xs: number[]) => { runs.push(xs); return xs; }, 2);
    expect(await Promise.all([1, 2, 3, 4, 5].map((x) => same(x)))).toEqual([1, 2, 3, 4, 5]);
    expect(runs).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('a failed run rejects every caller of it, and only them', async () => {
    const fail = batchPerTick(async (xs: number[]) => { if (xs.includes(0)) throw new Error('run failed'); return xs; }, 2);
    const settled = await Promise.allSettled([fail(0), fail(1), fail(2)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseRejectedResult).reason).toEqual(new Error('run failed'));
  });
});
