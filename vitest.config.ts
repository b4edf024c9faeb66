import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file gets its own database and Redis prefix (test/support/services.ts), so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
  },
});
