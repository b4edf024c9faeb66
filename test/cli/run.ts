/**
 * Runs the real `scgw` command as a child process against an in-process test gateway: its sources compiled once for
 * the run (test/support/cli-bundle.ts); the tests that name bin/scgw.mjs run that.
 */
import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

export interface CliResult { code: number; stdout: string; stderr: string }

export interface CliHarness {
  t: TestGateway;
  /** Never execFileSync: the gateway answering the CLI runs on this process's event loop. */
  scgw(args: string[], env?: Record<string, string>, input?: string): Promise<CliResult>;
  /** A file in a temporary folder, for --file and import. */
  file(name: string, content: string): string;
  stop(): Promise<void>;
}

export async function startCli(): Promise<CliHarness> {
  const t = await startTestGateway({ env: { ROLES: 'web' } });
  const dir = mkdtempSync(join(tmpdir(), 'scgw-cli-'));
  return {
    t,
    scgw(args, env = {}, input) {
      return new Promise((resolve) => {
        const child = execFile(process.execPath, [inject('scgwCli'), ...args], {
          env: { ...process.env, SCGW_URL: `http://127.0.0.1:${t.gw.httpPort}`, SCGW_TOKEN: t.adminToken, ...env },
          timeout: 30_000,
        }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
        if (input !== undefined) child.stdin?.end(input);
      });
    },
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    stop: () => t.stop(),
  };
}
