/**
 * The metrics that matter (issue 12 item 3), fed by real traffic through a gateway: ON and a help MO from the
 * simulated phone network, an MO for an unknown short code, a refused bind, a concatenated MO whose second part
 * never comes, delivery receipts, a peer that throttles a reply once, and a reply waiting for a link nobody reads.
 * Then /metrics is scraped on the ops listener, every metric name in the Grafana dashboard and the alert rules
 * must be in it, and the new series must agree with what happened.
 */
import { readFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { outbox } from '../../src/db/schema/index.js';
import { createPhoneNetwork, type PhoneNetwork } from '../../src/sim/phone.js';
import { createSmppClient, type SmppClient } from '../../src/smpp/client.js';
import { ESME } from '../../src/smpp/status.js';
import type { OutboundPdu } from '../../src/smpp/types.js';
import { concatUdh, gsm7Encode } from '../../src/text/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

const quiet = pino({ level: 'silent' });
let t: TestGateway;
let phones: PhoneNetwork;
let raw: SmppClient;
let slow: SmppClient;
let idle: SmppClient;
let scrape = '';
let throttledOnce = false;
const slowReplies: string[] = [];

const client = (systemId: string, bindKind: 'transmitter' | 'transceiver', onMessage?: (m: { destination: { addr: string } }) => Promise<number>) =>
  createSmppClient({ host: '127.0.0.1', port: t.gw.smppPort, systemId, password: 'pw', bindKind, log: quiet, window: 10, responseTimeoutMs: 5000, ...(onMessage ? { onMessage } : {}) });
const pdu = (from: string, to: string, shortMessage: Uint8Array, extra: Partial<OutboundPdu> = {}): OutboundPdu =>
  ({ source: { addr: from, ton: 1, npi: 1 }, destination: { addr: to, ton: 0, npi: 0 }, esmClass: 0, dataCoding: 0, shortMessage, ...extra });

/** Sample lines of a Prometheus text scrape: name, labels, value. */
function samples(text: string) {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/.exec(l);
    if (!m) throw new Error(`unparsable sample line: ${l}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[3] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    return { name: m[1]!, labels, value: Number(m[4]) };
  });
}
/** Sum of the samples of `name` whose labels include `labels`. */
function value(name: string, labels: Record<string, string> = {}): number {
  return samples(scrape).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

/** Every PromQL expression of the dashboard (panel targets, variable queries) and of the alert rules. */
function promql(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const walk = (node: unknown, where: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'expr' || k === 'query' || k === 'definition') && typeof v === 'string' && /scgw_/.test(v)) out.push({ where: `${where}.${k}`, expr: v });
        else walk(v, `${where}.${k}`);
      }
    }
  };
  walk(JSON.parse(readFileSync('deploy/grafana/scgw.json', 'utf8')), 'scgw.json');
  const rules = parse(readFileSync('deploy/grafana/alerts.yml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  for (const g of rules.groups) for (const r of g.rules) out.push({ where: `alerts.yml ${r.alert}`, expr: r.expr });
  return out;
}

const metricNames = (expr: string) => [...new Set(expr.match(/\bscgw_[a-z0-9_]+/g) ?? [])];
/** A histogram's _bucket/_sum/_count series belong to the family without the suffix. */
const family = (name: string, types: Map<string, string>) => {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && types.get(base) === 'histogram' ? base : name;
};

/** Declared but not driven by this test's traffic: a sample is not required (lockouts, caps, folds, unknown dcs). */
const MAY_BE_EMPTY = new Set(['scgw_smpp_bind_lockouts_total', 'scgw_smpp_connections_refused_total', 'scgw_mo_folded_total', 'scgw_mo_unknown_dcs_total', 'scgw_mo_throttled_total']);

beforeAll(async () => {
  t = await startTestGateway({ env: { CONCAT_TIMEOUT_S: '1' } });
  for (const l of ['smsc', 'slow', 'idle']) await t.addLink(l, 'pw');
  phones = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'pw' });
  await phones.connect();
  raw = client('smsc', 'transmitter');
  // A peer that answers its first reply ESME_RTHROTTLED, then takes them.
  slow = client('slow', 'transceiver', async (m) => {
    if (!throttledOnce) { throttledOnce = true; return ESME.RTHROTTLED; }
    slowReplies.push(m.destination.addr);
    return ESME.ROK;
  });
  // Transmitter only: MO in, but no node can send this link's replies, so they wait in mt-idle.
  idle = client('idle', 'transmitter');
  await Promise.all([raw.connect(), slow.connect(), idle.connect()]);

  // ON and a help MO, each answered.
  await phones.send('79160000001', '232', 'ON');
  await phones.send('79160000002', '232', 'hello');
  await phones.waitFor('79160000001');
  await phones.waitFor('79160000002');
  // An unknown short code: refused before the enqueue.
  const unknown = await phones.send('79160000003', '99999', 'hi');
  expect(unknown[0]!.status).toBe(ESME.RINVDSTADR);
  // A refused bind (wrong password).
  const intruder = createPhoneNetwork({ host: '127.0.0.1', port: t.gw.smppPort, systemId: 'smsc', password: 'wrong' });
  await expect(intruder.connect()).rejects.toThrow();
  // Part 1 of 2, never completed: routed as it is after CONCAT_TIMEOUT_S, answered with help.
  expect((await raw.submit(pdu('79160000004', '232', Buffer.concat([concatUdh(42, 2, 1, 8), gsm7Encode('hel')!]), { esmClass: 0x40 }))).status).toBe(ESME.ROK);
  await phones.waitFor('79160000004', 1, 15_000);
  // Delivery receipts: one for the ON reply (the sim answers deliver_sm with an empty message_id, so the test
  // gives the sent row one, as an SMSC's submit_sm_resp would), and one with no id at all.
  const [on] = await t.gw.db.db.select().from(outbox).where(and(eq(outbox.destination, '79160000001'), eq(outbox.status, 'sent')));
  await t.gw.db.db.update(outbox).set({ messageIds: ['mt-1'] }).where(eq(outbox.id, on!.id));
  expect((await raw.submit(pdu('79160000001', '232', new Uint8Array(0), { esmClass: 0x04, tlvs: { receiptedMessageId: 'mt-1', messageState: 2 } }))).status).toBe(ESME.ROK);
  expect((await raw.submit(pdu('79160000001', '232', Buffer.from('no receipt fields'), { esmClass: 0x04 }))).status).toBe(ESME.ROK);
  await eventually(async () => (await t.gw.db.db.select().from(outbox).where(eq(outbox.id, on!.id)))[0]?.receiptState === 'DELIVRD', 10_000, 'the receipt to be recorded');
  // A reply the peer throttles once (retried after the link's pause), and a reply nobody can send.
  expect((await slow.submit(pdu('79160000005', '232', gsm7Encode('hello')!))).status).toBe(ESME.ROK);
  expect((await idle.submit(pdu('79160000006', '232', gsm7Encode('hello')!))).status).toBe(ESME.ROK);
  await eventually(() => slowReplies.includes('79160000005'), 15_000, 'the throttled reply to go out on a retry');

  // The quiet point: every MO acted on, every reply but idle's settled, the invalid receipt counted.
  await eventually(async () => {
    const rows = await t.gw.db.db.select().from(outbox);
    return rows.length === 5 && rows.filter((r) => r.status === 'sent').length === 4;
  }, 10_000, 'four replies sent and one pending');
  await eventually(async () => {
    const res = await fetch(`http://127.0.0.1:${t.gw.opsPort}/metrics`);
    expect(res.status).toBe(200);
    scrape = await res.text();
    return value('scgw_receipts_total') === 2 && value('scgw_mt_sent_total', { link: 'slow', outcome: 'ok' }) === 1;
  }, 10_000, 'the receipts and the slow reply in the scrape');
}, 60_000);

afterAll(async () => {
  await Promise.all([raw?.close(), slow?.close(), idle?.close(), phones?.close()].map((p) => p?.catch(() => undefined)));
  await t?.stop();
});

describe('/metrics on the ops listener', () => {
  it('has every metric the dashboard and the alert rules query', () => {
    const types = new Map([...scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const sampled = new Set(samples(scrape).map((s) => s.name));
    const exprs = promql();
    expect(exprs.length).toBeGreaterThan(30);
    const missing: string[] = [];
    const empty: string[] = [];
    for (const { where, expr } of exprs) {
      // A cheap syntax check: brackets and quotes balance.
      let depth = 0;
      for (const ch of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
        if ('([{'.includes(ch)) depth++;
        if (')]}'.includes(ch)) depth--;
        expect(depth, `${where}: ${expr}`).toBeGreaterThanOrEqual(0);
      }
      expect(depth, `${where}: ${expr}`).toBe(0);
      expect((expr.match(/"/g) ?? []).length % 2, `${where}: ${expr}`).toBe(0);
      for (const name of metricNames(expr)) {
        const fam = family(name, types);
        if (!types.has(fam)) missing.push(`${where}: ${name}`);
        else if (!sampled.has(name) && !(fam !== name && sampled.has(`${fam}_bucket`)) && !MAY_BE_EMPTY.has(fam)) empty.push(`${where}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(empty).toEqual([]);
  });

  it('counts MO accepted by link and refused by link, reason and command_status', () => {
    expect(value('scgw_mo_accepted_total', { link: 'smsc' })).toBe(5); // ON, hello, a part, two receipts
    expect(value('scgw_mo_refused_total', { link: 'smsc', reason: 'SCGW_UNKNOWN_SHORT_CODE', command_status: 'ESME_RINVDSTADR' })).toBe(1);
    expect(value('scgw_mo_refused_total')).toBe(1);
  });

  it('observes the MO → reply latency once per reply that answered an MO as it arrived', () => {
    // Replies sent: ON, hello, slow's (each answering its MO) and the concatenation timeout's help, which is not
    // observed (its wait is the timeout by design).
    expect(value('scgw_mt_sent_total', { outcome: 'ok' })).toBe(4);
    expect(value('scgw_mo_reply_latency_seconds_count', { link: 'smsc' })).toBe(2);
    expect(value('scgw_mo_reply_latency_seconds_count', { link: 'slow' })).toBe(1);
    expect(value('scgw_mo_reply_latency_seconds_count')).toBe(value('scgw_mt_sent_total', { outcome: 'ok' }) - value('scgw_concat_timeouts_total'));
    expect(value('scgw_mo_reply_latency_seconds_sum')).toBeGreaterThan(0);
    // The throttled reply went out after the link's one-second pause: its latency bucket shows it.
    expect(value('scgw_mo_reply_latency_seconds_bucket', { link: 'slow', le: '0.5' })).toBe(0);
  });

  it('tells throttled reply sends from sent and refused ones', () => {
    expect(value('scgw_mt_sent_total', { link: 'slow', outcome: 'throttled' })).toBe(1);
    expect(value('scgw_mt_sent_total', { link: 'slow', outcome: 'ok' })).toBe(1);
    expect(value('scgw_mt_sent_total', { link: 'smsc', outcome: 'ok' })).toBe(3);
    expect(value('scgw_mt_sent_total', { outcome: 'refused' })).toBe(0);
  });

  it('reports queue depths at scrape time and each job\'s wait before its first run', () => {
    expect(value('scgw_queue_jobs', { queue: 'mt-idle', state: 'waiting' })).toBe(1);
    expect(value('scgw_queue_jobs', { queue: 'mt-smsc', state: 'waiting' })).toBe(0);
    expect(value('scgw_queue_jobs', { queue: 'mo', state: 'waiting' })).toBe(0);
    // mo jobs: ON, hello, the part, its concatenation timeout, two receipts, slow's and idle's MO.
    expect(value('scgw_queue_wait_seconds_count', { queue: 'mo' })).toBe(8);
    // Replies: smsc's three (ON, hello, the concatenation timeout's help) went straight from the relay, with no
    // mt job to wait; slow's was throttled on its direct send, then queued, and its job waited once.
    expect(value('scgw_queue_wait_seconds_count', { queue: 'mt-smsc' })).toBe(0);
    expect(value('scgw_queue_wait_seconds_count', { queue: 'mt-slow' })).toBe(1);
    expect(value('scgw_mt_direct_total', { outcome: 'sent' })).toBe(3);
    expect(value('scgw_mt_direct_total', { outcome: 'queued' })).toBe(1);
  });

  it('counts receipts by state, concatenation timeouts and refused binds', () => {
    expect(value('scgw_receipts_total', { state: 'DELIVRD' })).toBe(1);
    expect(value('scgw_receipts_total', { state: 'invalid' })).toBe(1);
    expect(value('scgw_concat_timeouts_total')).toBe(1);
    expect(value('scgw_smpp_bind_failures_total', { reason: 'password' })).toBe(1);
  });

  it('records each group-commit transaction of the mo executor: its MO and its time', () => {
    // Every MO acted on goes through one transaction: ON, hello, the timed-out set, slow's and idle's.
    expect(value('scgw_mo_batch_size_sum', { outcome: 'committed' })).toBe(5);
    const txs = value('scgw_mo_batch_size_count', { outcome: 'committed' });
    expect(txs).toBeGreaterThanOrEqual(1);
    expect(txs).toBeLessThanOrEqual(5);
    expect(value('scgw_mo_batch_seconds_count', { outcome: 'committed' })).toBe(txs);
    expect(value('scgw_mo_batch_seconds_sum')).toBeGreaterThan(0);
    expect(value('scgw_mo_batch_size_count', { outcome: 'rolled-back' })).toBe(0);
  });
});
