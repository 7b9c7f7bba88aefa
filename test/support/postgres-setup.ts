// Vitest globalSetup: one private PostgreSQL cluster for the whole run (starting one per file would cost ~2 s each on
// two shared cores). Test files get their own database on it through `testDatabase()` in ./test-database.ts.
import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresCluster } from './postgres.js';

export type PostgresProvided = { adminUrl: string; startMs: number } | { error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresProvided;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A developer's own server instead of a private cluster (a superuser URL: test databases are created on it).
  const external = process.env.BATCH_BRIDGE_PG_URL;
  if (external) {
    project.provide('postgres', { adminUrl: external, startMs: 0 });
    return async () => undefined;
  }
  let cluster: PostgresCluster | undefined;
  try {
    cluster = await startPostgres();
    project.provide('postgres', { adminUrl: cluster.adminUrl, startMs: cluster.startMs });
  } catch (error) {
    // Not thrown here: that would stop every test file, also those that never touch PostgreSQL. The files that need
    // it fail (never skip) with this message when they ask for a database, under CI=true as anywhere else.
    project.provide('postgres', { error: error instanceof Error ? error.message : String(error) });
  }
  return async () => {
    await cluster?.stop();
  };
}
