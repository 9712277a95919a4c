/** @module Applies the one migration set, the same on PGlite and PostgreSQL. */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Database } from './database.ts';
import * as backbone from './migrations/0001-backbone.ts';
import * as detection from './migrations/0002-detection.ts';
import * as warnings from './migrations/0003-warnings.ts';
import * as dissemination from './migrations/0004-dissemination.ts';
import * as digests from './migrations/0005-digests.ts';
import * as response from './migrations/0006-response.ts';
import * as protectedAreas from './migrations/0007-protected-areas.ts';
import * as speciesSoil from './migrations/0008-species-soil.ts';
import * as hardening from './migrations/0009-hardening.ts';
import * as checkpointStorage from './migrations/0010-checkpoint-storage.ts';
import * as dutyTurns from './migrations/0011-duty-turns.ts';
import * as webhookTargetIndex from './migrations/0012-webhook-target-index.ts';
import * as seriesRevision from './migrations/0013-series-revision.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001-backbone': backbone,
  '0002-detection': detection,
  '0003-warnings': warnings,
  '0004-dissemination': dissemination,
  '0005-digests': digests,
  '0006-response': response,
  '0007-protected-areas': protectedAreas,
  '0008-species-soil': speciesSoil,
  '0009-hardening': hardening,
  '0010-checkpoint-storage': checkpointStorage,
  '0011-duty-turns': dutyTurns,
  '0012-webhook-target-index': webhookTargetIndex,
  '0013-series-revision': seriesRevision,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** The migrations this code knows, in the order they apply (Kysely orders them by name). */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

/**
 * Brings the schema up to `target` (a name of MIGRATION_NAMES) on a connection inside a transaction the caller
 * holds, so that it commits or rolls back with the caller's other work (restore).
 */
// biome-ignore lint/suspicious/noExplicitAny: run before the schema matches today's Schema type.
export async function migrateWithin(db: Kysely<any>, target: string): Promise<void> {
  const migrator = new Migrator({ db, provider, disableTransactions: true });
  const { error } = await migrator.migrateTo(target);
  if (error) throw new Error('migration failed', { cause: error });
}

/** Brings the schema up to date; returns the names of the migrations it applied. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error('migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
