/**
 * A cap on password checks (scrypt) running at once on this node (LOGIN_HASH_CONCURRENCY), with a short queue.
 * A login flood then waits here or is told "busy", instead of filling libuv's pool and slowing every request
 * (issue 10 item 5: 40 concurrent logins took another endpoint from 9 ms to 863 ms).
 */
import pLimit from 'p-limit';

export interface HashSlots {
  /** Runs `fn` in a slot; undefined, without running it, when the slots and the queue are full. */
  run<T>(fn: () => Promise<T>): Promise<T | undefined>;
}

export function createHashSlots(concurrency: number, queue = concurrency * 4): HashSlots {
  const limit = pLimit(concurrency);
  return {
    async run(fn) {
      if (limit.activeCount + limit.pendingCount >= concurrency + queue) return undefined;
      return limit(fn);
    },
  };
}
