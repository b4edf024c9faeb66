/** Issue 10 (Low): DATA_DIR and the admin token file get 0700/0600 even when they already exist with looser modes. */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDataDir, writeSecretFile } from '../../src/data-dir.js';

const root = mkdtempSync(join(tmpdir(), 'scgw-modes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

describe('data directory and token file modes', () => {
  it('tightens an existing DATA_DIR to 0700, and creates a missing one so', () => {
    const existing = join(root, 'existing');
    mkdirSync(existing, { mode: 0o755 });
    chmodSync(existing, 0o755);
    prepareDataDir(existing);
    expect(mode(existing)).toBe(0o700);
    const fresh = join(root, 'a', 'b');
    prepareDataDir(fresh);
    expect(mode(fresh)).toBe(0o700);
  });

  it('writes the token file 0600 even over an existing world-readable one', () => {
    const file = join(root, 'admin-token');
    writeFileSync(file, 'old\n', { mode: 0o644 });
    chmodSync(file, 0o644);
    writeSecretFile(file, 'new-token\n');
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('new-token\n');
  });
});
