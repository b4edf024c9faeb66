/**
 * The pino root and the msisdn tag. Only main.ts (and tests) create a root; components take children.
 * Phone numbers never reach a log line: msisdnTag() is a keyed hash you can grep for.
 */
import { createHmac } from 'node:crypto';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { serializeError } from './log-errors.js';

export { withoutQueryParams } from './log-errors.js';

export type { Logger };

export const REDACT_PATHS = [
  'password', '*.password', 'passwordHash', '*.passwordHash', 'token', '*.token',
  'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie',
  'text', '*.text', 'shortMessage', '*.shortMessage',
  // An app's signing secret (issue 11).
  'secret', '*.secret',
];

export function createRootLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  // `err` goes through one serializer that never prints query parameters (log-errors.ts): log errors as `{ err }`.
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { svc: 'scgw' }, serializers: { err: serializeError } }, destination);
}

/**
 * For a person at a terminal: one readable line per entry (main.ts uses it when stdout is a TTY; JSON otherwise).
 * Loaded only then: a gateway logging JSON does not keep pino-pretty and its dependencies in its heap.
 */
export async function prettyDestination(): Promise<DestinationStream> {
  const { PinoPretty } = await import('pino-pretty');
  return PinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,svc', sync: true });
}

/** A stable, non-reversible (without the key) tag for a phone number: 12 hex characters of HMAC-SHA256. */
export function msisdnTag(key: string, msisdn: string): string {
  return createHmac('sha256', key).update(msisdn).digest('hex').slice(0, 12);
}

/** For text shown to people (CLI output): 7916****567. */
export function maskMsisdn(msisdn: string): string {
  if (msisdn.length <= 6) return '*'.repeat(msisdn.length);
  return msisdn.slice(0, 4) + '*'.repeat(msisdn.length - 7) + msisdn.slice(-3);
}
