/**
 * The send API's message states (issue 11 item 3), pure. `messageState` mirrors the SQL function
 * api_message_state in drizzle/0016_send_api.sql, which the outbox trigger uses; a test checks the two agree.
 * The outbox row's receipt_state is already the multipart fold of its segments (PROTOCOL §4 policy,
 * pipeline/mt/receipts.ts combineParts): delivered once every segment is, failed at the first final failure.
 */
export type ApiState = 'queued' | 'sent' | 'delivered' | 'failed' | 'expired';

const FAILED_STATS = new Set(['UNDELIV', 'REJECTD', 'DELETED', 'UNKNOWN']);

/** A message's (or one segment's) state from its outbox status and its receipt state (SMPP 3.4 App. B stat). */
export function messageState(status: string | null, receiptState: string | null): ApiState {
  if (status === 'failed') return 'failed';
  if (status !== 'sent') return 'queued';
  if (receiptState === 'DELIVRD') return 'delivered';
  if (receiptState === 'EXPIRED') return 'expired';
  if (receiptState !== null && FAILED_STATS.has(receiptState)) return 'failed';
  return 'sent';
}

/** queued < sent < the final states: a state only ever moves up. */
export function stateRank(s: ApiState): number {
  return s === 'queued' ? 0 : s === 'sent' ? 1 : 2;
}

export interface PartState { seq: number; state: ApiState }

/** Each segment's state: the row's send outcome, then that segment's own receipt. */
export function partStates(row: { status: string; messageIds: readonly string[] | null; receiptParts: Readonly<Record<string, string>> | null; segments: number | null }): PartState[] {
  const ids = row.messageIds ?? [];
  const n = Math.max(ids.length, row.segments ?? 0, 1);
  return Array.from({ length: n }, (_, i) => {
    const id = ids[i];
    return { seq: i + 1, state: messageState(row.status, id !== undefined ? row.receiptParts?.[id] ?? null : null) };
  });
}
