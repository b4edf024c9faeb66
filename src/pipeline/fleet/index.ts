/**
 * The fleet (issue 12): nodes sharing one Redis and one PostgreSQL see each other and take an operator's
 * commands. Redis carries it all, under REDIS_PREFIX:
 * - heartbeat.ts: each node's heartbeat (roles, version, sessions, queue depths, rates, recent problems);
 * - control.ts: link suspensions (fleet-wide; MO refused, replies held), kick a session, drain a node;
 * - view.ts: the fleet view served by /admin/status, the status page and `scgw status`;
 * - rates.ts (pure) and queue-depths.ts (bullmq) feed the heartbeat.
 * Never imports web/ or cli/; web/ gets all of this as functions from the wiring (gateway-fleet.ts).
 */
export { createFleetControl, type FleetControl } from './control.js';
export { createHeartbeat, readNodes } from './heartbeat.js';
export { queueDepths } from './queue-depths.js';
export { createRateTracker } from './rates.js';
export type { FleetView, NodeBeat, SessionBeat, Suspension } from './types.js';
export { fleetView } from './view.js';
