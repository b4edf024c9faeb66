/**
 * Net::SMPP (Perl, Debian libnet-smpp-perl 1.19) as an independent SMPP peer: runs a script from test/e2e/perl/
 * and parses the JSON lines it prints. Nothing here uses scgw's codecs: the scripts encode, split and decode on
 * their own, so a test compares two implementations. A missing perl or Net::SMPP fails the test, saying how to
 * get it (CI installs both through .ci/run).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PERL_DIR = fileURLToPath(new URL('../e2e/perl/', import.meta.url));

export interface PeerEvent {
  event: string;
  [field: string]: unknown;
}

export interface Concat {
  kind: 'udh8' | 'udh16' | 'sar';
  ref: number;
  total: number;
  seq: number;
}

/** A deliver_sm as send-mo.pl reports it (ScgwPeer::describe_deliver_sm). */
export interface DeliverSmEvent extends PeerEvent {
  event: 'deliver_sm';
  seq: number;
  source_addr: string;
  destination_addr: string;
  esm_class: number;
  data_coding: number;
  /** Hex, UDHL included; null without UDHI. */
  udh: string | null;
  concat: Concat | null;
  /** The user data after any UDH, hex. */
  body: string;
  /** Decoded by the script (GSM 03.38 unpacked, UCS-2, Latin-1); null for other data_coding values. */
  text: string | null;
  /** Every TLV, tag (4 hex digits) → value hex. */
  tlvs: Record<string, string>;
}

export interface PerlRun {
  events: PeerEvent[];
  stderr: string;
  ms: number;
}

/** Runs `perl test/e2e/perl/<script> ...args`; rejects on a non-zero exit, a non-JSON line or timeoutMs. */
export function runNetSmpp(script: string, args: readonly (string | number)[], timeoutMs = 30_000): Promise<PerlRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('perl', [join(PERL_DIR, script), ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' ? 'perl is not installed: Net::SMPP tests need perl and libnet-smpp-perl (.ci/run installs them)' : `cannot run perl: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (/Can't locate Net\/SMPP\.pm/.test(stderr)) {
        return reject(new Error('Net::SMPP is not installed: apt-get install libnet-smpp-perl (.ci/run installs it)'));
      }
      if (code !== 0) return reject(new Error(`${script} exited with ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      const events: PeerEvent[] = [];
      for (const line of stdout.split('\n')) {
        if (!line.trim()) continue;
        try {
          events.push(JSON.parse(line) as PeerEvent);
        } catch {
          return reject(new Error(`${script} printed a line that is not JSON: ${line}\nstderr:\n${stderr}`));
        }
      }
      resolve({ events, stderr, ms: Date.now() - started });
    });
  });
}

export interface SendMoOptions {
  from: string;
  to: string;
  text: string;
  coding?: 'gsm7' | 'ucs2';
  concat?: 'none' | 'udh8' | 'udh16' | 'sar' | 'payload';
  parts?: number;
  /** Parts in the order sent, 1-based, repeats allowed: [3, 1, 2, 1]. */
  order?: number[];
  ref?: number;
  /** Replies to wait for. */
  replies?: number;
  /** Seconds to keep listening after them (a further reply must not come). */
  linger?: number;
  /** The script's own overall deadline, seconds. */
  timeout?: number;
}

/** send-mo.pl: bind transceiver, send one MO as submit_sm (in parts if told), collect replies, unbind. */
export function netSmppSendMo(port: number, systemId: string, password: string, o: SendMoOptions): Promise<PerlRun> {
  const args: (string | number)[] = [port, systemId, password, '--from', o.from, '--to', o.to, '--text', o.text];
  if (o.coding) args.push('--coding', o.coding);
  if (o.concat) args.push('--concat', o.concat);
  if (o.parts !== undefined) args.push('--parts', o.parts);
  if (o.order) args.push('--order', o.order.join(','));
  if (o.ref !== undefined) args.push('--ref', o.ref);
  if (o.replies !== undefined) args.push('--replies', o.replies);
  if (o.linger !== undefined) args.push('--linger', o.linger);
  const timeout = o.timeout ?? 15;
  args.push('--timeout', timeout);
  return runNetSmpp('send-mo.pl', args, (timeout + 10) * 1000);
}

/** bind.pl: a synchronous bind_transceiver; reports the bind_resp, then `closed` / `still_open` or the unbind_resp. */
export function netSmppBind(port: number, systemId: string, password: string): Promise<PerlRun> {
  return runNetSmpp('bind.pl', [port, systemId, password], 20_000);
}

export function eventsOf<E extends PeerEvent = PeerEvent>(run: PerlRun, event: string): E[] {
  return run.events.filter((e) => e.event === event) as E[];
}

export function deliverSms(run: PerlRun): DeliverSmEvent[] {
  return eventsOf<DeliverSmEvent>(run, 'deliver_sm');
}
