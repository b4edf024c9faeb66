/**
 * The short chaos run (`npm run chaos -- --short`): each fault once against the suite's own PostgreSQL and
 * Redis (never the shared ones), a few thousand MO from an SMSC-like peer that re-sends what was not acked.
 * Part of `npm test`; alone: `npm run test:chaos`. Recovery time is printed, not asserted (no speed assertions in tests).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../../scripts/chaos/faults.js';
import { formatReport } from '../../scripts/chaos/report.js';
import { chaosPreset, runChaos } from '../../scripts/chaos/suite.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('chaos (short)', () => {
  it('loses no acked MO, acts on none twice, never exits, and drains after each fault', async () => {
    const report = await runChaos({ ...chaosPreset('short'), root: ROOT, faults: [...FAULT_KINDS], say: () => {} });
    console.log(formatReport(report).join('\n'));
    expect(report.rows.map((r) => r.phase)).toEqual(['before faults', ...FAULT_KINDS]);
    expect(report.total.gatewayExits).toEqual([]);
    // The report's bar, less the recovery times (printed above; `npm run chaos` holds them to 10 s, a test
    // asserts no speed): 0 acked MO lost or stuck, 0 acted on twice, a repeated reply only across a kill -9 or a
    // cut (at most the window each), no exit by itself.
    const failures = report.total.failures.filter((f) => !/: backlog (took|never cleared)/.test(f) || /never cleared/.test(f));
    expect(failures).toEqual([]);
    expect(report.total.unacked).toBe(0);
    expect(report.total.lost).toBe(0);
    expect(report.total.actionsTwice).toBe(0);
    // Drained: nothing waiting, failed or unsent in Redis or the outbox.
    expect(Object.values(report.leftovers.mo).every((n) => n === 0)).toBe(true);
    expect(Object.values(report.leftovers.mt).every((n) => n === 0)).toBe(true);
    expect(report.leftovers.outboxUnsent).toBe(0);
  }, 900_000);
});
