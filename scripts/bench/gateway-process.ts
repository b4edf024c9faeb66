/**
 * A real gateway as a child process (`node dist/main.js`, what `npm start` runs) on free loopback ports, its pino
 * output kept in a file, ready once /readyz answers 200. tsx launches the gateway as a node child of its own,
 * so the peak RSS reported is that process's VmHWM (the launcher's is kept apart). Stopped by PID: SIGTERM
 * (graceful), then SIGKILL after a bounded wait.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

export interface GatewayProcess {
  /** The tsx launcher's pid, and the gateway's own node process. */
  launcherPid: number;
  gatewayPid: number;
  smppPort: number;
  httpPort: number;
  logFile: string;
  /** VmHWM (peak resident set) in kB of the gateway process and of the launcher. */
  peakRssKb(): { gateway: number; launcher: number };
  /** False once the gateway has exited (on its own, or someone else stopped it). */
  running(): boolean;
  stop(): Promise<GatewayExit>;
}

export interface GatewayExit {
  code: number | null;
  signal: string | null;
  /** pino lines at warn (40) and at error (50) or above; other output (Node warnings, stack traces); a few of them. */
  warnings: number;
  errors: number;
  other: number;
  sample: string[];
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/**
 * `n` distinct free ports: every listener is held until all have a port. Taken one after another (each closed
 * before the next), two can be the same port, and a gateway then fails to start (EADDRINUSE on its second listener).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<Server>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  })));
  const ports = servers.map((s) => { const addr = s.address(); return typeof addr === 'object' && addr ? addr.port : 0; });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** `npm start`'s prestart: compile src/ to dist/ in `root` (incremental after the first build). */
export function buildGateway(root: string): void {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}

/**
 * The node flags `npm start` runs the gateway with (package.json scripts.start: source maps, and the heap sizing
 * that keeps its RSS down), so a bench or chaos gateway runs as users run it.
 */
export function startFlags(root: string): string[] {
  return startScript(root).command.filter((a) => a.startsWith('--'));
}

/**
 * The environment `npm start` sets before node (package.json scripts.start: `NAME=${NAME:-default}`, e.g. glibc's
 * MALLOC_ARENA_MAX), as the shell would: what `env` already holds wins, else the default.
 */
export function startEnv(root: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of startScript(root).env) {
    const m = /^([A-Z_][A-Z0-9_]*)=(?:\$\{\1:-([^}]*)\}|(.*))$/.exec(word)!;
    out[m[1]!] = m[3] ?? env[m[1]!] ?? m[2]!;
  }
  return out;
}

/** package.json's start script, as words: the `NAME=value` assignments before the command, then the command. */
export function startScript(root: string): { env: string[]; command: string[] } {
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start'] ?? '';
  const words = start.split(/\s+/).filter(Boolean);
  const at = words.findIndex((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w));
  return at < 0 ? { env: words, command: [] } : { env: words.slice(0, at), command: words.slice(at) };
}

export async function startGatewayProcess(opts: { root: string; env: Record<string, string>; logFile: string; readyTimeoutMs?: number; ports?: { smpp: number; http: number }; append?: boolean; fromSource?: boolean; nodeArgs?: string[] }): Promise<GatewayProcess> {
  // ports: a restarted gateway (the chaos suite) keeps its ports; append: and its log file.
  const [smppPort, httpPort] = opts.ports ? [opts.ports.smpp, opts.ports.http] : await freePorts(2) as [number, number];
  const env = { ...process.env, ...startEnv(opts.root, { ...process.env, ...opts.env }), ...opts.env, SMPP_HOST: '127.0.0.1', SMPP_PORT: String(smppPort), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), OPS_PORT: '0' };
  const log = createWriteStream(opts.logFile, { flags: opts.append ? 'a' : 'w' });
  // What `npm start` runs: the compiled gateway (the bench builds it first); fromSource (the chaos suite in
  // `npm test`, which builds nothing): the sources through tsx.
  const child = opts.fromSource
    ? spawn(join(opts.root, 'node_modules/.bin/tsx'), [...startFlags(opts.root), ...(opts.nodeArgs ?? []), 'src/main.ts'], { cwd: opts.root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [...startFlags(opts.root), ...(opts.nodeArgs ?? []), 'dist/main.js'], { cwd: opts.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // end: false: two sources share the file; whichever closes first must not end it under the other.
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const launcherPid = child.pid ?? 0;
  try {
    await waitReady(`http://127.0.0.1:${httpPort}/readyz`, child, opts.readyTimeoutMs ?? 60_000, opts.logFile);
  } catch (e) {
    await kill(child, exited);
    throw e;
  }
  const gatewayPid = findGatewayPid(launcherPid);
  return {
    launcherPid, gatewayPid, smppPort, httpPort, logFile: opts.logFile,
    // With a worker process (PROCESSES): both peaks added, an upper bound of what they held at once.
    peakRssKb: () => ({ gateway: [gatewayPid, ...workerPids(gatewayPid)].reduce((kb, pid) => kb + vmHwmKb(pid), 0), launcher: gatewayPid === launcherPid ? 0 : vmHwmKb(launcherPid) }),
    running: () => child.exitCode === null && child.signalCode === null && existsSync(`/proc/${gatewayPid}`),
    async stop() {
      const { code, signal } = await kill(child, exited);
      // 'exit' can come before the last output is read: wait for the pipes to close (bounded), then detach them.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      child.stdout?.unpipe(log);
      child.stderr?.unpipe(log);
      if (!log.writableEnded) await new Promise<void>((r) => log.end(() => r()));
      return { code, signal, ...scanLog(opts.logFile) };
    },
  };
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`gateway exited during start-up:\n${tail(logFile)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway not ready within ${timeoutMs} ms:\n${tail(logFile)}`);
}

async function kill(child: ChildProcess, exited: Promise<{ code: number | null; signal: string | null }>) {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  const gatewayPid = child.pid ? findGatewayPid(child.pid) : 0;
  child.kill('SIGTERM'); // the gateway shuts down gracefully
  const timer = setTimeout(() => {
    if (gatewayPid && gatewayPid !== child.pid) {
      try { process.kill(gatewayPid, 'SIGKILL'); } catch { /* gone already */ }
    }
    child.kill('SIGKILL');
  }, 30_000);
  const r = await exited;
  clearTimeout(timer);
  return r;
}

/** The node process running src/main.ts under the tsx launcher (the launcher itself if it runs it in-process). */
function findGatewayPid(pid: number): number {
  for (const child of childPids(pid)) {
    const cmd = readProc(`/proc/${child}/cmdline`).split('\0').join(' ');
    if ((cmd.includes('src/main.ts') || cmd.includes('dist/main.js')) && !isWorkerProcess(child)) return child;
  }
  return pid;
}

/** Forked by a gateway for its workers role (gateway-processes.ts sets SCGW_WORKER_PROCESS=1 in its environment). */
function isWorkerProcess(pid: number): boolean {
  return readProc(`/proc/${pid}/environ`).split('\0').includes('SCGW_WORKER_PROCESS=1');
}

/** The gateway's forked worker process(es) (gateway-processes.ts): node children running the same main. */
export function workerPids(gatewayPid: number): number[] {
  return childPids(gatewayPid).filter(isWorkerProcess);
}

function childPids(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  return existsSync(file) ? readProc(file).trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

export function vmHwmKb(pid: number): number {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readProc(`/proc/${pid}/status`));
  return m ? Number(m[1]) : 0;
}

function readProc(file: string): string {
  try { return readFileSync(file, 'utf8'); } catch { return ''; }
}

function tail(file: string, lines = 15): string {
  return readProc(file).trim().split('\n').slice(-lines).join('\n');
}

function scanLog(file: string): Omit<GatewayExit, 'code' | 'signal'> {
  let warnings = 0, errors = 0, other = 0;
  const sample: string[] = [];
  const seen = new Set<string>();
  for (const line of readProc(file).split('\n')) {
    if (!line.trim()) continue;
    let level: number | undefined, msg = line.slice(0, 300);
    try {
      const j = JSON.parse(line) as { level?: number; msg?: string; err?: unknown; component?: string };
      level = j.level ?? 30;
      msg = `${j.component ? `[${j.component}] ` : ''}${j.msg ?? ''}${j.err ? `: ${errSummary(j.err)}` : ''}`;
    } catch {
      // not pino: a Node warning, a stack trace, a tsx message
    }
    if (level !== undefined && level < 40) continue;
    const kind = level === undefined ? 'other' : level >= 50 ? 'error' : 'warn';
    if (kind === 'other') other++;
    else if (kind === 'error') errors++;
    else warnings++;
    if (!seen.has(msg) && sample.length < 6) {
      seen.add(msg);
      sample.push(`${kind}: ${msg}`);
    }
  }
  return { warnings, errors, other, sample };
}

/** A logged error in one line: its type, and the innermost cause's message and code (a driver error names the real fault). */
function errSummary(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err).slice(0, 200);
  let inner = err as { type?: string; message?: string; code?: string; cause?: unknown; stack?: string };
  const type = inner.type ?? 'Error';
  const first = (inner.message ?? '').split('\n')[0]?.slice(0, 120) ?? '';
  // pino's serializer writes the cause chain into the stack ("caused by: …"), or keeps a `cause` object.
  const causedBy = (inner.stack ?? '').split('\n').filter((l) => l.startsWith('caused by: ')).pop()?.slice(11, 250);
  while (typeof inner.cause === 'object' && inner.cause !== null) inner = inner.cause as typeof inner;
  const cause = causedBy ?? (inner.message ?? '').split('\n')[0]?.slice(0, 200);
  return `${type}: ${first}${cause && cause !== first ? ` … caused by ${cause}` : ''}${inner.code ? ` (${inner.code})` : ''}`;
}
