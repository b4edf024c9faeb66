/**
 * bin/threadpool.cjs, preloaded by `npm start` and the Dockerfile: libuv's pool gets one thread per core (at least 2)
 * unless UV_THREADPOOL_SIZE is set. The pool's threads are counted in /proc after a first scrypt starts it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

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

  it('is what npm start and the Dockerfile run, with the same node flags', () => {
    const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['start']!;
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(cmd).toBeDefined();
    const dockerArgs = JSON.parse(cmd!) as string[];
    expect(start.split(/\s+/)).toEqual(dockerArgs);
    expect(dockerArgs).toContain(PRELOAD);
    expect(dockerArgs.indexOf(PRELOAD)).toBeLessThan(dockerArgs.indexOf('dist/main.js'));
  });
});
