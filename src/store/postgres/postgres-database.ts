/** @module The server backend: a PostgreSQL pool through node-postgres. */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { type Database, INT8_OID, inTransaction, NUMERIC_OID, type SqlSession } from '../database.ts';
import type { Schema } from '../schema.ts';

const typeParsers: Record<number, (text: string) => unknown> = { [INT8_OID]: Number, [NUMERIC_OID]: Number };

export async function openPostgres(connectionString: string, maxConnections = 10): Promise<Database> {
  const pool = new pg.Pool({
    connectionString,
    max: maxConnections,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        typeParsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const copy = async (client: pg.PoolClient, table: string, columns: readonly string[], tsv: string) => {
    const stream = client.query(copyFromStdin(`copy ${table} (${columns.join(', ')}) from stdin`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(tsv);
    });
    return Number(stream.rowCount);
  };
  /** Hands out a pooled connection; one that failed mid-way is destroyed rather than reused. */
  const withClient = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      broken =
        error instanceof Error &&
        !('code' in error && typeof error.code === 'string' && error.code.length === 5)
          ? error
          : undefined;
      throw error;
    } finally {
      client.release(broken);
    }
  };
  return {
    backend: 'postgres',
    db,
    copyFrom: (table, columns, tsv) => withClient((client) => copy(client, table, columns, tsv)),
    session: (work) =>
      withClient((client) => {
        const session: SqlSession = {
          query: async (q) => (await client.query(q.sql, [...q.parameters])).rows,
          copyFrom: (table, columns, tsv) => copy(client, table, columns, tsv),
        };
        return inTransaction(
          (text) => client.query(text),
          () => work(session),
        );
      }),
    close: () => db.destroy(),
  };
}
