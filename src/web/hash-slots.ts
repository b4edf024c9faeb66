/**
 * A cap on password checks (scrypt) running at once on this node (LOGIN_HASH_CONCURRENCY), with a short queue.
 * A login flood then waits here or is told "busy", instead of filling libuv's pool and slowing every request
 * (issue 10 item 5: 40 concurrent logins took another endpoint from 9 ms to 863 ms).
 */
export interface HashSlots {
  /** Runs `fn` in a slot; undefined, without running it, when the slots and the queue are full. */
  run<T>(fn: () => Promise<T>): Promise<T | undefined>;
}

export function createHashSlots(concurrency: number, queue = concurrency * 4): HashSlots {
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    async run(fn) {
      if (running >= concurrency) {
        if (waiting.length >= queue) return undefined;
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else running++;
      try {
        return await fn();
      } finally {
        // The slot passes straight to the next waiter, so `running` counts it throughout.
        const next = waiting.shift();
        if (next) next(); else running--;
      }
    },
  };
}
