/**
 * `npm run chaos [-- --short] [--rate R] [--min-mo N] [--faults a,b,…] [--json]`: the SMSC-like peer sends
 * MO through a timeline of faults (kill -9 of the gateway, Redis SIGTERM and kill -9 with AOF, a PostgreSQL
 * restart, a network cut, Redis at maxmemory) against the suite's own PostgreSQL and Redis, then audits the
 * database and Redis and prints one row per fault. Exit status 1 when the bar fails (report.ts).
 * --short is what CI runs (test/chaos/chaos-short.test.ts): each fault once, a few thousand MO.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FAULT_KINDS, type FaultKind } from './faults.js';
import { formatReport } from './report.js';
import { chaosPreset, runChaos } from './suite.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    rate: { type: 'string' },
    'min-mo': { type: 'string' },
    faults: { type: 'string' },
    repeat: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const say = (msg: string) => process.stderr.write(`chaos: ${msg}\n`);

async function main(): Promise<number> {
  const kinds = args.faults ? args.faults.split(',').map((s) => s.trim()) : [...FAULT_KINDS];
  for (const k of kinds) if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown fault ${k}; known: ${FAULT_KINDS.join(', ')}`);
  const preset = chaosPreset(args.short ? 'short' : 'full');
  const repeat = Number(args.repeat ?? preset.repeat);
  const report = await runChaos({
    ...preset, root: ROOT, say,
    faults: Array.from({ length: repeat }, () => kinds as FaultKind[]).flat(),
    ...(args.rate ? { rate: Number(args.rate) } : {}),
    ...(args['min-mo'] ? { minMo: Number(args['min-mo']) } : {}),
  });
  if (args.json) console.log(JSON.stringify(report));
  else for (const line of formatReport(report)) console.log(line);
  return report.pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`chaos: ${(e as Error).stack ?? String(e)}`);
    process.exit(2);
  },
);
