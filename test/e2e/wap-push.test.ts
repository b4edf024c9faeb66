/**
 * 1234 (mms.settings) on a link that allows binary: the text reply and the OMA Client Provisioning WAP push
 * (PROTOCOL.md §3 "WAP push framing", §6) as 3 deliver_sm of 8-bit data with the port + concat UDH; a link that
 * does not allow binary gets the text only. tshark judges the capture (PROTOCOL.md §7).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { encodeMmsProvisioning, wspPush } from '../../src/text/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { CMD, bindRaw, cstring, rawPdu, submitSmBody, type RawSession } from '../support/smpp-peer.js';
import { dissectSmpp, expertFindings, expertSummary, field, runTshark, readArgs, startCapture, type DissectedPdu, type ExpertFinding } from '../support/tshark.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const PASSWORD = 'secret1';
const BIN_FROM = '79265550001';
const TXT_FROM = '79265550002';
const EXPECTED = Buffer.from(wspPush(encodeMmsProvisioning({ apn: 'mms.operator', mmsc: 'http://mms.operator/mmsc', proxy: '10.0.0.1', port: 8080 })));

interface Deliver { seq: number; dest: string; esmClass: number; dataCoding: number; sm: Buffer }

/** deliver_sm body [S34 §4.6.1]: the fields this test looks at. */
function parseDeliver(seq: number, b: Buffer): Deliver {
  let at = 0;
  const cstr = () => { const end = b.indexOf(0, at); const s = b.toString('latin1', at, end); at = end + 1; return s; };
  cstr(); // service_type
  at += 2; cstr(); // source ton, npi, addr
  at += 2; const dest = cstr();
  const esmClass = b[at]!; at += 3; // esm_class, protocol_id, priority_flag
  cstr(); cstr(); // schedule_delivery_time, validity_period
  at += 2; // registered_delivery, replace_if_present_flag
  const dataCoding = b[at]!; at += 2; // data_coding, sm_default_msg_id
  const len = b[at]!; at += 1;
  return { seq, dest, esmClass, dataCoding, sm: b.subarray(at, at + len) };
}

/** Sends one MO and collects deliver_sm (acking each) until `count` arrived or the quiet period passed. */
async function moAndCollect(s: RawSession, from: string, count: number, seq: number): Promise<Deliver[]> {
  s.socket.write(rawPdu(CMD.submit_sm, seq, submitSmBody({ source: { addr: from, ton: 1, npi: 1 }, destination: { addr: '1234' }, shortMessage: Buffer.from('mms') })));
  const got: Deliver[] = [];
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    let p;
    try { p = await s.pdus.next(got.length >= count ? 1500 : Math.max(1, deadline - Date.now())); } catch { break; }
    if (p.commandId === CMD.deliver_sm) {
      s.socket.write(rawPdu(CMD.deliver_sm_resp, p.sequenceNumber, cstring('')));
      got.push(parseDeliver(p.sequenceNumber, p.body));
    } else if (p.commandId === CMD.submit_sm_resp) {
      expect(p.commandStatus).toBe(0);
    }
  }
  return got;
}

let t: TestGateway;
let port: number;
let pcap: string;
let keepPcap = false;
let bin: Deliver[] = [];
let txt: Deliver[] = [];
let findings: ExpertFinding[] = [];
let pdus: DissectedPdu[] = [];
let wspDecode = '';

beforeAll(async () => {
  t = await startTestGateway();
  port = t.gw.smppPort;
  await t.addLink('wap-bin', PASSWORD, { allowBinary: true });
  await t.addLink('wap-txt', PASSWORD);
  mkdirSync(ARTIFACTS, { recursive: true });
  pcap = join(ARTIFACTS, `wap-push-e2e-${process.pid}-${Date.now()}.pcapng`);
  const capture = await startCapture(port, pcap);
  try {
    const a = await bindRaw(port, 'wap-bin', PASSWORD);
    const b = await bindRaw(port, 'wap-txt', PASSWORD);
    expect(a.resp.commandStatus).toBe(0);
    expect(b.resp.commandStatus).toBe(0);
    [bin, txt] = await Promise.all([moAndCollect(a, BIN_FROM, 4, 2), moAndCollect(b, TXT_FROM, 1, 2)]);
    for (const s of [a, b]) {
      s.socket.write(rawPdu(CMD.unbind, 99));
      await s.pdus.next().catch(() => undefined);
      s.socket.end();
    }
  } finally {
    await new Promise((r) => setTimeout(r, 300));
    await capture.stop();
  }
  ({ findings } = await expertFindings(pcap, port));
  pdus = await dissectSmpp(pcap, port);
  wspDecode = await runTshark([...readArgs(pcap, port), '-Y', 'wsp', '-V']);
}, 60_000);

afterAll(async () => {
  await t?.stop();
  if (pcap && !keepPcap) rmSync(pcap, { force: true });
});

describe('mms.settings WAP push (PROTOCOL.md §3, §6)', () => {
  it('a link that allows binary gets the text and 3 WAP push segments reassembling to the exact WSP + WBXML', () => {
    const text = bin.filter((d) => d.esmClass === 0);
    const push = bin.filter((d) => d.esmClass === 0x40);
    expect(text).toHaveLength(1);
    expect(text[0]!.dataCoding).toBe(0);
    expect(push).toHaveLength(3);
    const ordered = [...push].sort((x, y) => x.sm[11]! - y.sm[11]!);
    const ref = ordered[0]!.sm[9]!;
    ordered.forEach((d, i) => {
      expect(d.dest).toBe(BIN_FROM);
      expect([0x04, 0xf5]).toContain(d.dataCoding);
      expect([...d.sm.subarray(0, 12)]).toEqual([0x0b, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 0x00, 0x03, ref, 3, i + 1]);
      expect(d.sm.length - 12).toBeLessThanOrEqual(128);
    });
    expect(Buffer.concat(ordered.map((d) => d.sm.subarray(12))).equals(EXPECTED)).toBe(true);
  });

  it('a link that does not allow binary gets only the text', () => {
    expect(txt).toHaveLength(1);
    expect(txt[0]).toMatchObject({ dest: TXT_FROM, esmClass: 0, dataCoding: 0 });
  });

  it('tshark flags nothing and decodes the push segments as SMPP deliver_sm with the UDH', async () => {
    onTestFailed(() => { keepPcap = true; });
    const summary = findings.length ? await expertSummary(pcap, port) : '';
    expect(findings, `tshark flagged frames in ${pcap}\n${summary}`).toEqual([]);
    const pushes = pdus.filter((p) => p.srcPort === port && Number(field(p, 'smpp.command_id')) === CMD.deliver_sm
      && field(p, 'smpp.destination_addr') === BIN_FROM && (Number(field(p, 'smpp.esm.submit.features') ?? 0) & 1) === 1);
    expect(pushes).toHaveLength(3);
  });

  it('tshark dissects the reassembled WSP push: application/vnd.wap.connectivity-wbxml with the provisioning document', () => {
    onTestFailed(() => { keepPcap = true; });
    expect(wspDecode).toMatch(/Push/);
    expect(wspDecode).toMatch(/application\/vnd\.wap\.connectivity-wbxml/);
    expect(wspDecode).toMatch(/SEC=USERPIN; MAC=[0-9A-F]{40}/);
    expect(wspDecode).toMatch(/Reassembled Short Message length: 279/);
    for (const shown of ["type='PXLOGICAL'", "type='NAPDEF'", "type='APPLICATION'", "name='APPID'", "'w4'", "name='ADDR'", "'http://mms.operator/mmsc'", "'IPV4'", "'GSM-GPRS'", "'APN'"]) {
      expect(wspDecode).toContain(shown);
    }
    expect(wspDecode).not.toMatch(/not defined|Unknown (?:tag|attr|token)|Invalid|Malformed/i);
  });
});
