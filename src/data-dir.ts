/**
 * DATA_DIR and the secrets in it. A mode given to mkdir/writeFile applies only when they create the path, so an
 * existing directory or token file (made by hand, or by an older version) is tightened explicitly (issue 10).
 */
import { chmodSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';

/** Creates DATA_DIR if missing; 0700 either way (it holds the embedded database, Redis files and the token). */
export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Writes a secret: the file is made 0600 before its new content goes in, so the secret is never readable by others. */
export function writeSecretFile(file: string, content: string): void {
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  writeFileSync(file, content, { mode: 0o600 });
}
