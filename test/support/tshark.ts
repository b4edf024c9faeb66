/**
 * tshark (Wireshark 4.0) as an independent judge of what went over the wire (PROTOCOL §7): capture loopback
 * traffic on one port, then read it back with the SMPP dissector forced onto that port (SMPP has no default
 * TCP port and the heuristic is picky). tshark missing is a failure that says how to install it, never a skip.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { statSync } from 'node:fs';

const MISSING = 'tshark is not installed: apt-get install tshark (.ci/run installs it); this test needs it and does not skip';

export interface Capture {
  file: string;
  /** SIGINT, then waits for tshark to write the file and exit. */
  stop(): Promise<void>;
}

/**
 * Starts `tshark -i IFACE -f 'tcp port PORT or udp port CANARY' -w FILE` and resolves once packets really reach
 * the file: "Capturing on" comes before the filter is live (observed: the first packets after it were lost),
 * so the test sends itself UDP datagrams on the canary port until the file grows.
 */
export async function startCapture(port: number, file: string, iface = 'lo'): Promise<Capture> {
  const canary = createSocket('udp4');
  await new Promise<void>((resolve) => canary.bind(0, '127.0.0.1', resolve));
  const canaryPort = canary.address().port;
  const child = spawn('tshark', ['-i', iface, '-f', `tcp port ${port} or udp port ${canaryPort}`, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve((exitCode = code))));
  child.on('error', (e: NodeJS.ErrnoException) => (spawnError = new Error(e.code === 'ENOENT' ? MISSING : `cannot run tshark: ${e.message}`)));
  const size = () => { try { return statSync(file).size; } catch { return 0; } };
  try {
    const deadline = Date.now() + 10_000;
    let baseline = 0;
    for (;;) {
      if (spawnError) throw spawnError;
      if (exitCode !== undefined) throw new Error(`tshark exited (${exitCode}) before capturing:\n${stderr}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`tshark captured nothing within 10 s:\n${stderr}`);
      }
      if (/Capturing on/.test(stderr)) {
        const now = size();
        if (baseline && now > baseline) break;
        baseline ||= now;
        canary.send('scgw capture canary', canaryPort, '127.0.0.1');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    canary.close();
  }
  return {
    file,
    async stop() {
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(killer);
      if (code !== 0) throw new Error(`tshark capture exited with ${code}:\n${stderr}`);
    },
  };
}

/** Runs tshark with args; resolves with stdout, rejects on a non-zero exit (stderr in the message). */
export function runTshark(args: readonly string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' ? MISSING : `cannot run tshark: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`tshark ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
}

/** `-r FILE -d tcp.port==PORT,smpp`: read the capture with SMPP decoded on the gateway's port. */
export function readArgs(file: string, port: number): string[] {
  return ['-r', file, '-d', `tcp.port==${port},smpp`];
}

/** Expert severities as tshark's JSON writes them (epan/proto.h PI_*). */
const PI_WARN = 0x00600000;

/**
 * Kernel TCP artefacts on loopback, not anything a peer wrote: a tail-loss probe fires before the receiver's
 * delayed ACK, the segment is sent twice and the receiver reports a D-SACK (tcp, group Sequence, Warning).
 * Only this one is tolerated, and only in the tcp layer; a reset, a lost segment or anything in smpp is not.
 */
const TCP_LOOPBACK_ARTEFACTS = new Set(['D-SACK Sequence']);

export interface ExpertFinding {
  frame: number;
  /** Top-level layer that raised it: tcp, smpp, gsm_sms_ud… */
  layer: string;
  severity: 'warning' | 'error' | 'malformed';
  message: string;
}

/**
 * What Wireshark flags in the capture (PROTOCOL §7: the exit code is 0 either way, so the output is the verdict):
 * the frames `_ws.malformed || _ws.expert.severity >= "warning"` selects, broken down into each malformed mark
 * and each expert item of warning severity or worse, with the layer that raised it. `tolerated` holds the
 * loopback TCP artefacts above; `findings` everything else (empty when the capture is clean).
 */
export async function expertFindings(file: string, port: number): Promise<{ findings: ExpertFinding[]; tolerated: ExpertFinding[] }> {
  const out = await runTshark([...readArgs(file, port), '-Y', '_ws.malformed || _ws.expert.severity >= "warning"', '-T', 'json', '--no-duplicate-keys']);
  const frames = out.trim() ? (JSON.parse(out) as { _source: { layers: Record<string, unknown> } }[]) : [];
  const findings: ExpertFinding[] = [];
  const tolerated: ExpertFinding[] = [];
  for (const f of frames) {
    const frame = Number(flatten(f._source.layers['frame'])['frame.number']?.[0]);
    for (const [layer, tree] of Object.entries(f._source.layers)) {
      walk(tree, (key, value) => {
        if (key === '_ws.malformed') findings.push({ frame, layer, severity: 'malformed', message: typeof value === 'string' ? value : 'malformed' });
        if (key !== '_ws.expert' || !value || typeof value !== 'object') return;
        for (const e of Array.isArray(value) ? value : [value]) {
          const item = e as Record<string, unknown>;
          const severity = Number(item['_ws.expert.severity']);
          if (!(severity >= PI_WARN)) continue;
          const finding: ExpertFinding = { frame, layer, severity: severity > PI_WARN ? 'error' : 'warning', message: String(item['_ws.expert.message']) };
          (layer === 'tcp' && TCP_LOOPBACK_ARTEFACTS.has(finding.message) ? tolerated : findings).push(finding);
        }
      });
    }
  }
  return { findings, tolerated };
}

/** `tshark -q -z expert`: the capture's expert summary, for failure messages. */
export function expertSummary(file: string, port: number): Promise<string> {
  return runTshark([...readArgs(file, port), '-q', '-z', 'expert']);
}

function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    visit(key, value);
    for (const v of Array.isArray(value) ? value : [value]) walk(v, visit);
  }
}

/** One SMPP PDU as Wireshark decoded it: every field of its subtree, by name, in order of appearance. */
export interface DissectedPdu {
  frame: number;
  /** tcp.srcport of the frame: which side sent it. */
  srcPort: number;
  fields: Record<string, string[]>;
}

/** The first value of a field, or undefined. */
export function field(pdu: DissectedPdu, name: string): string | undefined {
  return pdu.fields[name]?.[0];
}

/**
 * Every PDU the SMPP dissector found (several per frame are split apart), via `-T json --no-duplicate-keys`.
 * prefs are `-o` settings, e.g. `smpp.decode_sms_over_smpp:GSM 7-bit` to get smpp.message_text for DCS 0.
 */
export async function dissectSmpp(file: string, port: number, prefs: readonly string[] = []): Promise<DissectedPdu[]> {
  const out = await runTshark([...readArgs(file, port), ...prefs.flatMap((p) => ['-o', p]), '-Y', 'smpp', '-T', 'json', '--no-duplicate-keys']);
  const frames = JSON.parse(out) as { _source: { layers: Record<string, unknown> } }[];
  const pdus: DissectedPdu[] = [];
  for (const f of frames) {
    const layers = f._source.layers;
    const frame = Number(flatten(layers['frame'])['frame.number']?.[0]);
    const srcPort = Number(flatten(layers['tcp'])['tcp.srcport']?.[0]);
    const smpp = layers['smpp'];
    for (const one of Array.isArray(smpp) ? smpp : [smpp]) pdus.push({ frame, srcPort, fields: flatten(one) });
  }
  return pdus;
}

/** A dissector subtree → field name → values; subtrees (keys without a dot-name value) are walked into. */
function flatten(node: unknown, into: Record<string, string[]> = {}): Record<string, string[]> {
  if (!node || typeof node !== 'object') return into;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v === 'string') (into[key] ??= []).push(v);
      else flatten(v, into);
    }
  }
  return into;
}
