/** What one node says about itself in its heartbeat, and the fleet view built from all of them. */
import type { RateWindows } from './rates.js';

export interface SessionBeat {
  /** The session id `scgw session kick` takes (listener sessions; an outbound bind is `out:<link>`). */
  id: string;
  link: string;
  peer: string;
  bindKind: string;
  direction: 'listener' | 'outbound';
  boundAt: string | null;
  /** Outbound: the lease slot (0..binds-1) this node binds the link under (pipeline/mt/link-leases.ts). */
  slot?: number;
}

export interface QueueBeat {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Globally paused (a suspended link's replies are held this way). */
  paused: boolean;
  /** Age of the oldest job waiting to run, seconds; null when none waits. */
  oldestWaitingS: number | null;
}

export interface ProblemBeat {
  at: string;
  level: 'warn' | 'error' | 'fatal';
  component: string | null;
  link: string | null;
  msg: string;
  code: string | null;
}

export interface NodeBeat {
  id: string;
  host: string;
  pid: number;
  roles: string[];
  version: string;
  startedAt: string;
  uptimeS: number;
  beatAt: string;
  draining: boolean;
  /** The suspended links this node honours now (its copy of the fleet's suspensions). */
  suspendedLinks: string[];
  sessions: SessionBeat[];
  queues: QueueBeat[];
  rates: { moIn: RateWindows; mtOut: RateWindows; moThrottled: RateWindows; receipts: RateWindows };
  errors: ProblemBeat[];
}

export interface Suspension { by: string; at: string }

export interface FleetView {
  generatedAt: string;
  nodes: NodeBeat[];
  links: { name: string; direction: string; enabled: boolean; suspended: Suspension | null; sessions: { node: string; count: number }[]; total: number }[];
  /** Queues are shared by the fleet: the newest heartbeat's counts. */
  queues: QueueBeat[];
}
