/** @module The embedded backend: PGlite (Postgres compiled to WASM) keeping its data in a local folder. */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { type Database, INT8_OID, NUMERIC_OID } from '../database.ts';
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
    copyFrom: (table, columns, tsv) =>
      queue.run(async () => {
        const result = await client.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob'`, [], {
          blob: new Blob([tsv]),
        });
        return result.affectedRows ?? 0;
      }),
    close: () => db.destroy(),
  };
}
