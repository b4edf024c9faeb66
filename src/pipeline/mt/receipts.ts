/**
 * Delivery receipts (PROTOCOL §4), pure: reading one out of a deliver_sm / data_sm, comparing message ids the
 * way peers print them (hex or decimal, any case, leading zeros), and folding per-segment states into the
 * message's state. No I/O, clock or logger; never throws on any input.
 */

/** The receipt's final state names as SMPP 3.4 App. B prints them (stat:), plus ENROUTE/ACCEPTD/UNKNOWN. */
export type ReceiptStat = 'ENROUTE' | 'DELIVRD' | 'EXPIRED' | 'DELETED' | 'UNDELIV' | 'ACCEPTD' | 'UNKNOWN' | 'REJECTD';

export interface Receipt {
  /** The receipted message id: receipted_message_id TLV when present, else the text's `id:`. */
  id: string;
  /** message_state TLV when present, else the text's `stat:`, normalised to App. B spelling. */
  stat: ReceiptStat | undefined;
  /** `err:` of the text, as printed (3 digits in App. B). */
  err?: string;
}

// S34 §5.2.28 message_state values; 0 and 9+ are not states.
const STATE_BY_NUMBER: Record<number, ReceiptStat> = {
  1: 'ENROUTE', 2: 'DELIVRD', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIV', 6: 'ACCEPTD', 7: 'UNKNOWN', 8: 'REJECTD',
};
// App. B prints 7 letters; some peers print the §5.2.28 long names.
const STATE_BY_NAME: Record<string, ReceiptStat> = {
  ENROUTE: 'ENROUTE', DELIVRD: 'DELIVRD', DELIVERED: 'DELIVRD', EXPIRED: 'EXPIRED', DELETED: 'DELETED',
  UNDELIV: 'UNDELIV', UNDELIVERABLE: 'UNDELIV', ACCEPTD: 'ACCEPTD', ACCEPTED: 'ACCEPTD', UNKNOWN: 'UNKNOWN',
  REJECTD: 'REJECTD', REJECTED: 'REJECTD',
};

export function stateFromNumber(n: number | undefined): ReceiptStat | undefined {
  return n === undefined ? undefined : STATE_BY_NUMBER[n];
}

export function stateFromName(s: string | undefined): ReceiptStat | undefined {
  return s === undefined ? undefined : STATE_BY_NAME[s.trim().toUpperCase()];
}

/** Final states end the message's life at the SMSC [S34 §5.2.28]; ENROUTE and ACCEPTD may still change. */
export function isFinal(stat: ReceiptStat): boolean {
  return stat !== 'ENROUTE' && stat !== 'ACCEPTD';
}

/** The keys of an App. B text: "id: ... sub: ... submit date: ... text: ..."; each value runs to the next key. */
const KEY = /(^|\s)(id|sub|dlvrd|submit date|done date|stat|err|text)\s*:/gi;

/** `key:value` pairs of an App. B text, keys lower-cased; order, case and missing fields tolerated. */
export function receiptFields(text: string): Record<string, string> {
  const found: Array<{ key: string; start: number; end: number }> = [];
  for (const m of text.matchAll(KEY)) {
    const key = m[2]!.toLowerCase().replace(/\s+/g, ' ');
    found.push({ key, start: m.index + m[1]!.length, end: m.index + m[0].length });
  }
  const out: Record<string, string> = {};
  for (let i = 0; i < found.length; i++) {
    const f = found[i]!;
    if (f.key in out) continue; // the first wins: an `id:` typed inside the text: of a later receipt stays text
    const next = found[i + 1];
    out[f.key] = text.slice(f.end, next ? next.start : text.length).trim();
  }
  return out;
}

/**
 * A receipt from the pieces of an inbound message: its text (decoded as ASCII/Latin-1, App. B is ASCII) and
 * the TLVs. TLVs win over the text [PROTOCOL §4]. Null when no message id can be found at all.
 */
export function parseReceipt(input: { text: string; receiptedMessageId?: string | undefined; messageState?: number | undefined }): Receipt | null {
  const fields = receiptFields(input.text);
  const tlvId = input.receiptedMessageId?.trim();
  const id = tlvId || fields.id?.split(/\s/)[0] || '';
  if (!id) return null;
  const stat = stateFromNumber(input.messageState) ?? stateFromName(fields.stat?.split(/\s/)[0]);
  const err = fields.err?.split(/\s/)[0];
  return { id, stat, ...(err ? { err } : {}) };
}

const DEC = /^[0-9]{1,30}$/;
const HEX = /^(?:0x)?([0-9a-f]{1,30})$/i;

function numericValues(id: string): bigint[] {
  const out: bigint[] = [];
  if (DEC.test(id)) out.push(BigInt(id));
  const h = HEX.exec(id);
  if (h) out.push(BigInt('0x' + h[1]!));
  return out;
}

/**
 * PROTOCOL §4 policy: two ids name the same message when they are equal ignoring case, or when both parse as
 * numbers (decimal or hex, either way round: Kannel's msg-id-type) with an equal value.
 */
export function sameMessageId(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const na = numericValues(a);
  const nb = numericValues(b);
  return na.some((x) => nb.includes(x));
}

/**
 * The spellings an outbox row may hold for a receipted id, for an indexed look-up (`message_ids && …`); every
 * hit is then checked with sameMessageId. Covers case, hex ↔ decimal and the usual zero padding (8, 10, 16).
 */
export function messageIdCandidates(id: string): string[] {
  const out = new Set<string>([id, id.toLowerCase(), id.toUpperCase()]);
  for (const v of numericValues(id)) {
    const dec = v.toString(10);
    const hex = v.toString(16);
    for (const s of [dec, hex, hex.toUpperCase()]) {
      out.add(s);
      for (const width of [8, 10, 16]) if (s.length < width) out.add(s.padStart(width, '0'));
    }
  }
  return [...out];
}

export type MessageReceiptState = ReceiptStat | 'PENDING';

/**
 * A message's state from its segments' states (PROTOCOL §4 multipart policy): DELIVRD once every segment is
 * DELIVRD; the first final non-delivered segment's state once one exists; else the latest non-final state.
 */
export function combineParts(partIds: readonly string[], states: Readonly<Record<string, string>>): MessageReceiptState {
  let pending: MessageReceiptState = 'PENDING';
  let delivered = 0;
  for (const id of partIds) {
    const s = stateFromName(states[id]);
    if (s === undefined) continue;
    if (s === 'DELIVRD') delivered++;
    else if (isFinal(s)) return s;
    else pending = s;
  }
  return partIds.length > 0 && delivered === partIds.length ? 'DELIVRD' : pending;
}
