/**
 * `npm run bench [-- --quick] [--json] [--save FILE] [--with-kannel [--kannel-script PATH]] [--only a|b|d|export] [--durability]`: codec and routing
 * figures, then the SMPP workloads against a real gateway process on its own PostgreSQL database and Redis
 * prefix (BENCH_DATABASE_URL, REDIS_URL), both removed at the end; with --with-kannel, Kannel's baseline in
 * the same run; with --durability (or --only d), workload (a) under each ACK_DURABILITY on Redis servers of its
 * own (durability.ts); last, the message log's CSV export of 100,000 rows and the gateway's RSS meanwhile (export.ts;
 * `--only export` for just that). `--serve [--window W]` only starts such a gateway with its bench links and waits for Ctrl-C
 * (for cross-checks with other load tools). `--snapshot` runs the gateway from `git archive HEAD` rather than
 * the working tree (see source.ts). Needs nothing outside the repository but the optional Kannel script.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseConfig } from '../../src/config.js';
import { buildGateway, startEnv, startFlags, startGatewayProcess } from './gateway-process.js';
import { runDurability, type AckCost } from './durability.js';
import { runExport, type ExportResult } from './export.js';
import { measureHashCeiling } from './hash-ceiling.js';
import { runKannel, runSmppLoad, smppLoadBeside, type KannelRun, type PeerRun } from './kannel.js';
import { formatReport, type BenchReport } from './report.js';
import { runRoutingBench } from './routing.js';
import { snapshotHead, sourceState } from './source.js';
import { createBenchServices, prepareDatabase, type BenchServices } from './services.js';
import { runTextBench } from './text.js';
import { BENCH_PASSWORD, benchLink, pacedSpec, runWorkload, throughputWarmup, workloadSpecs, type WorkloadKind, type WorkloadResult } from './workloads.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WINDOWS = [10, 100];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'with-kannel': { type: 'boolean', default: false },
    'kannel-script': { type: 'string', default: resolve(ROOT, '../shared/tools/kannel/run.sh') },
    only: { type: 'string' },
    save: { type: 'string' },
    serve: { type: 'boolean', default: false },
    snapshot: { type: 'boolean', default: false },
    window: { type: 'string', default: '10' },
    durability: { type: 'boolean', default: false },
    /** Each gateway process writes a V8 CPU profile (.cpuprofile, for Chrome DevTools or speedscope) into this folder. */
    'cpu-prof': { type: 'string' },
  },
});

const say = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

async function main(): Promise<number> {
  const svc = await createBenchServices({
    databaseUrl: process.env['BENCH_DATABASE_URL'] ?? 'postgres://root@127.0.0.1:5432/test',
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  });
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await svc.cleanup().catch((e: unknown) => say(`cleanup failed: ${(e as Error).message}`));
  };
  const snap = args.snapshot ? snapshotHead(ROOT) : undefined;
  process.once('SIGINT', () => void cleanup().then(() => { snap?.remove(); process.exit(130); }));
  try {
    await prepareDatabase(svc, WINDOWS.map(benchLink));
    const env = gatewayEnv(svc);
    const root = snap?.dir ?? ROOT;
    if (snap) say(`gateway code: snapshot of HEAD ${snap.commit} in ${snap.dir}`);
    buildGateway(root); // what `npm start` runs: the compiled output
    return args.serve ? await serve(svc, env, root) : await bench(svc, env, root);
  } finally {
    await cleanup();
    snap?.remove();
  }
}

function gatewayEnv(svc: BenchServices): Record<string, string> {
  return {
    DATABASE_URL: svc.databaseUrl, REDIS_URL: svc.redisUrl, REDIS_PREFIX: svc.prefix, DATA_DIR: svc.dataDir,
    REDIS_EMBEDDED: 'false', LOG_LEVEL: 'warn',
  };
}

async function bench(svc: BenchServices, env: Record<string, string>, root: string): Promise<number> {
  const startedAt = new Date().toISOString();
  const start = sourceState(ROOT);
  const count = args.quick ? 1000 : 10_000;
  const config = parseConfig({ ...process.env, ...env });
  say('codec and routing benches');
  const text = await runTextBench();
  const routing = await runRoutingBench();
  say(`timing scrypt at log2 N ${config.passwords.scryptLogN}`);
  const hash = await measureHashCeiling(config.passwords.scryptLogN);
  say(`one hash ${hash.msPerHash} ms; ${hash.cores} at a time: ceiling ${hash.hashesPerS} passwords/s`);
  const kinds: WorkloadKind[] = args.only === 'a' ? ['routing'] : args.only === 'b' ? ['password'] : args.only === 'd' || args.only === 'export' ? [] : ['routing', 'password'];
  const workloads: WorkloadResult[] = [];
  for (const spec of workloadSpecs({ count, windows: WINDOWS, hashesPerS: hash.hashesPerS, kinds })) {
    if (spec.kind !== 'password') {
      workloads.push(await runWorkload(spec, { root, svc, env, say, nodeArgs: profArgs() }));
      continue;
    }
    // The box's speed drifts over the minutes a password run takes (one hash alone: 29.7 ms in one run, 39.3 ms in
    // the next): its ceiling is measured just before and just after it, with the gateway stopped, and the mean is
    // the run's ceiling.
    const before = (await measureHashCeiling(config.passwords.scryptLogN)).hashesPerS;
    const run = await runWorkload(spec, { root, svc, env, say, nodeArgs: profArgs() });
    const after = (await measureHashCeiling(config.passwords.scryptLogN)).hashesPerS;
    say(`${spec.label}, window ${spec.window}: ceiling ${before}/s before, ${after}/s after`);
    workloads.push({ ...run, ceiling: { before, after, hashesPerS: Math.round((before + after) / 2) } });
  }
  // Saturation is what the gateway sustains: the whole run's rate, intake included (overall/s), not the steady rate,
  // which at window 100 leaves out the intake of an acked burst and so is above what it can take for long.
  const saturation = Math.max(0, ...workloads.filter((w) => w.kind === 'routing').map((w) => w.load.replyRateOverallRps));
  if (saturation > 0) workloads.push(await runWorkload(pacedSpec({ count, saturationRps: saturation }), { root, svc, env, say, nodeArgs: profArgs() }));
  const ackCosts: AckCost[] = [];
  if (args.durability || args.only === 'd') workloads.push(...await runDurability({ root, svc, env, count, windows: WINDOWS, say, costs: ackCosts }));
  let kannel: KannelRun[] | null = null;
  let kannelNote: string | undefined;
  let sameGenerator: PeerRun[] | undefined;
  if (args['with-kannel']) {
    kannel = [];
    for (const window of WINDOWS) kannel.push(await runKannel(args['kannel-script'], { window, count, warmup: throughputWarmup(count), say }));
    if (kannel.every((k) => !k.ok)) {
      kannelNote = kannel[0]?.note;
      kannel = null;
    } else if (kinds.includes('routing')) {
      sameGenerator = [];
      for (const window of WINDOWS) sameGenerator.push(await withSmppLoad(svc, env, root, window, count, throughputWarmup(count)));
    }
  } else {
    kannelNote = 'not run (add --with-kannel)';
  }
  let exportRun: ExportResult | undefined;
  if (args.only === undefined || args.only === 'export') {
    exportRun = await runExport({ root, svc, env, say, notAfter: new Date(startedAt), nodeArgs: profArgs() });
  }
  const end = sourceState(ROOT);
  const report: BenchReport = {
    source: { commit: start.commit, dirtyAtStart: start.dirty, commitAtEnd: end.commit, dirtyAtEnd: end.dirty, snapshot: args.snapshot },
    startedAt, machine: { cores: availableParallelism(), node: process.version, platform: `${process.platform} ${process.arch}` },
    count, quick: args.quick, hash, workloads, kannel, text, routing, logDir: svc.logDir, ...(ackCosts.length ? { ackCosts } : {}),
    gatewayFlags: startFlags(ROOT), gatewayStartEnv: startEnv(ROOT),
    gatewayEnv: { LOG_LEVEL: 'warn', SCRYPT_LOG_N: String(config.passwords.scryptLogN), MO_CONCURRENCY: String(config.mo.concurrency), DB_POOL_MAX: String(config.dbPoolMax) },
    ...(kannelNote ? { kannelNote } : {}), ...(sameGenerator ? { sameGenerator } : {}), ...(exportRun ? { exportRun } : {}),
  };
  if (args.save) writeFileSync(args.save, JSON.stringify(report, null, 2) + '\n');
  if (args.json) console.log(JSON.stringify(report));
  else for (const line of formatReport(report)) console.log(line);
  const clean = workloads.every((w) => !w.gatewayExitedEarly && w.load.lost === 0 && w.load.duplicates === 0 && w.load.endReason === 'complete')
    && (sameGenerator ?? []).every((g) => !g.ok || (g.lost === 0 && g.duplicates === 0));
  return clean && (exportRun?.ok ?? true) ? 0 : 1;
}

/** Workload (a) at `window` on a fresh gateway, driven by smpp-load (Kannel's generator) instead of sim load. */
async function withSmppLoad(svc: BenchServices, env: Record<string, string>, root: string, window: number, count: number, warmup: number): Promise<PeerRun> {
  const gw = await startGatewayProcess({ root, env, logFile: resolve(svc.logDir, `gateway-smpp-load-w${window}.log`), nodeArgs: profArgs() });
  try {
    const link = benchLink(window);
    return await runSmppLoad(smppLoadBeside(args['kannel-script']), { port: gw.smppPort, systemId: link.name, password: link.password, window, count, warmup, say });
  } finally {
    await gw.stop();
  }
}

function profArgs(): string[] {
  return args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args['cpu-prof'])}`] : [];
}

async function serve(svc: BenchServices, env: Record<string, string>, root: string): Promise<number> {
  const gw = await startGatewayProcess({ root, env, logFile: resolve(svc.logDir, 'gateway-serve.log'), nodeArgs: profArgs() });
  console.log(`gateway pid ${gw.gatewayPid}: SMPP 127.0.0.1:${gw.smppPort}, HTTP 127.0.0.1:${gw.httpPort}; database ${svc.database}, Redis prefix ${svc.prefix}`);
  console.log(`links: ${WINDOWS.map((w) => `${benchLink(w).name} (window ${w})`).join(', ')}, password ${BENCH_PASSWORD}; log ${gw.logFile}`);
  console.log(`e.g. npx scgw sim load --port ${gw.smppPort} --system-id bench${args.window} --password ${BENCH_PASSWORD} --count 1000 --text hello`);
  console.log('Ctrl-C (or SIGTERM) stops the gateway and removes the database and keys.');
  await new Promise<void>((r) => {
    process.removeAllListeners('SIGINT');
    process.once('SIGINT', () => r());
    process.once('SIGTERM', () => r());
  });
  const rss = gw.peakRssKb();
  const exit = await gw.stop();
  console.log(`gateway stopped (${exit.code ?? exit.signal}); peak RSS ${(rss.gateway / 1024).toFixed(1)} MiB; ${exit.warnings} warn, ${exit.errors} error, ${exit.other} other lines${exit.sample.length ? `: ${exit.sample.join(' | ')}` : ''}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`bench: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
