import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // e2e files each start their own LangGraph server; two cores cannot run many at once.
    maxWorkers: 2,
    // One private PostgreSQL cluster for the whole run, for the store tests (test/support/postgres.ts).
    globalSetup: ['test/support/postgres-setup.ts'],
  },
});
