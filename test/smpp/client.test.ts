import { afterEach, describe, expect, it } from 'vitest';
import { ESME, SmppStatusError, createSmppClient, type InboundMessage, type OutboundPdu, type SmppClient, type SmppClientOptions } from '../../src/smpp/index.js';
import { CMD, bindRaw, rawPdu } from '../support/smpp-peer.js';
import { log, startServer, until } from './harness.js';

let h: Awaited<ReturnType<typeof startServer>>;
const clients: SmppClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await h?.stop();
});

function client(over: Partial<SmppClientOptions> = {}): SmppClient {
  const c = createSmppClient({ host: '127.0.0.1', port: h.port, systemId: 'esme', password: 'secret', bindKind: 'transceiver', log, window: 5, responseTimeoutMs: 2000, ...over });
  clients.push(c);
  return c;
}

const UDH = Buffer.from([0x05, 0x00, 0x03, 0xa7, 0x02, 0x01]);
const UCS2 = Buffer.from('Пароль: 7x9k2m', 'utf16le').swap16();

const mt: OutboundPdu = {
  source: { addr: '232', ton: 3, npi: 0 },
  destination: { addr: '79161234567', ton: 1, npi: 1 },
  esmClass: 0x40,
  dataCoding: 8,
  shortMessage: new Uint8Array(Buffer.concat([UDH, UCS2])),
  tlvs: { userMessageReference: 7 },
};

describe('smpp client against our server', () => {
  it('binds, submits, and the server gets the octets byte-identical', async () => {
    h = await startServer();
    const c = client();
    await c.connect();
    expect(c.bound).toBe(true);
    const r = await c.submit({ ...mt, source: mt.destination, destination: mt.source });
    expect(r.status).toBe(ESME.ROK);
    expect(r.messageId).toHaveLength(21);
    const m = h.messages[0]!;
    expect(Buffer.compare(m.shortMessage, Buffer.concat([UDH, UCS2]))).toBe(0);
    expect(m.tlvs.userMessageReference).toBe(7);
    expect(m.destination).toEqual({ addr: '232', ton: 3, npi: 0 });
  });

  it('rejects connect with SmppStatusError naming the bind status when the password is wrong', async () => {
    h = await startServer();
    const err = await client({ password: 'nope' }).connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SmppStatusError);
    expect(err).toMatchObject({ code: 'SCGW_SMPP_STATUS', status: ESME.RINVPASWD, message: expect.stringContaining('ESME_RINVPASWD') });
  });

  it('rejects connect with SCGW_SMPP_CLOSED when nothing listens', async () => {
    h = await startServer();
    const port = h.port;
    await h.server.close(100);
    await expect(client({ port }).connect()).rejects.toMatchObject({ code: 'SCGW_SMPP_CLOSED' });
  });

  it('receives a server deliver_sm of a UCS-2 Buffer byte-identical and answers with the status onMessage returns', async () => {
    h = await startServer();
    const got: InboundMessage[] = [];
    const c = client({ onMessage: async (m) => (got.push(m), got.length === 1 ? ESME.ROK : ESME.RX_T_APPN) });
    await c.connect();
    await until(() => h.bound.length === 1);
    const s = h.bound[0]!;
    expect(await s.send('deliver_sm', mt)).toEqual({ status: ESME.ROK, messageId: '' });
    expect(got[0]!.commandId).toBe('deliver_sm');
    expect(got[0]!.link).toBe('esme');
    expect(Buffer.compare(got[0]!.shortMessage, Buffer.concat([UDH, UCS2]))).toBe(0);
    expect(got[0]!).toMatchObject({ esmClass: 0x40, dataCoding: 8, source: mt.source, destination: mt.destination });
    expect((await s.send('deliver_sm', mt)).status).toBe(ESME.RX_T_APPN);
  });

  it('sends a long message as message_payload and refuses a short_message over 254 octets', async () => {
    h = await startServer();
    const c = client();
    await c.connect();
    const long = Buffer.alloc(1000, 0x42);
    await expect(c.submit({ ...mt, shortMessage: long })).rejects.toMatchObject({ code: 'SCGW_SMPP_MALFORMED' });
    expect((await c.submit({ ...mt, shortMessage: new Uint8Array(0), tlvs: { messagePayload: long } })).status).toBe(ESME.ROK);
    expect(h.messages[0]!.tlvs.messagePayload?.equals(long)).toBe(true);
  });

  it('answers enquire_link from the server while bound', async () => {
    h = await startServer({ enquireLinkS: 0.1, responseTimeoutMs: 150 });
    const c = client();
    await c.connect();
    await new Promise((r) => setTimeout(r, 600));
    expect(c.bound).toBe(true); // the server's keepalive got its answers, or it would have closed the session
    expect(h.server.sessions()).toHaveLength(1);
  });

  it('server.close() unbinds every bound session', async () => {
    h = await startServer();
    const c = client();
    await c.connect();
    const raw = await bindRaw(h.port, 'esme', 'secret');
    const closing = h.server.close(1000);
    const unbind = await raw.pdus.next();
    expect(unbind.commandId).toBe(CMD.unbind);
    raw.socket.write(rawPdu(CMD.unbind_resp, unbind.sequenceNumber));
    await closing;
    await raw.pdus.closed;
    expect(c.bound).toBe(false);
    expect(h.closed).toHaveLength(2);
  });

  it('rebinds after the server drops the session when reconnect is on', async () => {
    h = await startServer();
    const c = client({ reconnect: true, reconnectBaseMs: 50 });
    await c.connect();
    await until(() => h.bound.length === 1);
    await h.bound[0]!.close();
    await until(() => h.bound.length === 2 && c.bound);
    expect((await c.submit(mt)).status).toBe(ESME.ROK);
  });
});

describe('smpp client against an SMSC that is quick off the mark', () => {
  it('takes a deliver_sm that arrives in the same read as bind_resp instead of refusing it', async () => {
    const { createServer } = await import('node:net');
    const { readPdus, submitSmBody } = await import('../support/smpp-peer.js');
    let deliverResp: { commandId: number; commandStatus: number } | undefined;
    const server = createServer((sock) => {
      const pdus = readPdus(sock);
      void (async () => {
        const bind = await pdus.next();
        const bindResp = rawPdu(0x80000009, bind.sequenceNumber, Buffer.from('smsc\0'));
        const mo = rawPdu(CMD.deliver_sm, 1, submitSmBody({ source: { addr: '79160000001' }, destination: { addr: '232' }, shortMessage: Buffer.from('ON') }));
        sock.write(Buffer.concat([bindResp, mo])); // one write, one read on the other side
        deliverResp = await pdus.next();
      })();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const got: InboundMessage[] = [];
    const c = createSmppClient({ host: '127.0.0.1', port, systemId: 'esme', password: 'pw', bindKind: 'transceiver', log, window: 10, responseTimeoutMs: 2000, onMessage: async (m) => { got.push(m); return 0; } });
    clients.push(c);
    await c.connect();
    await until(() => deliverResp !== undefined);
    expect(deliverResp!.commandStatus).toBe(ESME.ROK);
    expect(got.map((m) => m.shortMessage.toString())).toEqual(['ON']);
    server.close();
  });
});

/**
 * A fake SMSC that answers the bind and, in the very same TCP write, sends `after` (PDUs with sequence numbers
 * of its own): on our side they arrive in the read that holds bind_resp. Resolves with the next PDU we send.
 */
async function quickSmsc(after: (seq: number) => Buffer): Promise<{ port: number; answers: Promise<import('../support/smpp-peer.js').RawPdu>[]; close(): void }> {
  const { createServer } = await import('node:net');
  const { readPdus } = await import('../support/smpp-peer.js');
  const answers: Promise<import('../support/smpp-peer.js').RawPdu>[] = [];
  const server = createServer((sock) => {
    const pdus = readPdus(sock);
    answers.push((async () => {
      const bind = await pdus.next();
      sock.write(Buffer.concat([rawPdu(0x80000009, bind.sequenceNumber, Buffer.from('smsc\0')), after(1)]));
      const answer = await pdus.next();
      sock.end(); // done: the client need not wait out an unanswered unbind
      return answer;
    })());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as { port: number }).port, answers, close: () => server.close() };
}

describe('smpp client: any PDU in the same read as bind_resp is handled as bound', () => {
  it('answers an enquire_link sent with bind_resp with enquire_link_resp ESME_ROK, every time (20 binds)', async () => {
    const smsc = await quickSmsc((seq) => rawPdu(CMD.enquire_link, seq));
    try {
      for (let i = 0; i < 20; i++) {
        const c = createSmppClient({ host: '127.0.0.1', port: smsc.port, systemId: 'esme', password: 'pw', bindKind: 'transceiver', log, window: 10, responseTimeoutMs: 2000 });
        clients.push(c);
        await c.connect();
        const resp = await smsc.answers[i]!;
        expect({ bind: i, id: resp.commandId, status: resp.commandStatus, seq: resp.sequenceNumber }).toEqual({ bind: i, id: CMD.enquire_link_resp, status: ESME.ROK, seq: 1 });
        await c.close();
      }
    } finally {
      smsc.close();
    }
  });

  it('answers an unbind sent with bind_resp with unbind_resp ESME_ROK', async () => {
    const smsc = await quickSmsc((seq) => rawPdu(CMD.unbind, seq));
    try {
      const c = client({ port: smsc.port });
      await c.connect();
      const resp = await smsc.answers[0]!;
      expect([resp.commandId, resp.commandStatus]).toEqual([CMD.unbind_resp, ESME.ROK]);
      await until(() => !c.bound);
    } finally {
      smsc.close();
    }
  });
});
