import { describe, expect, it } from 'vitest';
import { cpuPerReply } from '../../scripts/bench/report.js';

describe('bench report: CPU per reply', () => {
  it('turns % of one core over the run into ms per reply, for the gateway and for the whole box', () => {
    // 10 s; the gateway at 80 % of a core is 8 s of CPU, the box (80 + 30 + 10 + 20 + 10 = 150 %) 15 s; 10,000 replies.
    const cpu = { gatewayPct: 80, postgresPct: 30, redisPct: 10, benchPct: 20, otherPct: 10, wallS: 10 };
    expect(cpuPerReply(cpu, 10_000)).toBe('0.80/1.50');
  });

  it('has no figure without replies, without a measurement, or for a report saved before the wall time was kept', () => {
    expect(cpuPerReply({ gatewayPct: 80, postgresPct: 30, redisPct: 10, benchPct: 20, otherPct: 10, wallS: 10 }, 0)).toBe('–');
    expect(cpuPerReply(null, 100)).toBe('–');
    expect(cpuPerReply({ gatewayPct: 80, postgresPct: 30, redisPct: 10, benchPct: 20, otherPct: 10 }, 100)).toBe('–');
  });
});
