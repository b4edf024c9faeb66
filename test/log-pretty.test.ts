/**
 * What `npm start` logs at a terminal (main.ts: prettyDestination when stdout is a TTY): readable lines, with
 * pino-pretty loaded only then. Run in a child process, since the pretty stream writes to fd 1 itself.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('prettyDestination', () => {
  it('writes one readable line per entry, not JSON, and redacts as the JSON logger does', async () => {
    const script = `
      const { createRootLogger, prettyDestination } = await import('./src/log.ts');
      const { createRequire } = await import('node:module');
      const cache = createRequire(import.meta.url).cache;
      const loaded = () => Object.keys(cache).some((k) => k.includes('/pino-pretty/'));
      const before = loaded();
      const log = createRootLogger('info', await prettyDestination());
      log.info({ link: 'bench10', password: 'hunter2' }, 'hello there');
      console.error(JSON.stringify({ before, after: loaded() }));`;
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
    const line = stdout.trim();
    expect(line).toMatch(/INFO.*hello there/);
    expect(line).toContain('bench10');
    expect(line).not.toContain('hunter2');
    expect(() => JSON.parse(line) as unknown).toThrow();
    expect(JSON.parse(stderr.trim())).toEqual({ before: false, after: true });
  });
});
