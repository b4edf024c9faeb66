/**
 * One USSD screen: at most 160 octets, i.e. 182 GSM-7 or 80 UCS-2 characters, never concatenated
 * (3GPP TS 29.002 §17.7.4; PROTOCOL.md §5). Pure: the menu logic lays screens out with it and the mt worker
 * cuts any USSD reply to one PDU with it.
 */
import { gsm7SeptetLength } from '../text/index.js';

export const USSD_SCREEN_LIMITS = { gsm7: 182, ucs2: 80 } as const;

/** The length a screen's limit counts: septets when the text is GSM-7 (ESC pairs count 2), else UTF-16 units. */
function measure(text: string, forceUcs2: boolean): { units: number; limit: number; gsm7: boolean } {
  const septets = forceUcs2 ? null : gsm7SeptetLength(text);
  return septets === null
    ? { units: text.length, limit: USSD_SCREEN_LIMITS.ucs2, gsm7: false }
    : { units: septets, limit: USSD_SCREEN_LIMITS.gsm7, gsm7: true };
}

export function fitsUssdScreen(text: string, forceUcs2 = false): boolean {
  const m = measure(text, forceUcs2);
  return m.units <= m.limit;
}

/**
 * Cuts a text to one screen. The mark is "..." on GSM-7 text (U+2026 is not in GSM 03.38 and would turn the
 * screen into UCS-2 with less than half the room) and "…" on UCS-2 text. Never splits a surrogate pair.
 */
export function fitUssdScreen(text: string, forceUcs2 = false): string {
  if (fitsUssdScreen(text, forceUcs2)) return text;
  const gsm7 = measure(text, forceUcs2).gsm7;
  const mark = gsm7 ? '...' : '…';
  const chars = Array.from(text);
  // Shorten by code points until the text and its mark fit; a screen is short, so this loop is too.
  for (let n = chars.length - 1; n > 0; n--) {
    const candidate = chars.slice(0, n).join('').trimEnd() + mark;
    if (fitsUssdScreen(candidate, forceUcs2)) return candidate;
  }
  return mark;
}

export interface ScreenItem {
  key: string;
  label: string;
}

/**
 * Lays a menu screen out as `head` lines, then `N. label` lines, then `tail` lines. When it is too long the
 * labels are cut (each to the same, longest length that fits) before anything else, so every item keeps its
 * number; only a screen that still overflows is cut at its end.
 */
export function layoutScreen(head: readonly string[], items: readonly ScreenItem[], tail: readonly string[], forceUcs2 = false): string {
  const build = (max: number) => [
    ...head,
    ...items.map((i) => `${i.key}. ${cutLabel(i.label, max)}`),
    ...tail,
  ].join('\n');
  const full = build(Infinity);
  if (fitsUssdScreen(full, forceUcs2)) return full;
  const longest = Math.max(0, ...items.map((i) => Array.from(i.label).length));
  for (let max = longest - 1; max >= 4; max--) {
    const text = build(max);
    if (fitsUssdScreen(text, forceUcs2)) return text;
  }
  return fitUssdScreen(build(4), forceUcs2);
}

function cutLabel(label: string, max: number): string {
  const chars = Array.from(label);
  if (chars.length <= max) return label;
  // '.' keeps a GSM-7 label GSM-7; the label is cut to max - 1 and marked.
  return chars.slice(0, max - 1).join('').trimEnd() + '.';
}
