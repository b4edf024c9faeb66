/**
 * Vitest global setup: the `scgw` command's sources (src/cli/main.ts) compiled once into one file, so the CLI tests'
 * ~130 runs of the command each start a plain `node` process instead of loading tsx and its TypeScript hooks (about
 * half a second each, more under the suite's load). The same sources through esbuild, the compiler tsx uses; the
 * packages stay imports from node_modules. bin/scgw.mjs itself is still run by the tests that name it
 * (test/e2e/process.test.ts, test/cli/sim.test.ts, test/cli/status.test.ts).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The compiled `scgw` command (test/support/cli-bundle.ts). */
    scgwCli: string;
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default async function setup(project: TestProject): Promise<() => void> {
  // Inside the project, so the bundle's package imports resolve from its node_modules.
  const dir = join(ROOT, 'node_modules', '.cache', `scgw-cli-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'scgw.mjs');
  await build({
    entryPoints: [join(ROOT, 'src/cli/main.ts')], outfile: out,
    bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
  });
  project.provide('scgwCli', out);
  return () => rmSync(dir, { recursive: true, force: true });
}
