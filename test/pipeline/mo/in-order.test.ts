import { describe, expect, it } from 'vitest';
import { inOrderPerKey } from '../../../src/pipeline/mo/worker.js';

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('inOrderPerKey (a subscriber\'s USSD steps one after another)', () => {
  it('runs one key\'s calls in call order, even when the first is the slowest, while other keys run at once', async () => {
    const inOrder = inOrderPerKey();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => { log.push(`start ${name}`); await later(ms); log.push(`end ${name}`); };
    await Promise.all([
      inOrder('a', step('a1', 30)),
      inOrder('b', step('b1', 5)),
      inOrder('a', step('a2', 1)),
    ]);
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
  });

  it('goes on after a failed call, and the caller of that call gets its error', async () => {
    const inOrder = inOrderPerKey();
    const ran: string[] = [];
    const first = inOrder('a', async () => { await later(5); throw new Error('boom'); });
    const second = inOrder('a', async () => { ran.push('second'); });
    await expect(first).rejects.toThrow('boom');
    await second;
    expect(ran).toEqual(['second']);
  });
});
