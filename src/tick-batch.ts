/**
 * Calls made in one event-loop turn, served by ONE call of `run` for all of them (the intake tick's MO run
 * together, so their round trips can be one): each caller gets its own result, in the order called, and a failed
 * run rejects every caller of it. At most `max` items go to one run; more are split, the runs issued at once.
 * Used where each caller needs its own answer from a shared statement or command (the password pre-check's
 * counts, the mt worker's sent-markers). The enqueue and relay batchers decide more per item and keep their own.
 */
export function batchPerTick<In, Out>(run: (items: In[]) => Promise<readonly Out[]>, max = Infinity): (item: In) => Promise<Out> {
  let pending: Array<{ item: In; resolve(v: Out): void; reject(e: unknown): void }> = [];
  async function flush(calls: typeof pending): Promise<void> {
    let out: readonly Out[];
    try {
      out = await run(calls.map((c) => c.item));
    } catch (e) {
      for (const c of calls) c.reject(e);
      return;
    }
    calls.forEach((c, i) => c.resolve(out[i] as Out));
  }
  function drain() {
    const calls = pending;
    pending = [];
    for (let i = 0; i < calls.length; i += max) void flush(calls.slice(i, i + max));
  }
  return (item) => new Promise<Out>((resolve, reject) => {
    if (pending.length === 0) setImmediate(drain);
    pending.push({ item, resolve, reject });
  });
}
