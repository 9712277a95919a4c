/** @module A PostgreSQL session: one pooled client held for a piece of work, with Kysely and COPY (pg-copy-streams) on it. */
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { from as copyFromStdin, to as copyToStdout } from 'pg-copy-streams';
import type { DatabaseSession } from '../database.ts';
import type { Schema } from '../schema.ts';

export async function withPostgresSession<T>(
  pool: pg.Pool,
  work: (session: DatabaseSession) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // Kysely releases its connection after each query: a pool of this one client whose release keeps it held.
  const held: PostgresPoolClient = {
    query: client.query.bind(client) as PostgresPoolClient['query'],
    release: () => undefined,
  };
  const onePool: PostgresPool = { connect: async () => held, end: async () => undefined };
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: onePool }) });
  // A client that failed for another reason than an SQL error (which carries a 5-character SQLSTATE) may be
  // half-way through the COPY protocol: destroy it rather than return it to the pool.
  let broken: Error | undefined;
  try {
    return await work({
      db,
      copyFrom: (table, columns, data) => copyInto(client, table, columns, data),
      copyTo: (query) => copyOut(client, query),
    });
  } catch (error) {
    const sqlState = (error as { code?: unknown }).code;
    if (!(typeof sqlState === 'string' && sqlState.length === 5)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

async function copyInto(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  data: string | Uint8Array,
): Promise<number> {
  const stream = client.query(copyFromStdin(`copy ${table} (${columns.join(', ')}) from stdin`));
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
    stream.end(data);
  });
  return Number(stream.rowCount);
}

async function* copyOut(client: pg.PoolClient, query: string): AsyncIterable<Uint8Array> {
  const stream = client.query(copyToStdout(`copy (${query}) to stdout`));
  for await (const chunk of stream) yield chunk as Uint8Array;
}
