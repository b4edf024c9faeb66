/**
 * text/ throughput: MT encode + segment (planMt) for a 300-character Latin (GSM-7) and a
 * 300-character Cyrillic (UCS-2) text, and the cost of judging and decoding one concatenated MO
 * (splitUdh + partIdentity + assemble + decodeUserData). `npx tsx scripts/bench/text.ts`
 */
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_TEXT_OPTIONS,
  assemble,
  decodeUserData,
  partIdentity,
  planMt,
  splitUdh,
  type MtSegment,
} from '../../src/text/index.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

/** Repeats a sample to exactly `n` characters (both samples are BMP-only, so slicing is safe). */
function exactly(n: number, sample: string): string {
  return sample.repeat(Math.ceil(n / sample.length)).slice(0, n);
}

// Latin fits the GSM-7 tables ({ } € from the extension table, 2 septets each): 2 segments.
const LATIN = exactly(
  300,
  'Your archive password is k7m2x9qp. Keep it safe: anyone with it can read your saved messages. ' +
    'To change it reply PASS <new> to 232; to stop the archive reply OFF. Terms {see site}: €0.00 a day. ',
);
// Cyrillic needs UCS-2: 5 segments of at most 67 units.
const CYRILLIC = exactly(
  300,
  'Ваш пароль архива: k7m2x9qp. Храните его в тайне: с ним можно прочитать ваши сообщения. ' +
    'Чтобы сменить его, отправьте PASS <новый> на 232, чтобы отключить архив, отправьте OFF. ',
);

/** Runs `fn` for about `ms` milliseconds after a warm-up; returns calls per second. */
function rate(fn: () => void, ms = 1000): number {
  for (let i = 0; i < 2000; i++) fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 500; i++) fn();
    calls += 500;
    elapsed = performance.now() - start;
  }
  return (calls * 1000) / elapsed;
}

/** One MO made of the given parts: judge every part, decode once complete. */
function reassembleOnce(segments: MtSegment[], dataCoding: number): void {
  let parts = new Map<number, { body: Uint8Array; udhLength: number }>();
  for (const s of segments) {
    const { udh, body } = splitUdh(s.shortMessage, s.udhi);
    const id = partIdentity({ link: 'bench', source: '79161234567', destination: '111', udh });
    if (!id) continue;
    parts.set(id.seq, { body, udhLength: udh?.length ?? 0 });
    const set = assemble(id.total, parts);
    if (set.complete) {
      const r = decodeUserData(set.ordered, dataCoding, DEFAULT_TEXT_OPTIONS);
      if (r.kind !== 'text') throw new Error('bench: reassembly lost the text');
      parts = new Map();
    }
  }
}

export async function runTextBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const [label, text] of [['latin-300', LATIN], ['cyrillic-300', CYRILLIC]] as const) {
    let ref = 0;
    const perSecond = rate(() => planMt(text, { concat: 'udh8', ref: ref++ & 0xff }));
    results.push({ name: `text.planMt.${label}`, value: Math.round(perSecond), unit: 'msg/s' });
  }
  for (const [label, text] of [['latin-300', LATIN], ['cyrillic-300', CYRILLIC]] as const) {
    const plan = planMt(text, { concat: 'udh8', ref: 0x2a });
    const perSecond = rate(() => reassembleOnce(plan.segments, plan.dataCoding));
    results.push({ name: `text.reassemble.${label}.${plan.segments.length}parts`, value: +(1e6 / perSecond).toFixed(2), unit: 'µs/msg' });
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await runTextBench()) console.log(`${r.name.padEnd(40)} ${String(r.value).padStart(12)} ${r.unit}`);
}
