/**
 * The sender pool's wait for window room (pipeline/mt/senders.ts): PDUs that find every window full wait first
 * come first served, and each freed slot goes to exactly one of them. The senders here are plain windows with
 * a response the test gives by hand (the SMPP session behind a real one is tested in window.test.ts and the e2e
 * suites); what is under test is the pool's choice and its wake-ups.
 */
import { describe, expect, it } from 'vitest';
import { createSenderPool, NO_ROOM, type ReplySender } from '../../../src/pipeline/mt/senders.js';
import type { OutboundPdu, SendResult } from '../../../src/smpp/types.js';

interface TestSender extends ReplySender {
  sent: string[];
  /** How often the pool asked whether it has room. */
  roomChecks: number;
  /** Answers the oldest PDU in its window (status 0), freeing its slot as a response does. */
  answer(): void;
  setSuspect(v: boolean): void;
  close(): void;
}

function testSender(name: string, window: number): TestSender {
  const watchers = new Set<() => void>();
  const open: Array<(r: SendResult) => void> = [];
  let suspect = false;
  let ready = true;
  const notify = () => { for (const w of [...watchers]) w(); };
  return {
    sent: [],
    roomChecks: 0,
    get ready() { return ready; },
    get suspect() { return suspect; },
    get hasRoom() { this.roomChecks++; return open.length < window; },
    onRoom(cb) { watchers.add(cb); return () => watchers.delete(cb); },
    send(pdu: OutboundPdu) {
      if (open.length >= window) throw new Error(`${name}: sent into a full window`);
      this.sent.push(pdu.destination.addr);
      return new Promise<SendResult>((resolve) => open.push(resolve));
    },
    answer() {
      open.shift()?.({ status: 0, messageId: `${name}-${this.sent.length}` });
      notify();
    },
    setSuspect(v) { suspect = v; notify(); },
    close() { ready = false; notify(); },
  };
}

const pdu = (to: string): OutboundPdu => ({
  source: { addr: '232', ton: 0, npi: 0 }, destination: { addr: to, ton: 1, npi: 1 }, dataCoding: 0, esmClass: 0, shortMessage: new Uint8Array(0), tlvs: {},
});
/** A pool with one sender of window 1, its slot taken by m0. */
function oneFull() {
  const pool = createSenderPool({ responseTimeoutMs: 1000 });
  const s = testSender('a', 1);
  pool.add('L', s);
  void pool.send('L', pdu('m0'), Date.now() + 60_000);
  return { pool, s };
}
/** Lets the pool's microtask (and the promise chains behind it) run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('waiting for window room', () => {
  it('hands each freed slot to one waiter, oldest first', async () => {
    const pool = createSenderPool({ responseTimeoutMs: 1000 });
    const s = testSender('a', 1);
    pool.add('L', s);
    const far = Date.now() + 60_000;
    const results = ['m0', 'm1', 'm2', 'm3', 'm4'].map((m) => pool.send('L', pdu(m), far));
    await settle();
    expect(s.sent).toEqual(['m0']); // the window holds one; four wait
    for (let i = 1; i < 5; i++) {
      s.answer();
      await settle();
      expect(s.sent).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'].slice(0, i + 1)); // one more per freed slot, in order
    }
    s.answer();
    expect((await Promise.all(results)).map((r) => (r === NO_ROOM ? r : r.status))).toEqual([0, 0, 0, 0, 0]);
  });

  it('looks at the window a few times per freed slot, not once per waiter', async () => {
    const pool = createSenderPool({ responseTimeoutMs: 1000 });
    const s = testSender('a', 10);
    pool.add('L', s);
    for (let i = 0; i < 300; i++) void pool.send('L', pdu(`m${i}`), Date.now() + 60_000);
    await settle();
    expect(s.sent).toHaveLength(10);
    expect(s.hasRoom).toBe(false);
    expect(pool.answering('L')).toBe(true); // full, not silent: a PDU gets the next free slot
    const before = s.roomChecks;
    for (let i = 0; i < 10; i++) s.answer();
    await settle();
    expect(s.sent).toHaveLength(20);
    // Ten slots freed in one turn: one pass hands them out (one check per hand-out, one to find the window full).
    expect(s.roomChecks - before).toBeLessThanOrEqual(11);
  });

  it('does not send past a waiter: a new PDU queues behind those already waiting', async () => {
    const pool = createSenderPool({ responseTimeoutMs: 1000 });
    const s = testSender('a', 2);
    pool.add('L', s);
    const far = Date.now() + 60_000;
    for (const m of ['m0', 'm1', 'm2']) void pool.send('L', pdu(m), far);
    await settle();
    s.answer(); // a slot frees; m2 waits for the pool's microtask to take it
    void pool.send('L', pdu('late'), far);
    await settle();
    expect(s.sent).toEqual(['m0', 'm1', 'm2']);
    s.answer();
    await settle();
    expect(s.sent).toEqual(['m0', 'm1', 'm2', 'late']);
  });

  it('gives NO_ROOM at the deadline, and the next slot goes to the next waiter', async () => {
    const { pool, s } = oneFull();
    const short = pool.send('L', pdu('short'), Date.now() + 30);
    const long = pool.send('L', pdu('long'), Date.now() + 60_000);
    expect(await short).toBe(NO_ROOM);
    s.answer();
    await settle();
    expect(s.sent).toEqual(['m0', 'long']);
    s.answer();
    expect(await long).toMatchObject({ status: 0 });
  });

  it('sends a waiter through a second sender as soon as it is added', async () => {
    const pool = createSenderPool({ responseTimeoutMs: 1000 });
    const a = testSender('a', 1);
    const b = testSender('b', 3);
    pool.add('L', a);
    for (const m of ['m0', 'm1', 'm2']) void pool.send('L', pdu(m), Date.now() + 60_000);
    await settle();
    expect(pool.add('L', b)).toBe(false);
    await settle();
    expect(a.sent).toEqual(['m0']);
    expect(b.sent).toEqual(['m1', 'm2']);
  });

  it('waits out a suspect sender and sends once it is cleared', async () => {
    const pool = createSenderPool({ responseTimeoutMs: 1000 });
    const s = testSender('a', 5);
    pool.add('L', s);
    expect(pool.answering('L')).toBe(true);
    s.setSuspect(true);
    expect(pool.answering('L')).toBe(false);
    const r = pool.send('L', pdu('m0'), Date.now() + 60_000);
    await settle();
    expect(s.sent).toEqual([]);
    s.setSuspect(false);
    await settle();
    expect(s.sent).toEqual(['m0']);
    s.answer();
    expect(await r).toMatchObject({ status: 0 });
  });

  it('fails every waiter with SCGW_NO_SESSION when the link loses its last sender', async () => {
    const { pool, s } = oneFull();
    const waiting = [pool.send('L', pdu('m1'), Date.now() + 60_000), pool.send('L', pdu('m2'), Date.now() + 60_000)];
    expect(pool.remove('L', s)).toBe(true);
    for (const w of waiting) await expect(w).rejects.toMatchObject({ code: 'SCGW_NO_SESSION' });
    await expect(pool.send('L', pdu('m3'), Date.now() + 60_000)).rejects.toMatchObject({ code: 'SCGW_NO_SESSION' });
    // A sender gone from the pool no longer wakes it: its slot freeing sends nothing.
    s.answer();
    await settle();
    expect(s.sent).toEqual(['m0']);
  });

  it('fails the waiters when their only sender stops being ready (the session ends)', async () => {
    const { pool, s } = oneFull();
    const w = pool.send('L', pdu('m1'), Date.now() + 60_000);
    s.close();
    await expect(w).rejects.toMatchObject({ code: 'SCGW_NO_SESSION' });
  });

  it('keeps the parts of one reply on one sender while it has room', async () => {
    const pool = createSenderPool({ responseTimeoutMs: 1000 });
    const a = testSender('a', 1);
    const b = testSender('b', 1);
    pool.add('L', a);
    pool.add('L', b);
    void pool.send('L', pdu('x0'), Date.now() + 60_000); // takes one of them
    const affinity = {};
    void pool.send('L', pdu('p1'), Date.now() + 60_000, affinity); // the other, now full
    void pool.send('L', pdu('p2'), Date.now() + 60_000, affinity); // waits
    await settle();
    const partsOn = a.sent.includes('p1') ? a : b;
    const other = partsOn === a ? b : a;
    other.answer(); // the other frees first: p2 moves rather than wait
    await settle();
    expect(other.sent).toContain('p2');
    // With room on both, the parts' sender is kept.
    a.answer();
    b.answer();
    await settle();
    void pool.send('L', pdu('p3'), Date.now() + 60_000, affinity);
    await settle();
    expect(other.sent).toContain('p3');
  });
});
