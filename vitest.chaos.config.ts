import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: the short chaos run alone (test/chaos), on its own PostgreSQL and Redis. `npm test` runs
// it too, beside the other files.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
