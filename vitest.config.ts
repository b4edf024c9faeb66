import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/chaos (the short chaos run, on its own PostgreSQL and Redis) runs here too; alone: npm run test:chaos.
    exclude: [...configDefaults.exclude],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file gets its own database and Redis prefix (test/support/services.ts), so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
  },
});
