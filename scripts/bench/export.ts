/**
 * `npm run bench -- --only export` (and the last part of the full bench): the message log's CSV export of
 * 100,000 rows, measured for memory. The log is filled directly in SQL (one `insert … select generate_series`
 * into processed_mo for MO and one into the outbox for MT: numbers, short codes, links, states, receipts,
 * times spread over the month before the bench started, so the rows the SMPP workloads wrote are outside the
 * range), then a fresh gateway process streams `GET /admin/messages/export` over HTTP while the bench reads the
 * body as a stream (counting lines and bytes, keeping nothing) and samples the gateway's VmRSS every 100 ms.
 * The run fails unless exactly the rows written come back (plus the header).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { MESSAGE_CSV_COLUMNS } from '../../src/web/admin/schemas.js';
import { rssKb } from '../chaos/stack.js';
import { startGatewayProcess, type GatewayExit } from './gateway-process.js';
import type { BenchServices } from './services.js';

export const EXPORT_ROWS = 100_000;
/** Of the rows: MO (processed_mo); the rest are MT (outbox). */
const MO_SHARE = 0.6;
const SAMPLE_MS = 100;
const DAY_MS = 86_400_000;

export interface ExportResult {
  /** Rows written (MO + MT) and rows the export returned (lines after the header). */
  expectedRows: number;
  mo: number;
  mt: number;
  rows: number;
  headerOk: boolean;
  status: number;
  bytes: number;
  seconds: number;
  rowsPerS: number;
  /** Filling the log in SQL (not part of the measurement). */
  fillSeconds: number;
  /** The gateway's VmRSS in kB: just before the request, the highest 100 ms sample while streaming, 1 s after the end. */
  rssBeforeKb: number;
  rssPeakKb: number;
  rssAfterKb: number;
  samples: number;
  /** VmHWM (peak over the process's life, start-up included) before the request and after the export. */
  hwmBeforeKb: number;
  hwmAfterKb: number;
  range: { from: string; to: string };
  gatewayExitedEarly: boolean;
  gateway: GatewayExit;
  ok: boolean;
  note?: string;
}

/**
 * One insert per table; `rows` split MO/MT. The times are random (setseed: the same rows every run) in
 * [to − 30 days, to); the subscribers are 20,000 numbers, so a number has a few messages a month.
 */
export async function fillLog(url: string, o: { mo: number; mt: number; from: Date; to: Date }): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`
      select ((select count(*) from processed_mo where created_at >= ${o.from} and created_at < ${o.to})
            + (select count(*) from outbox where created_at >= ${o.from} and created_at < ${o.to}))::int as n`;
    if (n !== 0) throw new Error(`bench export: ${n} rows already in ${o.from.toISOString()} … ${o.to.toISOString()}`);
    const spanS = (o.to.getTime() - o.from.getTime()) / 1000;
    await sql.begin(async (tx) => {
      await tx`select setseed(0.42)`;
      await tx`
        insert into processed_mo (idem_key, created_at, link, source, destination, corr, channel, state, action)
        select 'mo-' || left(encode(sha256(convert_to('export-mo-' || i, 'UTF8')), 'hex'), 40),
               ${o.to}::timestamptz - make_interval(secs => random() * ${spanS}),
               (array['mts-1', 'mts-2', 'beeline-1', 'megafon-1'])[1 + i % 4],
               '79' || lpad(((i * 7919) % 20000 * 49999 % 1000000000)::text, 9, '0'),
               (array['232', '232', '232', '5050', '1234'])[1 + i % 5],
               left(md5('corr-mo-' || i), 12),
               case when i % 25 = 0 then 'ussd' else 'sms' end,
               case when i % 50 = 7 then 'blocked' else 'acted' end,
               case when i % 50 = 7 then null else (array['help', 'archive.activate', 'archive.deactivate', 'mms.settings', 'help', 'locale.set'])[1 + i % 6] end
        from generate_series(1, ${o.mo}::int) as i`;
      await tx`
        insert into outbox (idem_key, link, source, destination, body, template, corr, status, segments, message_ids,
                            created_at, relayed_at, sent_at, receipt_state, receipt_at)
        select 'mo-' || left(encode(sha256(convert_to('export-mt-' || i, 'UTF8')), 'hex'), 40),
               (array['mts-1', 'mts-2', 'beeline-1', 'megafon-1'])[1 + i % 4],
               (array['232', '232', '232', '5050', '1234'])[1 + i % 5],
               '79' || lpad(((i * 7919) % 20000 * 49999 % 1000000000)::text, 9, '0'),
               null,
               (array['help', 'archive.activate', 'archive.deactivate', 'mms.settings', 'password.refused', 'locale.set'])[1 + i % 6],
               left(md5('corr-mt-' || i), 12),
               s.status, 1 + (i % 7 = 0)::int, array[left(md5('msg-' || i), 16)],
               t.at, t.at + interval '4 ms', t.at + interval '60 ms',
               case when s.status = 'failed' then null when i % 40 = 1 then 'UNDELIV' when i % 97 = 3 then 'EXPIRED' when i % 13 = 5 then null else 'DELIVRD' end,
               case when s.status = 'failed' or i % 13 = 5 then null else t.at + interval '3 s' end
        from generate_series(1, ${o.mt}::int) as i,
             lateral (select ${o.to}::timestamptz - make_interval(secs => random() * ${spanS} + i * 0) as at) t,
             lateral (select case when i % 33 = 0 then 'failed' else 'sent' end as status) s`;
    });
    await sql`analyze processed_mo`;
    await sql`analyze outbox`;
  } finally {
    await sql.end();
  }
}

/** Reads the body as it comes: bytes and line ends counted, the first line kept to check the header. */
async function drain(body: ReadableStream<Uint8Array>): Promise<{ bytes: number; lines: number; header: string }> {
  let bytes = 0, lines = 0, header = '';
  const first: Buffer[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (lines === 0) first.push(Buffer.from(value.subarray(0, Math.min(value.byteLength, 400))));
    for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines++;
  }
  if (first.length) header = Buffer.concat(first).toString('utf8').split('\r\n')[0] ?? '';
  return { bytes, lines, header };
}

export async function runExport(ctx: { root: string; svc: BenchServices; env: Record<string, string>; say(msg: string): void; notAfter: Date; nodeArgs?: string[] }): Promise<ExportResult> {
  const mo = Math.round(EXPORT_ROWS * MO_SHARE), mt = EXPORT_ROWS - mo;
  // Whole minutes before the bench started: no row of the SMPP workloads is in the range.
  const to = new Date(Math.floor(ctx.notAfter.getTime() / 60_000) * 60_000 - 60_000);
  const from = new Date(to.getTime() - 30 * DAY_MS);
  ctx.say(`export: filling the message log with ${mo.toLocaleString('en-US')} MO + ${mt.toLocaleString('en-US')} MT over ${from.toISOString()} … ${to.toISOString()}`);
  const f0 = performance.now();
  await fillLog(ctx.svc.databaseUrl, { mo, mt, from, to });
  const fillSeconds = (performance.now() - f0) / 1000;
  ctx.say(`export: filled in ${fillSeconds.toFixed(1)} s`);
  // Retention would delete MO and MT older than 7 days (the default) while the export reads them.
  const env = { ...ctx.env, RETAIN_PROCESSED_MO_DAYS: '60', RETAIN_OUTBOX_DAYS: '60' };
  const gw = await startGatewayProcess({ root: ctx.root, env, logFile: join(ctx.svc.logDir, 'gateway-export.log'), ...(ctx.nodeArgs ? { nodeArgs: ctx.nodeArgs } : {}) });
  let exit: GatewayExit | undefined;
  try {
    // The gateway writes DATA_DIR/admin-token on the database's first start (this one, or a workload's before it).
    const token = readFileSync(join(ctx.svc.dataDir, 'admin-token'), 'utf8').trim();
    await new Promise((r) => setTimeout(r, 1000)); // let start-up settle
    const rssBeforeKb = rssKb(gw.gatewayPid);
    const hwmBeforeKb = gw.peakRssKb().gateway;
    ctx.say(`export: gateway pid ${gw.gatewayPid} up, RSS ${(rssBeforeKb / 1024).toFixed(1)} MiB; GET /admin/messages/export`);
    let rssPeakKb = rssBeforeKb, samples = 0;
    const sampler = setInterval(() => {
      const kb = rssKb(gw.gatewayPid);
      samples++;
      if (kb > rssPeakKb) rssPeakKb = kb;
    }, SAMPLE_MS);
    const t0 = performance.now();
    let status = 0, got = { bytes: 0, lines: 0, header: '' };
    try {
      const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
      const res = await fetch(`http://127.0.0.1:${gw.httpPort}/admin/messages/export?${q}`, { headers: { authorization: `Bearer ${token}` } });
      status = res.status;
      if (res.body) got = await drain(res.body);
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - t0) / 1000;
    const last = rssKb(gw.gatewayPid);
    if (last > rssPeakKb) rssPeakKb = last;
    await new Promise((r) => setTimeout(r, 1000));
    const rssAfterKb = rssKb(gw.gatewayPid);
    const hwmAfterKb = gw.peakRssKb().gateway;
    const exitedEarly = !gw.running();
    exit = await gw.stop();
    const rows = Math.max(0, got.lines - 1);
    const headerOk = got.header === MESSAGE_CSV_COLUMNS.join(',');
    const ok = status === 200 && headerOk && rows === EXPORT_ROWS && !exitedEarly;
    const note = ok ? undefined
      : status !== 200 ? `HTTP ${status}` : !headerOk ? `header ${JSON.stringify(got.header.slice(0, 120))}` : exitedEarly ? 'the gateway process exited during the export'
        : `${rows} rows, expected ${EXPORT_ROWS}`;
    const r: ExportResult = {
      expectedRows: EXPORT_ROWS, mo, mt, rows, headerOk, status, bytes: got.bytes, seconds: Number(seconds.toFixed(2)),
      rowsPerS: Math.round(rows / seconds), fillSeconds: Number(fillSeconds.toFixed(2)),
      rssBeforeKb, rssPeakKb, rssAfterKb, samples, hwmBeforeKb, hwmAfterKb, range: { from: from.toISOString(), to: to.toISOString() },
      gatewayExitedEarly: exitedEarly, gateway: exit, ok, ...(note ? { note } : {}),
    };
    ctx.say(`export: ${rows.toLocaleString('en-US')} rows, ${(got.bytes / 1048576).toFixed(1)} MiB in ${r.seconds} s (${r.rowsPerS.toLocaleString('en-US')} rows/s); `
      + `RSS ${(rssBeforeKb / 1024).toFixed(1)} → peak ${(rssPeakKb / 1024).toFixed(1)} → ${(rssAfterKb / 1024).toFixed(1)} MiB over ${samples} samples${ok ? '' : `; FAILED: ${note}`}`);
    return r;
  } finally {
    if (!exit) await gw.stop();
  }
}
