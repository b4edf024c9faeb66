/**
 * The outbox between a committed action and the `mt-<link>` queues. relay.ts hands a batch's replies on right
 * after commit: those a node holding the link's sender may send now go out directly (mt/direct.ts: a limiter
 * token and an in-flight marker each, no job), the rest are queued (one addBulk per link, jobId `ob-<id>`).
 * It sweeps what a crash left: rows never relayed (a direct send's row, once its in-flight marker is gone
 * and no sent-marker says it went), and rows relayed long ago whose mark or job was lost. marks.ts records relayed/sent in batched statements.
 * Promises: no committed reply is lost, none is queued twice while its job exists, none sent twice (sent-marker).
 */
export { createOutboxMarks } from './marks.js';
export { createOutboxRelay } from './relay.js';
