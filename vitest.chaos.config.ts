import { defineConfig } from 'vitest/config';

// `npm run test:chaos`: the short chaos run alone (test/chaos), on its own PostgreSQL and Redis. Not part of
// `npm test` while it fails its bar (see README "Proof under faults").
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
