/**
 * @module `ew4e backup`: a consistent logical snapshot of every table of the public schema in one file — one
 * REPEATABLE READ, READ ONLY transaction on one connection, each table through COPY TO, the manifest last.
 */
import { type Kysely, sql } from 'kysely';
import type { Database, DatabaseSession } from '../database.ts';
import type { Schema } from '../schema.ts';
import { writeFileAtomically } from './backup-file.ts';
import { BACKUP_MAGIC, encodeFrame, quoteIdentifier, RowChunker, TableDigest } from './backup-format.ts';
import { type BackupManifest, type BackupTable, FORMAT_VERSION } from './backup-manifest.ts';
import { readCatalog } from './catalog.ts';
import { dumpTable, setDumpSettings } from './table-dump.ts';
import { dependencyOrder } from './table-order.ts';

/** Where backup or restore stands in a table: for progress bars. */
export interface TableProgress {
  readonly table: string;
  /** Rows so far; `expectedRows` is an estimate in a backup (the planner's), exact in a restore. */
  readonly rows: number;
  readonly expectedRows: number;
  readonly done: boolean;
}

export interface BackupOptions {
  readonly onProgress?: (progress: TableProgress) => void;
  readonly now?: Date;
}

export async function writeBackup(
  database: Database,
  file: string,
  options: BackupOptions = {},
): Promise<BackupManifest> {
  let manifest: BackupManifest | undefined;
  await database.withSession((session) =>
    writeFileAtomically(
      file,
      snapshotBytes(session, database.backend, options, (written) => {
        manifest = written;
      }),
    ),
  );
  return manifest!;
}

/** The file's bytes (before gzip), produced inside the snapshot transaction, which ends with the generator. */
async function* snapshotBytes(
  session: DatabaseSession,
  backend: Database['backend'],
  options: BackupOptions,
  onManifest: (manifest: BackupManifest) => void,
): AsyncIterable<Uint8Array> {
  const db = session.db;
  await sql`start transaction isolation level repeatable read, read only`.execute(db);
  let committed = false;
  try {
    await setDumpSettings(db);
    const catalog = await readCatalog(db);
    const schemaVersion = await schemaVersionOf(db);
    const { rows: versionRows } = await sql<{ version: string }>`select version() as version`.execute(db);
    const sequences = [];
    for (const s of catalog.sequences) {
      const { rows } = await sql<{ last_value: number; is_called: boolean }>`
        select last_value, is_called from ${sql.raw(quoteIdentifier(s.name))}`.execute(db);
      sequences.push({ name: s.name, lastValue: Number(rows[0]!.last_value), isCalled: rows[0]!.is_called });
    }
    const byName = new Map(catalog.tables.map((t) => [t.name, t]));
    const tables: BackupTable[] = [];
    yield BACKUP_MAGIC;
    for (const name of dependencyOrder(catalog.tables)) {
      const table = byName.get(name)!;
      yield encodeFrame({ kind: 'table', table: name });
      const digest = new TableDigest();
      const chunker = new RowChunker();
      const report = (done: boolean) =>
        options.onProgress?.({ table: name, rows: digest.rows, expectedRows: table.estimatedRows, done });
      report(false);
      for await (const chunk of dumpTable(session, table)) {
        digest.update(chunk);
        for (const rows of chunker.push(chunk)) yield encodeFrame({ kind: 'data', rows });
        report(false);
      }
      const rest = chunker.end();
      if (rest) yield encodeFrame({ kind: 'data', rows: rest });
      report(true);
      tables.push({
        name,
        columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
        partitions: table.partitions?.map((p) => ({ name: p.name, bound: p.bound })) ?? null,
        rows: digest.rows,
        bytes: digest.bytes,
        sha256: digest.sha256(),
      });
    }
    const manifest: BackupManifest = {
      format: 'ew4e-backup',
      formatVersion: FORMAT_VERSION,
      schemaVersion,
      createdAt: (options.now ?? new Date()).toISOString(),
      backend,
      serverVersion: versionRows[0]!.version,
      tables,
      sequences,
    };
    yield encodeFrame({ kind: 'manifest', json: JSON.stringify(manifest) });
    await sql`commit`.execute(db);
    committed = true;
    onManifest(manifest);
  } finally {
    // Also when the file cannot be written: the pipeline stops this generator, and the snapshot ends here.
    if (!committed) await sql`rollback`.execute(db);
  }
}

/** The last migration applied: what restore migrates an empty database to before loading. */
async function schemaVersionOf(db: Kysely<Schema>): Promise<string> {
  const { rows } = await sql<{ name: string | null }>`
    select max(name) as name from kysely_migration`
    .execute(db)
    .catch((error: unknown) => {
      throw new Error('this database has no EW4E schema (run ew4e migrate, or restore into it)', {
        cause: error,
      });
    });
  if (!rows[0]?.name) throw new Error('this database has no EW4E schema (run ew4e migrate)');
  return rows[0].name;
}
