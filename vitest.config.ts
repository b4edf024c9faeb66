import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The short chaos run (test/chaos, on its own PostgreSQL and Redis) is one long file paced by the clock: it starts
 * first, so the other files run beside it instead of it running alone at the end.
 */
class ChaosFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const chaos = (f: TestSpecification) => f.moduleId.includes('/test/chaos/');
    return [...sorted.filter(chaos), ...sorted.filter((f) => !chaos(f))];
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/chaos runs here too; alone: npm run test:chaos.
    exclude: [...configDefaults.exclude],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file gets its own database and Redis prefix (test/support/services.ts), so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: ChaosFirst },
    // The `scgw` command compiled once for the CLI tests (test/cli/run.ts).
    globalSetup: ['test/support/cli-bundle.ts'],
  },
});
