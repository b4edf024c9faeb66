/** A test gateway for the subscriber pages: one SMS link, an MMSC token, a controllable clock. */
import { deflateSync } from 'node:zlib';
import { hashPassword } from '../../src/actions/index.js';
import { subscribers } from '../../src/db/schema/index.js';
import { startTestGateway, type TestGateway } from './gateway.js';

export const MMSC_TOKEN = 'mmsc-test-token-0123456789';

export interface Clock { now(): Date; advance(ms: number): void }

export function testClock(): Clock {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance(ms) { offset += ms; } };
}

export async function startWebGateway(opts: { env?: Record<string, string>; clock?: Clock; link?: boolean; onHash?: () => Promise<void> } = {}): Promise<TestGateway> {
  const t = await startTestGateway({
    env: { ROLES: 'web', MMSC_TOKEN, ...opts.env },
    ...(opts.clock ? { now: opts.clock.now } : {}),
    ...(opts.onHash ? { onHash: opts.onHash } : {}),
  });
  if (opts.link !== false) {
    await t.addLink('smsc1', 'secret1');
    // Links reach the running gateway through its config poll (every 250 ms).
    await new Promise((r) => setTimeout(r, 600));
  }
  return t;
}

/** Gives a number a known archive or account password (as 232 ON / 111 25 would), archive on for `archive`. */
export async function givePassword(t: TestGateway, msisdn: string, kind: 'archive' | 'account', password: string): Promise<void> {
  const hash = await hashPassword(password, 12);
  const set = kind === 'archive' ? { archiveOn: true, archivePasswordHash: hash } : { accountPasswordHash: hash };
  await t.gw.db.db.insert(subscribers).values({ msisdn, ...set }).onConflictDoUpdate({ target: subscribers.msisdn, set });
}

/** A small PNG (a warm gradient with a sun), built with zlib alone: a picture worth looking at in screenshots. */
export function testPng(width = 240, height = 160): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const sun = (x - width * 0.7) ** 2 + (y - height * 0.35) ** 2 < (height * 0.18) ** 2;
      const ground = y > height * 0.72;
      const [r, g, b] = sun ? [255, 214, 64] : ground ? [46, 125, 50] : [120 + (y * 100) / height, 170 + (y * 60) / height, 235];
      row.set([r, g, b].map(Math.round), 1 + x * 3);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
