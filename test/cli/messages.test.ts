import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliHarness } from './run.js';

let c: CliHarness;
beforeAll(async () => {
  c = await startCli();
  await c.t.gw.db.db.execute(sql`insert into processed_mo (idem_key, created_at, link, source, destination, corr, channel, state, action)
    select 'mo-c' || g, '2031-02-01T00:00:00Z'::timestamptz + g * interval '1 second', 'smsc1', '7916' || lpad(g::text, 7, '0'), '232', 'c' || g, 'sms',
      case when g % 10 = 0 then 'blocked' else 'acted' end, case when g % 10 = 0 then null else 'help' end
    from generate_series(1, 3000) g`);
});
afterAll(async () => { await c?.stop(); });

describe('scgw messages', () => {
  it('search prints one page as a table and says how to get the next', async () => {
    const res = await c.scgw(['messages', 'search', '--state', 'blocked', '--from', '2031-02-01', '--to', '2031-02-02', '--limit', '2']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('at\tdir\tnumber\tshort code\tlink\tstate\taction/template\treceipt');
    expect(lines[1]).toBe('2031-02-01T00:50:00.000Z\tmo\t79160003000\t232\tsmsc1\tblocked\t-\t');
    const more = /^more: add --cursor (\S+)$/.exec(lines[3]!);
    expect(more).not.toBeNull();
    const next = await c.scgw(['--json', 'messages', 'search', '--state', 'blocked', '--limit', '2', '--cursor', more![1]!]);
    expect(JSON.parse(next.stdout).messages.map((m: { number: string }) => m.number)).toEqual(['79160002980', '79160002970']);
  });

  it('export --out writes the CSV (header and every row) and reports the count; without --to it is a usage error', async () => {
    const out = c.file('export.csv', '');
    const res = await c.scgw(['messages', 'export', '--from', '2031-02-01T00:00:00Z', '--to', '2031-02-02T00:00:00Z', '--out', out]);
    expect(res).toMatchObject({ code: 0, stdout: '', stderr: '3000 rows written to ' + out + '\n' });
    const lines = readFileSync(out, 'utf8').split('\r\n');
    expect(lines[0]).toBe('direction,at,number,short_code,link,state,what,channel,corr,receipt');
    expect(lines.filter(Boolean)).toHaveLength(3001);
    const stdout = await c.scgw(['messages', 'export', '--from', '2031-02-01', '--to', '2031-02-01T00:00:11Z', '--state', 'blocked']);
    expect(stdout.stdout).toBe('direction,at,number,short_code,link,state,what,channel,corr,receipt\r\nmo,2031-02-01T00:00:10.000Z,79160000010,232,smsc1,blocked,,sms,c10,\r\n');
    const usage = await c.scgw(['messages', 'export', '--from', '2031-02-01']);
    expect(usage).toMatchObject({ code: 2, stderr: 'scgw: export needs --from and --to\n' });
  });
});
