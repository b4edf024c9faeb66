/**
 * Which gateway code a bench run measured. Others may be editing the working tree while a bench runs, and each
 * workload starts a fresh gateway process, so the run records the commit and whether src/ or drizzle/ had
 * uncommitted changes at its start and its end. `--snapshot` runs every gateway from `git archive HEAD` in a
 * temp dir (node_modules linked), so all workloads measure the same committed code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SourceState {
  commit: string;
  /** Uncommitted changes under src/ or drizzle/ (porcelain lines). */
  dirty: number;
}

export function sourceState(root: string): SourceState {
  try {
    const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['-C', root, 'status', '--porcelain', '--', 'src', 'drizzle'], { encoding: 'utf8' });
    return { commit, dirty: status.split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown (not a git checkout)', dirty: 0 };
  }
}

export function snapshotHead(root: string): { dir: string; commit: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'scgw-bench-src-'));
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const tar = execFileSync('git', ['-C', root, 'archive', '--format=tar', 'HEAD'], { maxBuffer: 512 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, commit, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
