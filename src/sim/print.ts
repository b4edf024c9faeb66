/** What `scgw sim` prints: a reply as the subscriber reads it, and a load run's figures. Strings only, no I/O. */
import { classifyDcs, DEFAULT_TEXT_OPTIONS, type Alphabet } from '../text/index.js';
import type { LoadResult } from './load-summary.js';
import type { ReceivedSms } from './phone.js';

const ALPHABET_LABEL: Record<Alphabet, string> = {
  gsm7: 'GSM-7', ascii: 'IA5', latin1: 'Latin-1', cyrillic: 'ISO-8859-5', ucs2: 'UCS-2', binary: 'binary',
};

export function encodingLabel(dataCoding: number): string {
  return `${ALPHABET_LABEL[classifyDcs(dataCoding, DEFAULT_TEXT_OPTIONS).alphabet]} (data_coding ${dataCoding})`;
}

/** `232 → 79161234567: text`, then a dim line with parts, encoding and (for the first reply) the latency. */
export function formatReply(sms: ReceivedSms, latencyMs: number | undefined, dim: (s: string) => string): string[] {
  const facts = [`${sms.parts} part${sms.parts === 1 ? '' : 's'}`, encodingLabel(sms.dataCoding)];
  if (latencyMs !== undefined) facts.push(`${Math.round(latencyMs)} ms after the MO`);
  return [`${sms.from} → ${sms.to}: ${sms.text}`, dim(`  ${facts.join(', ')}`)];
}

const n1 = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 1 });
const ms = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 2 : 1 });

export function formatLoadResult(r: LoadResult, what: { to: string; text: string }): string[] {
  const lat = r.latencyMs;
  const refusedBy = Object.entries(r.refusedByStatus).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `sim load: ${r.count} MO "${what.text}" to ${what.to}, window ${r.window} per session, ${r.sessions} session${r.sessions === 1 ? '' : 's'}, ${r.rate ? `rate cap ${r.rate}/s` : 'no rate cap'}`,
    `  MO        ${r.sent} sent, ${r.acked} acked, ${r.refused} refused${refusedBy ? ` (${refusedBy})` : ''}, ${r.unanswered} unanswered; accepted ${n1(r.moAcceptRateRps)}/s`,
    `  replies   ${r.replied} subscribers replied; lost ${r.lost}, duplicated ${r.duplicates} (+${r.extraReplies}), unmatched ${r.unmatched}, text mismatch ${r.textMismatch}`,
    `  rate      ${n1(r.throughputRps)} replies/s steady (10–90 %), ${n1(r.replyRateOverallRps)}/s overall, over ${r.durationS} s`,
    lat
      ? `  latency   p50 ${ms(lat.p50)} ms, p95 ${ms(lat.p95)}, p99 ${ms(lat.p99)}, max ${ms(lat.max)} (min ${ms(lat.min)}, mean ${ms(lat.mean)}) MO → reply`
      : '  latency   no replies',
    ...(r.ackLatencyMs ? [`  ack       p50 ${ms(r.ackLatencyMs.p50)} ms, p99 ${ms(r.ackLatencyMs.p99)}, max ${ms(r.ackLatencyMs.max)} (mean ${ms(r.ackLatencyMs.mean)}) MO → its response: what the window waits on`] : []),
    ...(r.sampleReply !== null ? [`  sample    ${JSON.stringify(r.sampleReply)}`] : []),
    `  end       ${r.endReason}; this tool: ${n1(r.toolCpuPct)} % of one core, event-loop lag p99 ${ms(r.toolLoopDelayP99Ms)} ms`,
  ];
}

/** Clean: every MO sent was accepted and answered exactly once, with the expected text, and nothing else came. */
export function loadIsClean(r: LoadResult): boolean {
  return r.endReason === 'complete' && r.sent === r.count && r.acked === r.sent && r.lost === 0
    && r.duplicates === 0 && r.unmatched === 0 && r.textMismatch === 0;
}
