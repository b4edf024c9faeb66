/** Simulated crashes: the next MO "crashes" once at the armed line, like a process dying there; BullMQ then retries the job. */
export type CrashPoint = 'in-transaction' | 'after-commit';

export interface CrashSwitch {
  arm(where: CrashPoint): void;
  readonly crashes: readonly CrashPoint[];
  /** The gateway's test hooks (GatewayOptions.faults). */
  hooks: { inTransaction(): void; afterCommit(): void };
}

export function crashSwitch(): CrashSwitch {
  let armed: CrashPoint | null = null;
  const crashes: CrashPoint[] = [];
  const maybe = (where: CrashPoint) => {
    if (armed !== where) return;
    armed = null;
    crashes.push(where);
    throw new Error(`simulated crash ${where}`);
  };
  return {
    arm(where) { armed = where; },
    crashes,
    hooks: { inTransaction: () => maybe('in-transaction'), afterCommit: () => maybe('after-commit') },
  };
}
