/**
 * bin/threadpool.cjs, preloaded by `npm start` and the Dockerfile: libuv's pool gets one thread per core (at least 2)
 * unless UV_THREADPOOL_SIZE is set. The pool's threads are counted in /proc after a first scrypt starts it.
 * npm start and the image also set glibc's MALLOC_ARENA_MAX=1 (an operator's own value wins).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startScript } from '../../scripts/bench/gateway-process.js';

const run = promisify(execFile);
const PRELOAD = '--require=./bin/threadpool.cjs';
const PROBE = `require('node:crypto').scrypt('x', 'salt', 32, () => {
  console.log(JSON.stringify({ size: process.env.UV_THREADPOOL_SIZE ?? null, threads: require('node:fs').readdirSync('/proc/self/task').length }));
});`;

async function probe(env: Record<string, string | undefined>, preload = true): Promise<{ size: string | null; threads: number }> {
  const { UV_THREADPOOL_SIZE: _, ...rest } = process.env;
  const { stdout } = await run(process.execPath, [...(preload ? [PRELOAD] : []), '-e', PROBE], { env: { ...rest, ...env } as NodeJS.ProcessEnv });
  return JSON.parse(stdout) as { size: string | null; threads: number };
}

describe('the thread pool preload', () => {
  it('sizes the pool at one thread per core (at least 2), and keeps an operator\'s UV_THREADPOOL_SIZE', async () => {
    const expected = Math.max(2, availableParallelism());
    const sized = await probe({});
    expect(sized.size).toBe(String(expected));
    const one = await probe({ UV_THREADPOOL_SIZE: '1' });
    expect(one.size).toBe('1');
    // The same process but for the pool: the difference in threads is the pool's.
    expect(sized.threads - one.threads).toBe(expected - 1);
    const libuvDefault = await probe({}, false);
    expect(libuvDefault.threads - one.threads).toBe(4 - 1);
  });

  it('is what npm start and the Dockerfile run, with the same node flags and malloc arenas', () => {
    const { env, command } = startScript(process.cwd());
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    const dockerArgs = JSON.parse(cmd!) as string[];
    expect(command).toEqual(dockerArgs);
    // npm start's `MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-1}` is the image's ENV MALLOC_ARENA_MAX=1.
    expect(env).toEqual(['MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-1}']);
    expect(/^ENV .*\bMALLOC_ARENA_MAX=1\b/m.test(dockerfile)).toBe(true);
    expect(dockerArgs).toContain(PRELOAD);
    expect(dockerArgs.indexOf(PRELOAD)).toBeLessThan(dockerArgs.indexOf('dist/main.js'));
  });

  it('runs node with MALLOC_ARENA_MAX=1 unless the operator set it', async () => {
    // The start script's own words through sh (as npm runs it), with the gateway swapped for a probe.
    const { env } = startScript(process.cwd());
    const probe = async (value?: string): Promise<string> => {
      const { MALLOC_ARENA_MAX: _, ...rest } = process.env;
      const { stdout } = await run('sh', ['-c', `${env.join(' ')} "${process.execPath}" -p process.env.MALLOC_ARENA_MAX`], { env: { ...rest, ...(value ? { MALLOC_ARENA_MAX: value } : {}) } as NodeJS.ProcessEnv });
      return stdout.trim();
    };
    expect(await probe()).toBe('1');
    expect(await probe('4')).toBe('4');
  });
});
