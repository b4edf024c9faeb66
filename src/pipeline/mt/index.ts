/**
 * MT out: the `mt-<link>` workers of the links this node holds a reply sender for (a session bound to our
 * listener, or our own bind to an SMSC: outbound-links.ts), at the link's contracted rate.
 * - worker.ts: encodes and splits a reply (text/), sends each part through the best sender of its link
 *   (senders.ts: ready, not suspect, window room), remembers accepted parts so a throttled part alone is resent,
 *   and sets the sent-marker (sent.ts) before the job completes. It also sends fresh replies with no job at all
   (the relay's direct send): direct.ts takes each one a token of the link's limiter (the worker's own key, so
   the contracted rate holds across both ways and every node) and an in-flight marker that keeps the sweeps off
   it; a reply with no token, no window room within 250 ms, or a failed send is queued as before.
 * - receipts.ts: reading delivery receipts (pure); they arrive as MO and are matched by mo/receipts.ts.
 * Promises: a reply goes out once (only PDUs in flight at a crash may repeat); a dead session holds no job.
 */
export { createOutboundLinks } from './outbound-links.js';
export { createMtDispatcher } from './worker.js';
