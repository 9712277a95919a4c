/** @module The server backend: a PostgreSQL pool through node-postgres. */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { type Database, INT8_OID, NUMERIC_OID } from '../database.ts';
import type { Schema } from '../schema.ts';
import { withPostgresSession } from './postgres-session.ts';
import { asUnavailable, guardedPool } from './unavailable.ts';

const typeParsers: Record<number, (text: string) => unknown> = { [INT8_OID]: Number, [NUMERIC_OID]: Number };

/** A request waits at most this long for a connection, then fails as EW4E_UNAVAILABLE instead of hanging. */
const CONNECTION_TIMEOUT_MS = 10_000;

export async function openPostgres(connectionString: string, maxConnections = 10): Promise<Database> {
  const pool = new pg.Pool({
    connectionString,
    max: maxConnections,
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        typeParsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A dropped idle connection must not crash the process; the pool drops it and the next query reconnects,
  // so the pool recovers by itself once the server is back.
  pool.on('error', () => undefined);
  // The pool listens for errors of idle clients only: a server that goes away while a client is checked out
  // between two statements (inside a transaction) would emit an unheard 'error' and end the process. The
  // statement in progress, or the next one, fails anyway (EW4E_UNAVAILABLE) and the client is dropped on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: guardedPool(pool) }) });
  return {
    backend: 'postgres',
    db,
    copyFrom: async (table, columns, tsv) => {
      const client = await pool.connect().catch((error: unknown) => {
        throw asUnavailable(error);
      });
      // A connection that failed for another reason than an SQL error (which carries a 5-character
      // SQLSTATE, e.g. 23505) may be half-way through the COPY protocol: destroy it rather than reuse it.
      let broken: Error | undefined;
      try {
        const stream = client.query(copyFromStdin(`copy ${table} (${columns.join(', ')}) from stdin`));
        await new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
          stream.end(tsv);
        });
        return Number(stream.rowCount);
      } catch (error) {
        const sqlState = (error as { code?: unknown }).code;
        if (!(typeof sqlState === 'string' && sqlState.length === 5)) broken = error as Error;
        throw asUnavailable(error);
      } finally {
        client.release(broken);
      }
    },
    withSession: (work) => withPostgresSession(pool, work),
    close: () => db.destroy(),
  };
}
