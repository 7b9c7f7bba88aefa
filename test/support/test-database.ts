// For test files: a fresh database on the run's PostgreSQL cluster (started by ./postgres-setup.ts, the globalSetup).
import { inject } from 'vitest';
import { createDatabase } from './postgres.js';
import type {} from './postgres-setup.js';

export interface TestDatabase {
  url: string;
  /** Drops the database, ending connections a store's pool may still hold. */
  drop(): Promise<void>;
}

/**
 * Creates an empty database for this test file. Throws (the test fails, it is not skipped) when PostgreSQL could not
 * start, with the reason found by the globalSetup.
 */
export async function testDatabase(prefix = 'test'): Promise<TestDatabase> {
  const postgres = inject('postgres');
  if (!postgres)
    throw new Error('no PostgreSQL: test/support/postgres-setup.ts is not in vitest.config.ts globalSetup');
  if ('error' in postgres) {
    throw new Error(
      `PostgreSQL is required by the store tests and could not start${process.env.CI ? ' (CI=true)' : ''}: ${postgres.error}`,
    );
  }
  return createDatabase(postgres.adminUrl, prefix);
}
