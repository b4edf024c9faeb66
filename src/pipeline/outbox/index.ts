/**
 * The outbox between a committed action and the `mt-<link>` queues. relay.ts queues a batch's replies right
 * after commit (one addBulk per link, jobId `ob-<id>`) and sweeps what a crash left: rows never relayed, and
 * rows relayed long ago whose mark or job was lost. marks.ts records relayed/sent in batched statements.
 * Promises: no committed reply is lost, none is queued twice while its job exists, none sent twice (sent-marker).
 */
export { createOutboxMarks } from './marks.js';
export { createOutboxRelay } from './relay.js';
