/**
 * MO in: from the listener's callback to an acted-on, answered message.
 * - intake.ts: limits (rate, parts, bounded backlog), the duplicate window, then the durable enqueue (enqueue.ts,
 *   one job per gather window of MO_GATHER_MS, an mo-batch of its MO); the PDU is acked only once that resolves (and, ACK_DURABILITY, is replicated).
 * - worker.ts: classifies each MO of a job (delivery receipt → receipts.ts, archive-feed copy → archive.ts, USSD step →
 *   ussd.ts, keyword MO), reassembles parts (parts-store.ts), plans it (actions/plan.ts) and runs the plan
 *   through the one executor (execute.ts): preparation outside any transaction, then the group commit
 *   (batch.ts: idempotency key, action, archive, operations log, outbox), then relay (outbox/).
 * Promises: one action per MO however often its job runs; nothing acked that is not stored.
 * Never imports web/ or cli/; the only folder of ours besides mt/ and outbox/ that imports bullmq.
 */
export { checkAckDurability, createAckGate } from './ack-durability.js';
export { createBacklogGuard } from './backlog.js';
export { createMoBatcher } from './batch.js';
export { createMoEnqueuer } from './enqueue.js';
export { createIntake } from './intake.js';
export { createMoLimits } from './limits.js';
export { createPartsStore } from './parts-store.js';
export { createMoWorker, type MoWorkerDeps } from './worker.js';
