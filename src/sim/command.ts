/**
 * `scgw sim send` and `scgw sim load`: the simulated phone network's command line. Credentials are a link's
 * (`scgw link add NAME --password P`), from the options or SCGW_SIM_SYSTEM_ID / SCGW_SIM_PASSWORD.
 * Exit codes follow cli/api.ts where they overlap: 2 usage, 3 gateway unreachable, 4 bind refused; then
 * 5 MO refused or unanswered, 6 no reply in time; `load` exits 1 when the run was not clean.
 */
import cliProgress from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SmppStatusError, statusName } from '../smpp/status.js';
import { DEFAULT_MSISDN_BASE, runLoad, type LoadProgress } from './load.js';
import { formatLoadResult, formatReply, loadIsClean } from './print.js';
import { sendOne, type SendOneOutcome } from './send.js';

export const SIM_EXIT = { ok: 0, notClean: 1, usage: 2, unreachable: 3, bindRefused: 4, moRefused: 5, noReply: 6 } as const;

interface PeerOptions { host: string; port: number; systemId?: string; password?: string }

const int = (min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
  return n;
};
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};
const regex = (v: string) => {
  try { return new RegExp(v); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
};

function peerOptions(cmd: Command): Command {
  return cmd
    .option('--host <host>', 'gateway SMPP host', '127.0.0.1')
    .option('--port <port>', 'gateway SMPP port', int(1), 2775)
    .addOption(new Option('--system-id <id>', 'link name to bind as').env('SCGW_SIM_SYSTEM_ID'))
    .addOption(new Option('--password <p>', 'link password').env('SCGW_SIM_PASSWORD'));
}

function credentials(o: PeerOptions): { systemId: string; password: string } | undefined {
  if (o.systemId && o.password !== undefined) return { systemId: o.systemId, password: o.password };
  console.error('scgw sim: give --system-id and --password (or SCGW_SIM_SYSTEM_ID / SCGW_SIM_PASSWORD): a link\'s credentials, e.g. from `scgw link add sim --password secret`');
  process.exitCode = SIM_EXIT.usage;
  return undefined;
}

const dimmer = (stream: NodeJS.WriteStream) => (s: string) => (stream.isTTY && stream.hasColors?.() ? `\x1b[2m${s}\x1b[22m` : s);

export function registerSimCommands(program: Command) {
  const sim = program.command('sim').description('a simulated phone network: text the gateway as subscribers do');

  peerOptions(sim.command('send'))
    .description('one subscriber texts a short code; prints the reply as the phone shows it')
    .requiredOption('--from <msisdn>', 'subscriber number')
    .requiredOption('--to <short-code>', 'short code')
    .requiredOption('--text <text>', 'message text (may be empty)')
    .option('--ucs2', 'send the MO as UCS-2 (data_coding 8)')
    .option('--timeout <s>', 'seconds to wait for the reply', positive, 10)
    .action(async (o: PeerOptions & { from: string; to: string; text: string; ucs2?: boolean; timeout: number }, cmd: Command) => {
      const creds = credentials(o);
      if (!creds) return;
      const json = Boolean(cmd.optsWithGlobals<{ json?: boolean }>().json);
      const outcome = await sendOne({ host: o.host, port: o.port, ...creds, from: o.from, to: o.to, text: o.text, timeoutS: o.timeout, ...(o.ucs2 ? { ucs2: true } : {}) });
      process.exitCode = reportSend(outcome, o, json);
    });

  peerOptions(sim.command('load'))
    .description('many subscribers text a short code; prints throughput, MO→reply latency, lost and duplicated replies')
    .option('--count <n>', 'MO to send, each from its own number', int(1), 1000)
    .option('--window <w>', 'MO awaiting their submit_sm_resp, per session', int(1), 10)
    .option('--rate <r>', 'at most R MO per second (default: no cap)', positive)
    .option('--to <short-code>', 'short code', '232')
    .option('--text <text>', 'message text', 'ON')
    .option('--ucs2', 'send the MO as UCS-2 (data_coding 8)')
    .option('--msisdn-base <n>', 'first subscriber number; MO k comes from N+k', int(1), DEFAULT_MSISDN_BASE)
    .option('--expect <regex>', 'count replies whose text does not match', regex)
    .option('--timeout <s>', 'hard limit for the whole run, seconds', positive, 120)
    .option('--idle <s>', 'stop waiting for replies after S seconds with nothing new', positive, 10)
    .option('--sessions <n>', 'SMPP sessions (binds) to spread the MO over', int(1), 1)
    .option('--json', 'print the result as one JSON object (no progress bar)')
    .action(async (o: PeerOptions & LoadCliOptions, cmd: Command) => {
      const creds = credentials(o);
      if (!creds) return;
      const json = Boolean(cmd.optsWithGlobals<{ json?: boolean }>().json);
      process.exitCode = await load(o, creds, json);
    });
}

interface LoadCliOptions {
  count: number; window: number; rate?: number; to: string; text: string; ucs2?: boolean; msisdnBase: number;
  expect?: RegExp; timeout: number; idle: number; sessions: number;
}

async function load(o: PeerOptions & LoadCliOptions, creds: { systemId: string; password: string }, json: boolean): Promise<number> {
  const bar = !json && process.stderr.isTTY ? progressBar(o.count) : undefined;
  try {
    const r = await runLoad({
      host: o.host, port: o.port, ...creds, count: o.count, window: o.window, to: o.to, text: o.text,
      msisdnBase: o.msisdnBase, timeoutS: o.timeout, idleS: o.idle, sessions: o.sessions,
      ...(o.rate ? { rate: o.rate } : {}), ...(o.ucs2 ? { ucs2: true } : {}), ...(o.expect ? { expect: o.expect } : {}),
      ...(bar ? { onProgress: bar.update } : {}),
    });
    bar?.stop();
    if (json) console.log(JSON.stringify(r));
    else for (const line of formatLoadResult(r, o)) console.log(line);
    return loadIsClean(r) ? SIM_EXIT.ok : SIM_EXIT.notClean;
  } catch (e) {
    bar?.stop();
    if (e instanceof SmppStatusError) {
      console.error(`scgw sim: bind refused: ${statusName(e.status)}`);
      return SIM_EXIT.bindRefused;
    }
    console.error(`scgw sim: cannot reach the gateway at ${o.host}:${o.port}: ${(e as Error).message}`);
    return SIM_EXIT.unreachable;
  }
}

function progressBar(total: number): { update(p: LoadProgress): void; stop(): void } {
  const bar = new cliProgress.SingleBar({
    stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50,
    format: 'sim load [{bar}] {value}/{total} replied | {sent} sent, {acked} acked, {refused} refused | {rps} replies/s | {duration_formatted}',
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { sent: 0, acked: 0, refused: 0, rps: 0 });
  return {
    update: (p) => bar.update(p.replied, { sent: p.sent, acked: p.acked, refused: p.refused, rps: p.elapsedMs > 0 ? Math.round((p.replied * 1000) / p.elapsedMs) : 0 }),
    stop: () => bar.stop(),
  };
}

function reportSend(outcome: SendOneOutcome, o: PeerOptions & { from: string; to: string }, json: boolean): number {
  if (json) console.log(JSON.stringify(outcome));
  if (outcome.ok) {
    if (!json) {
      const dim = dimmer(process.stdout);
      outcome.replies.forEach((sms, i) => { for (const line of formatReply(sms, i === 0 ? outcome.latencyMs : undefined, dim)) console.log(line); });
    }
    return SIM_EXIT.ok;
  }
  const at = `${o.host}:${o.port}`;
  switch (outcome.reason) {
    case 'unreachable':
      if (!json) console.error(`scgw sim: cannot reach the gateway at ${at}: ${outcome.message}; is it running? (npm start)`);
      return SIM_EXIT.unreachable;
    case 'bind-refused':
      if (!json) console.error(`scgw sim: bind refused: ${outcome.statusName}${hint(outcome.statusName)}`);
      return SIM_EXIT.bindRefused;
    case 'mo-refused':
      if (!json) console.error(`scgw sim: the gateway refused the MO: ${outcome.statusName}${outcome.statusName === 'ESME_RINVDSTADR' ? ` (no route serves short code ${o.to})` : ''}`);
      return SIM_EXIT.moRefused;
    case 'mo-unanswered':
      if (!json) console.error(`scgw sim: the MO was not answered: ${outcome.message}`);
      return SIM_EXIT.moRefused;
    case 'no-reply':
      if (!json) console.error(`scgw sim: the MO was accepted but no reply reached ${o.from} within ${outcome.timeoutS} s`);
      return SIM_EXIT.noReply;
  }
}

function hint(status: string): string {
  if (status === 'ESME_RINVPASWD') return ' (wrong password for this link)';
  if (status === 'ESME_RINVSYSID') return ' (no link with this system id: scgw link add NAME --password P)';
  // scgw answers every bind failure alike (README "SMPP listener"); its log and scgw_smpp_bind_failures_total say which.
  if (status === 'ESME_RBINDFAIL') return ' (wrong system id or password, link disabled, address not allowed, locked out after failures, or max sessions reached: see the gateway log)';
  return '';
}
