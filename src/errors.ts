/**
 * Coded faults. Expected outcomes (no route, rate-limited) are values, not errors; a ScgwError is a
 * fault with a stable `code` that the edges translate (smpp/status.ts, web/errors.ts, pipeline retry).
 */
export type ErrorCode =
  | 'SCGW_CONFIG_INVALID'
  | 'SCGW_REDIS_UNAVAILABLE'
  | 'SCGW_QUEUE_TIMEOUT'
  | 'SCGW_NOT_REPLICATED'
  | 'SCGW_DB_LOCKED'
  | 'SCGW_DB_TIMEOUT'
  | 'SCGW_SMPP_TIMEOUT'
  | 'SCGW_SMPP_CLOSED'
  | 'SCGW_SMPP_STATUS'
  | 'SCGW_SMPP_MALFORMED'
  | 'SCGW_NO_SESSION'
  | 'SCGW_ROUTE_BAD_REGEX'
  | 'SCGW_ROUTE_INVALID'
  | 'SCGW_NOT_FOUND'
  | 'SCGW_CONFLICT'
  | 'SCGW_BAD_REQUEST'
  | 'SCGW_UNAUTHORIZED'
  | 'SCGW_FORBIDDEN'
  | 'SCGW_ACTION_UNKNOWN'
  | 'SCGW_UNKNOWN_SHORT_CODE'
  | 'SCGW_RECEIPT_UNMATCHED'
  | 'SCGW_MO_THROTTLED'
  | 'SCGW_BACKLOG_FULL'
  | 'SCGW_LINK_SUSPENDED'
  | 'SCGW_PARTS_OPEN_LIMIT'
  | 'SCGW_PART_TOO_LARGE';

export class ScgwError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScgwError';
    this.code = code;
  }
}

export function isScgwError(e: unknown, code?: ErrorCode): e is ScgwError {
  return e instanceof ScgwError && (code === undefined || e.code === code);
}
