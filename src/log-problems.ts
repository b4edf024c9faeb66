/**
 * The last few problems of this process, for the fleet view (issue 12): every warn, error and fatal line any
 * component logs through the gateway's logger is also kept in a small ring. Fed from the log, not from explicit
 * calls, so no component needs to know about it. A ring entry keeps what says *what* went wrong (time, level,
 * component, link, the message, the error's type and code), never the error's own message, fields or bindings:
 * those may carry a failed query's parameters or a number (log-errors.ts); the log line has the details.
 */
import type { Logger } from './log.js';

export interface Problem {
  at: string;
  level: 'warn' | 'error' | 'fatal';
  component: string | null;
  link: string | null;
  msg: string;
  /** The logged error's code (SCGW_…, ECONNREFUSED, a SQLSTATE) or, without one, its type. */
  code: string | null;
}

export interface ProblemRing {
  add(p: Problem): void;
  /** Newest first. */
  recent(): Problem[];
}

export function createProblemRing(size = 20, now: () => Date = () => new Date()): ProblemRing & { now(): Date } {
  const ring: Problem[] = [];
  return {
    now,
    add(p) {
      ring.push(p);
      if (ring.length > size) ring.shift();
    },
    recent: () => [...ring].reverse(),
  };
}

const LEVELS = ['warn', 'error', 'fatal'] as const;
const MAX_MSG = 200;

function codeOf(obj: Record<string, unknown> | undefined): string | null {
  const err = (obj?.['err'] ?? obj) as { code?: unknown; name?: unknown; constructor?: { name?: string } } | undefined;
  if (!err || typeof err !== 'object') return null;
  if (typeof err.code === 'string' || typeof err.code === 'number') return String(err.code);
  if (obj?.['err'] && err.constructor?.name && err.constructor.name !== 'Object') return err.constructor.name;
  return null;
}

/**
 * A child of `log` whose warn/error/fatal (its own and every descendant's) also go to `ring`, whatever the
 * log level (a silent logger still fills the ring). pino gives each child its own level methods and then calls
 * the `onChild` it inherits, so setting `onChild` here reaches every descendant once; the log line itself is
 * written by pino's own method, with the child's bindings. A later level change replaces the wrapped methods.
 */
export function teeProblems(log: Logger, ring: ProblemRing & { now(): Date }): Logger {
  const out = log.child({});
  wrapLevels(out, ring);
  (out as unknown as { onChild(child: Logger): void }).onChild = (child) => wrapLevels(child, ring);
  return out;
}

function wrapLevels(log: Logger, ring: ProblemRing & { now(): Date }): void {
  const bindings = log.bindings() as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const methods = log as unknown as Record<string, (...args: unknown[]) => void>;
  for (const level of LEVELS) {
    const orig = methods[level]!;
    methods[level] = function (this: unknown, ...args: unknown[]) {
      try {
        const first = args[0];
        const obj = typeof first === 'object' && first !== null ? first as Record<string, unknown> : undefined;
        const msg = obj ? args[1] : first;
        ring.add({
          at: ring.now().toISOString(), level,
          component: str(obj?.['component']) ?? str(bindings['component']),
          link: str(obj?.['link']) ?? str(bindings['link']),
          msg: (typeof msg === 'string' ? msg : obj instanceof Error ? obj.constructor.name : '').slice(0, MAX_MSG),
          code: codeOf(obj instanceof Error ? { err: obj } : obj),
        });
      } catch { /* the ring must never break a log call */ }
      orig.apply(log, args);
    };
  }
}
