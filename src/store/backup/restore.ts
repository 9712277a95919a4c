/**
 * @module `ew4e restore`: a backup file into an empty database, all in one transaction. The file is read twice:
 * first checked whole (frames, gzip, each table's rows and SHA-256, the schema version) before the database is
 * touched; then, inside the transaction: migrate to the backup's schema version, check the catalog, COPY each
 * table with user triggers off, set the sequences, and dump every table again to check it against the manifest.
 */
import { type Kysely, sql } from 'kysely';
import { Ew4eError } from '../../errors.ts';
import type { Database, DatabaseSession } from '../database.ts';
import { MIGRATION_NAMES, migrateWithin } from '../migrate.ts';
import { createMonthPartitions, monthOfPartitionName } from '../observation.repository.ts';
import type { Schema } from '../schema.ts';
import type { TableProgress } from './backup.ts';
import { readFrames } from './backup-file.ts';
import { DATA_FRAME_BYTES, invalidBackup, quoteIdentifier, TableDigest } from './backup-format.ts';
import {
  BackupChecker,
  type BackupManifest,
  type Catalog,
  type CatalogTable,
  catalogProblems,
  checkSchemaVersion,
} from './backup-manifest.ts';
import { readCatalog } from './catalog.ts';
import { dumpTable, setDumpSettings } from './table-dump.ts';

export interface RestoreOptions {
  /** Restore into a database that has tables: its public schema is dropped and made again, in the same transaction. */
  readonly force?: boolean;
  readonly onProgress?: (progress: TableProgress) => void;
}

/** Rows are loaded by COPYs of about this many bytes: bounded memory, and few statements. */
const LOAD_BATCH_BYTES = 16 * DATA_FRAME_BYTES;

/** How each partitioned table's partitions are made again: by the code that makes them at ingest. */
const PARTITION_MAKERS: Readonly<
  Record<string, (db: Kysely<Schema>, names: readonly string[]) => Promise<void>>
> = {
  observation: (db, names) =>
    createMonthPartitions(
      db,
      names.map((name) => {
        const month = monthOfPartitionName(name);
        if (month === undefined) throw invalidBackup(`observation partition ${name} is not a month's`);
        return month;
      }),
    ),
};

/** Reads the whole file and checks it against its manifest; returns the manifest. Touches no database. */
export async function verifyBackup(file: string): Promise<BackupManifest> {
  const checker = new BackupChecker();
  for await (const frame of readFrames(file)) checker.accept(frame);
  const manifest = checker.finish();
  checkSchemaVersion(manifest, MIGRATION_NAMES);
  return manifest;
}

export async function restoreBackup(
  database: Database,
  file: string,
  options: RestoreOptions = {},
): Promise<BackupManifest> {
  const manifest = await verifyBackup(file);
  await database.withSession(async (session) => {
    const db = session.db;
    await sql`begin`.execute(db);
    try {
      await setDumpSettings(db);
      if (await hasRelations(db)) {
        if (!options.force)
          throw new Ew4eError(
            'EW4E_DATABASE_NOT_EMPTY',
            'the database already has tables: restore into an empty one, or use --force to replace everything in it',
          );
        await sql`drop schema public cascade`.execute(db);
      }
      await sql`create schema if not exists public`.execute(db);
      await migrateWithin(db, manifest.schemaVersion);
      const catalog = await readCatalog(db);
      const problems = catalogProblems(manifest, catalog);
      if (problems.length > 0) throw invalidBackup(problems.join('; '));
      // Replica role: user triggers (append-only, hash chain) and foreign-key checks stay off while rows go in
      // exactly as they were; SET LOCAL ends with the transaction.
      await sql`set local session_replication_role = replica`.execute(db);
      // What the migrations wrote (their own bookkeeping rows) gives way to the backup's copy of it.
      await sql.raw(`truncate ${catalog.tables.map((t) => quoteIdentifier(t.name)).join(', ')}`).execute(db);
      const withPartitions = await makePartitions(db, manifest);
      await load(session, file, manifest, options);
      await setSequences(db, manifest);
      await checkRestored(session, manifest, withPartitions);
      await sql`commit`.execute(db);
    } catch (error) {
      await sql`rollback`.execute(db).catch(() => undefined);
      throw error;
    }
  });
  return manifest;
}

/** Tables, views, sequences or functions in the public schema (other than an extension's). */
async function hasRelations(db: Kysely<Schema>): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    select exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
        and not exists (select 1 from pg_depend d
          where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    ) or exists (
      select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public'
        and not exists (select 1 from pg_depend d
          where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
    ) as found`.execute(db);
  return rows[0]!.found;
}

/** Makes the backup's partitions, checks their bounds, and returns the catalog with them. */
async function makePartitions(db: Kysely<Schema>, manifest: BackupManifest): Promise<Catalog> {
  for (const table of manifest.tables) {
    if (table.partitions === null || table.partitions.length === 0) continue;
    const make = PARTITION_MAKERS[table.name];
    if (!make) throw new Error(`restore does not know how to make the partitions of ${table.name}`);
    await make(
      db,
      table.partitions.map((p) => p.name),
    );
  }
  const withPartitions = await readCatalog(db);
  for (const table of manifest.tables) {
    const made = withPartitions.tables.find((t) => t.name === table.name)?.partitions ?? null;
    const describe = (ps: readonly { name: string; bound: string }[] | null) =>
      (ps ?? []).map((p) => `${p.name} ${p.bound}`).join('; ');
    if (describe(made) !== describe(table.partitions))
      throw invalidBackup(
        `the partitions of ${table.name} differ: ${describe(table.partitions)} in the backup, ${describe(made)} made`,
      );
  }
  return withPartitions;
}

/** Second reading of the file: each table's rows by COPY FROM, in the file's (dependency) order, checked again as they pass. */
async function load(
  session: DatabaseSession,
  file: string,
  manifest: BackupManifest,
  options: RestoreOptions,
): Promise<void> {
  const checker = new BackupChecker();
  const columnsOf = new Map(
    manifest.tables.map((t) => [t.name, t.columns.map((c) => quoteIdentifier(c.name))]),
  );
  const expectedOf = new Map(manifest.tables.map((t) => [t.name, t.rows]));
  let table: string | undefined;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let loaded = 0;
  const flush = async () => {
    if (table === undefined || batch.length === 0) return;
    loaded += await session.copyFrom(
      quoteIdentifier(table),
      columnsOf.get(table)!,
      concat(batch, batchBytes),
    );
    batch = [];
    batchBytes = 0;
    options.onProgress?.({ table, rows: loaded, expectedRows: expectedOf.get(table)!, done: false });
  };
  const finishTable = async () => {
    await flush();
    if (table !== undefined)
      options.onProgress?.({ table, rows: loaded, expectedRows: expectedOf.get(table)!, done: true });
  };
  for await (const frame of readFrames(file)) {
    checker.accept(frame);
    if (frame.kind === 'table') {
      await finishTable();
      table = frame.table;
      loaded = 0;
    } else if (frame.kind === 'data') {
      batch.push(frame.rows);
      batchBytes += frame.rows.length;
      if (batchBytes >= LOAD_BATCH_BYTES) await flush();
    }
  }
  await finishTable();
  // The file may have changed since it was first checked: the same manifest, or nothing is kept.
  if (JSON.stringify(checker.finish()) !== JSON.stringify(manifest))
    throw invalidBackup('the file changed while it was being restored');
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Every sequence where the backup left it: a new row gets the id it would have got in the backed-up database. */
async function setSequences(db: Kysely<Schema>, manifest: BackupManifest): Promise<void> {
  for (const s of manifest.sequences)
    await sql`select setval(${quoteIdentifier(s.name)}::regclass, ${s.lastValue}, ${s.isCalled})`.execute(db);
}

/**
 * Dumps every restored table as backup does and compares rows and SHA-256 with the manifest: what was loaded is
 * what was backed up, byte for byte, whatever the two backends. And no sequence would hand out a used id.
 */
async function checkRestored(
  session: DatabaseSession,
  manifest: BackupManifest,
  catalog: Catalog,
): Promise<void> {
  const byName = new Map(catalog.tables.map((t) => [t.name, t]));
  for (const entry of manifest.tables) {
    const table: CatalogTable = byName.get(entry.name)!;
    const digest = new TableDigest();
    for await (const chunk of dumpTable(session, table)) digest.update(chunk);
    if (digest.rows !== entry.rows || digest.sha256() !== entry.sha256)
      throw invalidBackup(
        `table ${entry.name} restored as ${digest.rows} rows that differ from the backup's ${entry.rows}`,
      );
  }
  for (const s of catalog.sequences) {
    if (s.owner === null) continue;
    const entry = manifest.sequences.find((m) => m.name === s.name)!;
    const { rows } = await sql<{ max: number | null }>`
      select max(${sql.ref(s.owner.column)})::int8 as max from ${sql.table(s.owner.table)}`.execute(
      session.db,
    );
    const next = entry.isCalled ? entry.lastValue + 1 : entry.lastValue;
    const max = rows[0]?.max ?? null;
    if (max !== null && next <= Number(max))
      throw invalidBackup(`sequence ${s.name} would hand out ${next}, already used in ${s.owner.table}`);
  }
}
