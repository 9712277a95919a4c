/** @module One table's rows as COPY text, the same bytes on PGlite and PostgreSQL: what backup writes and restore checks. */
import { type Kysely, sql } from 'kysely';
import type { DatabaseSession } from '../database.ts';
import type { Schema } from '../schema.ts';
import { quoteIdentifier } from './backup-format.ts';
import type { CatalogTable } from './backup-manifest.ts';

/**
 * Fixes every setting that shapes COPY's text output (times in UTC, ISO dates, shortest exact floats), so that a
 * table dumps to the same bytes, hence the same SHA-256, whatever the server's or session's defaults. Call right
 * after BEGIN: SET LOCAL lasts until the transaction ends.
 */
export async function setDumpSettings(db: Kysely<Schema>): Promise<void> {
  for (const setting of [
    `set local timezone = 'UTC'`,
    `set local datestyle = 'ISO, YMD'`,
    `set local intervalstyle = 'postgres'`,
    'set local extra_float_digits = 1',
    `set local bytea_output = 'hex'`,
  ])
    await sql.raw(setting).execute(db);
}

/**
 * The table's rows in primary-key order, so that the bytes depend on the data alone and not on where rows lie
 * on disk. A partitioned table is read one partition at a time, in name order (months, for observation): the
 * same rows as through the parent, and on PGlite, which returns one blob per COPY, a month at a time in memory.
 */
export async function* dumpTable(session: DatabaseSession, table: CatalogTable): AsyncIterable<Uint8Array> {
  const columns = table.columns.map((c) => quoteIdentifier(c.name)).join(', ');
  const orderBy =
    table.primaryKey.length > 0 ? ` order by ${table.primaryKey.map(quoteIdentifier).join(', ')}` : '';
  const sources = table.partitions === null ? [table.name] : table.partitions.map((p) => p.name);
  for (const source of sources)
    yield* session.copyTo(`select ${columns} from only ${quoteIdentifier(source)}${orderBy}`);
}
