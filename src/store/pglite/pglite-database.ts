/** @module The embedded backend: PGlite (Postgres compiled to WASM) keeping its data in a local folder. */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { type Database, type DatabaseSession, INT8_OID, NUMERIC_OID } from '../database.ts';
import type { Schema } from '../schema.ts';
import { ExclusiveQueue, PgliteDialect } from './pglite-driver.ts';

export async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir, {
    parsers: { [INT8_OID]: Number, [NUMERIC_OID]: Number },
  });
  const queue = new ExclusiveQueue();
  const db = new Kysely<Schema>({ dialect: new PgliteDialect(client, queue) });
  return {
    backend: 'pglite',
    db,
    copyFrom: (table, columns, tsv) => queue.run(() => copyInto(client, table, columns, tsv)),
    withSession: async (work) => {
      const release = await queue.acquire();
      try {
        return await work(sessionOf(client));
      } finally {
        release();
      }
    },
    close: () => db.destroy(),
  };
}

/** The session's own Kysely talks to the client directly: the caller holds the shared queue already. */
function sessionOf(client: PGlite): DatabaseSession {
  // Never destroyed: destroying its driver would close the shared client.
  const db = new Kysely<Schema>({ dialect: new PgliteDialect(client, new ExclusiveQueue()) });
  return {
    db,
    copyFrom: (table, columns, data) => copyInto(client, table, columns, data),
    async *copyTo(query) {
      const result = await client.query(`copy (${query}) to '/dev/blob'`);
      if (result.blob) yield new Uint8Array(await result.blob.arrayBuffer());
    },
  };
}

async function copyInto(
  client: PGlite,
  table: string,
  columns: readonly string[],
  data: string | Uint8Array,
): Promise<number> {
  const result = await client.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], {
    blob: new Blob([data] as ConstructorParameters<typeof Blob>[0]),
  });
  return result.affectedRows ?? 0;
}
