import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => { c = await startCli(); });
afterAll(async () => { await c?.stop(); });

describe('scgw status and fleet control', () => {
  it('prints the fleet as tables: nodes, links, queues; --json gives the API view', async () => {
    await c.t.addLink('smsc', 'pw');
    const human = await c.scgw(['status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Fleet: 1 node, 0 sessions, 0 links suspended \(as of .+\)$/m);
    expect(human.stdout).toMatch(/^NODE\s+ROLES\s+VERSION\s+UP\s+SESSIONS\s+MO IN\/S 1\/5\/15M\s+MT OUT\/S 1\/5\/15M\s+THROTTLED\/S\s+RECEIPTS\/S\s+STATE$/m);
    expect(human.stdout).toMatch(new RegExp(`^${c.t.gw.nodeId}\\s+web\\s+\\d+\\.\\d+\\.\\d+\\s+\\S+\\s+0\\s+0/0/0\\s+0/0/0\\s+0/0/0\\s+0/0/0\\s+up$`, 'm'));
    expect(human.stdout).toMatch(/^QUEUE\s+WAITING\s+ACTIVE\s+DELAYED\s+FAILED\s+OLDEST\s+HELD$/m);
    expect(human.stdout).toMatch(/^mo\s+0\s+0\s+0\s+0\s+-$/m);
    const json = JSON.parse((await c.scgw(['--json', 'status'])).stdout);
    expect(json.nodes[0].id).toBe(c.t.gw.nodeId);
  });

  it('suspends and resumes a link; the table says who suspended it', async () => {
    const s = await c.scgw(['link', 'suspend', 'smsc']);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^link smsc suspended \(by bootstrap, since .+\)/);
    const st = await c.scgw(['status']);
    expect(st.stdout).toMatch(/^Fleet: 1 node, 0 sessions, 1 link suspended/m);
    expect(st.stdout).toMatch(/^smsc\s+listen\s+suspended by bootstrap\s+0\s+-$/m);
    expect((await c.scgw(['link', 'resume', 'smsc'])).stdout).toMatch(/^link smsc resumed$/m);
    expect((await c.scgw(['status'])).stdout).toMatch(/^smsc\s+listen\s+active\s+0\s+-$/m);
    const missing = await c.scgw(['link', 'suspend', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404 SCGW_NOT_FOUND/);
  });

  it('refuses to kick or drain what no heartbeat lists', async () => {
    const kick = await c.scgw(['session', 'kick', 'nosuch']);
    expect(kick.code).toBe(1);
    expect(kick.stderr).toMatch(/no live session "nosuch"/);
    const drain = await c.scgw(['node', 'drain', 'nosuch']);
    expect(drain.code).toBe(1);
    expect(drain.stderr).toMatch(/no live node "nosuch"/);
  });

  it('--watch redraws until stopped', async () => {
    const child = spawn('node', ['bin/scgw.mjs', 'status', '--watch', '--interval', '0.2'], {
      env: { ...process.env, SCGW_URL: `http://127.0.0.1:${c.t.gw.httpPort}`, SCGW_TOKEN: c.t.adminToken },
    });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if ((out.match(/^Fleet: /gm) ?? []).length >= 2) resolve();
      });
    });
    child.kill('SIGINT');
    expect((out.match(/^Fleet: 1 node/gm) ?? []).length).toBeGreaterThanOrEqual(2);
  });
});
