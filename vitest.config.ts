import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The short chaos run has its own command (npm run test:chaos, vitest.chaos.config.ts).
    exclude: [...configDefaults.exclude, 'test/chaos/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file gets its own database and Redis prefix (test/support/services.ts), so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
  },
});
