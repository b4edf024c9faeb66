/**
 * command_status values (SMPP 3.4 §5.1.3, 3.4 names; node-smpp uses the 5.0 names for 0xC0–0xC4) and the one
 * place where a fault becomes a status. Rule: a message is answered ESME_ROK only when onMessage resolved.
 */
import { ScgwError, isScgwError } from '../errors.js';

export const ESME = {
  ROK: 0x00,
  RINVMSGLEN: 0x01,
  RINVCMDLEN: 0x02,
  RINVCMDID: 0x03,
  RINVBNDSTS: 0x04,
  RALYBND: 0x05,
  RINVPRTFLG: 0x06,
  RINVREGDLVFLG: 0x07,
  RSYSERR: 0x08,
  RINVSRCADR: 0x0a,
  RINVDSTADR: 0x0b,
  RINVMSGID: 0x0c,
  RBINDFAIL: 0x0d,
  RINVPASWD: 0x0e,
  RINVSYSID: 0x0f,
  RMSGQFUL: 0x14,
  RINVSERTYP: 0x15,
  RINVESMCLASS: 0x43,
  RSUBMITFAIL: 0x45,
  RINVSRCTON: 0x48,
  RINVSRCNPI: 0x49,
  RINVDSTTON: 0x50,
  RINVDSTNPI: 0x51,
  RINVSYSTYP: 0x53,
  RTHROTTLED: 0x58,
  RX_T_APPN: 0x64,
  RX_P_APPN: 0x65,
  RX_R_APPN: 0x66,
  RINVOPTPARSTREAM: 0xc0,
  ROPTPARNOTALLWD: 0xc1,
  RINVPARLEN: 0xc2,
  RMISSINGOPTPARAM: 0xc3,
  RINVOPTPARAMVAL: 0xc4,
  RDELIVERYFAILURE: 0xfe,
  RUNKNOWNERR: 0xff,
} as const;

export type StatusName = keyof typeof ESME;

const NAMES = new Map<number, string>(Object.entries(ESME).map(([k, v]) => [v, `ESME_${k}`]));

/** "ESME_RINVPASWD"; a status we have no name for prints as hex ("0x00000400", vendor range 0x400–0x4FF). */
export function statusName(status: number): string {
  return NAMES.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;
}

/** A peer (or our own caller) answered with a non-zero command_status. */
export class SmppStatusError extends ScgwError {
  readonly status: number;
  constructor(status: number, message?: string, options?: { cause?: unknown }) {
    super('SCGW_SMPP_STATUS', message ?? statusName(status), options);
    this.status = status;
  }
}

/**
 * The command_status for a message whose onMessage rejected. Queue trouble is "slow down, resubmit"
 * (RMSGQFUL, [Vonage] in PROTOCOL §1), never OK; a status carried by SmppStatusError is passed through.
 */
export function statusForError(e: unknown): number {
  if (e instanceof SmppStatusError) return e.status === ESME.ROK ? ESME.RSYSERR : e.status;
  if (!isScgwError(e)) return ESME.RSYSERR;
  switch (e.code) {
    case 'SCGW_REDIS_UNAVAILABLE':
    case 'SCGW_QUEUE_TIMEOUT':
    case 'SCGW_NOT_REPLICATED':
      return ESME.RMSGQFUL;
    case 'SCGW_SMPP_MALFORMED':
    case 'SCGW_PART_TOO_LARGE':
      return ESME.RINVMSGLEN;
    case 'SCGW_MO_THROTTLED':
    case 'SCGW_BACKLOG_FULL':
    case 'SCGW_LINK_SUSPENDED':
      // pipeline/mo/limits.ts (rate), pipeline/mo/backlog.ts (bounded backlog), an operator's suspend
      // (pipeline/fleet/control.ts): the SMSC holds the MO and retries.
      return ESME.RTHROTTLED;
    case 'SCGW_PARTS_OPEN_LIMIT':
      // Open sets end by completing or timing out: the peer may resubmit later, like a full queue.
      return ESME.RMSGQFUL;
    case 'SCGW_UNKNOWN_SHORT_CODE':
      // pipeline/mo/intake.ts: no route serves this destination.
      return ESME.RINVDSTADR;
    default:
      return ESME.RSYSERR;
  }
}
