/** @module The storage seam: one Kysely schema over two interchangeable backends, embedded PGlite and a PostgreSQL server. */
import type { CompiledQuery, Kysely } from 'kysely';
import type { Schema } from './schema.ts';

export type Backend = 'pglite' | 'postgres';

/**
 * One connection inside one transaction, for the ingest hot path: compiled Kysely queries and COPY on the
 * same connection, which Kysely's own transactions cannot offer (they hide the driver's connection).
 */
export interface SqlSession {
  query<R>(query: CompiledQuery<R>): Promise<R[]>;
  /** COPY FROM of tab-separated text (PostgreSQL text format) inside the session's transaction; returns the rows loaded. */
  copyFrom(table: string, columns: readonly string[], tsv: string): Promise<number>;
}

export interface Database {
  readonly backend: Backend;
  readonly db: Kysely<Schema>;
  /** Bulk load tab-separated text with COPY FROM (PostgreSQL text format); returns the rows loaded. */
  copyFrom(table: string, columns: readonly string[], tsv: string): Promise<number>;
  /** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
  session<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Begin, work, commit — or roll back and rethrow; shared by both backends. */
export async function inTransaction<T>(
  run: (sqlText: string) => Promise<unknown>,
  work: () => Promise<T>,
): Promise<T> {
  await run('begin');
  try {
    const result = await work();
    await run('commit');
    return result;
  } catch (error) {
    await run('rollback').catch(() => undefined);
    throw error;
  }
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
