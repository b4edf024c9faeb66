/**
 * The bench and chaos launchers run the gateway as `npm start` does: startEnv reads the environment the start
 * script sets before node, as sh would (`NAME=${NAME:-default}` keeps what the environment holds).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEnv, startFlags } from '../../scripts/bench/gateway-process.js';

function root(start: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'scgw-start-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start } }));
  return dir;
}

describe('startEnv', () => {
  it('gives the defaults, keeps what the environment holds, and stops at the command', () => {
    const dir = root('A_B=${A_B:-2} C=plain node --x=1 D=not-env dist/main.js');
    expect(startEnv(dir, {})).toEqual({ A_B: '2', C: 'plain' });
    expect(startEnv(dir, { A_B: '7', C: 'other' })).toEqual({ A_B: '7', C: 'plain' });
    expect(startFlags(dir)).toEqual(['--x=1']);
  });

  it('is empty for a start script without assignments', () => {
    expect(startEnv(root('node --x=1 dist/main.js'), { A_B: '7' })).toEqual({});
  });

  it('reads this project\'s start script: glibc malloc arenas capped at 1', () => {
    expect(startEnv(process.cwd(), {})).toEqual({ MALLOC_ARENA_MAX: '1' });
  });
});
