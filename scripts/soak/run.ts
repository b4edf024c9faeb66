/**
 * `npm run soak [-- --minutes 30] [--rate R] [--out DIR]`: a gateway process on the suite's own PostgreSQL
 * and Redis, driven by `scgw sim load` in back-to-back 10 s windows at R MO/s ("hello" to 232: routing and the
 * help reply, each MO from a new number). Without --rate, a short unpaced ramp measures saturation first and
 * the soak runs at half of it. Per window: gateway RSS, p50/p99 MO→reply latency, lost and duplicate replies;
 * written to soak.csv and plotted to soak.png. Fails when a reply is lost or duplicated or the gateway exits.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from '../../src/sim/load.js';
import { rssKb, startOwnStack } from '../chaos/stack.js';
import { soakSvg, writePng, type SoakPoint } from './plot.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string' },
    out: { type: 'string', default: resolve(ROOT, 'soak-out') },
    window: { type: 'string', default: '10' },
  },
});
const say = (m: string) => process.stderr.write(`soak: ${m}\n`);
const LINK = { name: 'soak', password: 'soakpw', window: Number(args.window), ratePerSecond: 100_000 };
const WINDOW_S = 10;

async function main(): Promise<number> {
  mkdirSync(args.out, { recursive: true });
  const stack = await startOwnStack({ root: ROOT, links: [LINK] });
  const peer = { host: '127.0.0.1', port: stack.gw.smppPort, systemId: LINK.name, password: LINK.password, window: LINK.window, to: '232', text: 'hello', expect: /232/ };
  let base = 79_300_000_000;
  try {
    let rate = Number(args.rate ?? 0);
    if (!rate) {
      // Long enough to reach a steady rate; the time limit lets it finish, so no ramp backlog leaks into the soak.
      const ramp = await runLoad({ ...peer, count: 2000, window: 50, msisdnBase: base, timeoutS: 600, idleS: 30 });
      base += 10_000;
      rate = Math.max(1, Math.floor(ramp.throughputRps / 2));
      say(`saturation ${ramp.throughputRps} replies/s (2,000 MO unpaced, window 50, end: ${ramp.endReason}): soaking at ${rate} MO/s`);
    }
    const points: (SoakPoint & { sent: number; replied: number; lost: number; dup: number; p50Ms: number | null })[] = [];
    const t0 = performance.now(), end = t0 + Number(args.minutes) * 60_000;
    let lost = 0, dup = 0, exited = false;
    while (performance.now() < end) {
      const r = await runLoad({ ...peer, count: rate * WINDOW_S, rate, msisdnBase: base, timeoutS: 60, idleS: 5, lingerMs: 0 });
      base += rate * WINDOW_S;
      const tS = Math.round((performance.now() - t0) / 1000);
      const rssMiB = rssKb(stack.gw.gatewayPid) / 1024;
      points.push({ tS, rssMiB, p99Ms: r.latencyMs?.p99 ?? null, p50Ms: r.latencyMs?.p50 ?? null, sent: r.sent, replied: r.replied, lost: r.lost, dup: r.duplicates });
      lost += r.lost;
      dup += r.duplicates;
      say(`${tS} s: ${r.replied}/${r.sent} replied, p99 ${r.latencyMs?.p99 ?? '–'} ms, RSS ${rssMiB.toFixed(1)} MiB${r.lost ? `, ${r.lost} lost` : ''}`);
      if (!stack.gw.running()) { exited = true; break; }
    }
    const csv = ['t_s,sent,replied,lost,duplicates,p50_ms,p99_ms,rss_mib', ...points.map((p) => [p.tS, p.sent, p.replied, p.lost, p.dup, p.p50Ms ?? '', p.p99Ms ?? '', p.rssMiB.toFixed(1)].join(','))];
    writeFileSync(join(args.out, 'soak.csv'), csv.join('\n') + '\n');
    const first = points[Math.min(points.length - 1, 2)]?.rssMiB ?? 0, last = points[points.length - 1]?.rssMiB ?? 0;
    const p99s = points.map((p) => p.p99Ms ?? 0).sort((a, b) => a - b);
    const caption = `${args.minutes} min at ${rate} MO/s ("hello" to 232, window ${LINK.window}); RSS ${first.toFixed(0)} → ${last.toFixed(0)} MiB; median window p99 ${p99s[Math.floor(p99s.length / 2)] ?? 0} ms; lost ${lost}, duplicated ${dup}`;
    await writePng(soakSvg(points, caption), join(args.out, 'soak.png'));
    console.log(caption);
    console.log(`wrote ${join(args.out, 'soak.csv')} and ${join(args.out, 'soak.png')}; gateway log ${stack.logDir}/gateway.log`);
    const ok = lost === 0 && dup === 0 && !exited;
    console.log(ok ? 'PASS' : `FAIL${exited ? ': the gateway exited' : ''}${lost ? `: ${lost} lost` : ''}${dup ? `: ${dup} duplicated` : ''}`);
    return ok ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().then((c) => process.exit(c), (e: unknown) => { console.error(`soak: ${(e as Error).stack ?? String(e)}`); process.exit(2); });
