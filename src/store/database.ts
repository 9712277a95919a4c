/** @module The storage seam: one Kysely schema over two interchangeable backends, embedded PGlite and a PostgreSQL server. */
import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';

export type Backend = 'pglite' | 'postgres';

export interface Database {
  readonly backend: Backend;
  readonly db: Kysely<Schema>;
  /** Bulk load tab-separated text with COPY FROM (PostgreSQL text format); returns the rows loaded. */
  copyFrom(table: string, columns: readonly string[], tsv: string): Promise<number>;
  /**
   * Runs `work` on one connection held throughout (PGlite: the queue is held). Its queries and COPYs share
   * that connection, so a transaction begun on it spans them all: what backup and restore need.
   */
  withSession<T>(work: (session: DatabaseSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One held connection. BEGIN/COMMIT are the caller's (`db` is not a Kysely Transaction, so the Migrator can run on it). */
export interface DatabaseSession {
  readonly db: Kysely<Schema>;
  /** COPY FROM of PostgreSQL text format data (whole rows); returns the rows loaded. */
  copyFrom(table: string, columns: readonly string[], data: string | Uint8Array): Promise<number>;
  /** `COPY (query) TO` in PostgreSQL text format, in chunks as they arrive (PGlite: one chunk). */
  copyTo(query: string): AsyncIterable<Uint8Array>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent, PGlite opens (or creates) dataDir. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
}

/** int8 (counts, ids) are read as JS numbers on both backends: ids stay far below 2^53, and one representation keeps one code path. */
export const INT8_OID = 20;
export const NUMERIC_OID = 1700;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const { openPostgres } = await import('./postgres/postgres-database.ts');
    return openPostgres(options.databaseUrl);
  }
  if (!options.dataDir) throw new Error('either databaseUrl or dataDir is required');
  const { openPglite } = await import('./pglite/pglite-database.ts');
  return openPglite(options.dataDir);
}
