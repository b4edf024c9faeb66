import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRootLogger } from '../src/log.js';
import { createProblemRing, teeProblems } from '../src/log-problems.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb(); } });
  return { lines, dest };
}

describe('the recent-problems ring fed from the log', () => {
  it('keeps each warn/error of any descendant once, with its component and link, never the error message; the log line keeps its bindings', () => {
    const { lines, dest } = capture();
    const ring = createProblemRing(3, () => new Date('2026-01-01T00:00:00Z'));
    const log = teeProblems(createRootLogger('info', dest), ring);
    const smpp = log.child({ component: 'smpp' });
    const session = smpp.child({ session: 's1' }).child({ link: 'smsc' });
    session.warn({ seq: 2 }, 'bind refused');
    const err = Object.assign(new Error('Failed query params: 79161234567'), { code: '23505' });
    log.child({ component: 'mo' }).error({ err }, 'mo job failed');
    session.info('bound'); // not a problem
    expect(ring.recent()).toEqual([
      { at: '2026-01-01T00:00:00.000Z', level: 'error', component: 'mo', link: null, msg: 'mo job failed', code: '23505' },
      { at: '2026-01-01T00:00:00.000Z', level: 'warn', component: 'smpp', link: 'smsc', msg: 'bind refused', code: null },
    ]);
    expect(JSON.stringify(ring.recent())).not.toContain('7916');
    expect(lines[0]).toMatchObject({ component: 'smpp', session: 's1', link: 'smsc', seq: 2, msg: 'bind refused' });
    expect(lines).toHaveLength(3);
  });

  it('fills the ring under a silent logger too, and keeps only the newest entries', () => {
    const ring = createProblemRing(2);
    const log = teeProblems(createRootLogger('silent'), ring);
    for (const m of ['a', 'b', 'c']) log.child({ component: 'x' }).warn(m);
    expect(ring.recent().map((p) => p.msg)).toEqual(['c', 'b']);
  });
});
