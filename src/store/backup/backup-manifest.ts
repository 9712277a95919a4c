/**
 * @module The backup's manifest and the checks made before anything is restored, pure: the manifest's shape, the
 * schema version against the migrations this code knows, each table's rows and SHA-256 against the data read,
 * and the tables, columns, partitions and sequences against the catalog of the database restored into.
 */
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { type Frame, invalidBackup, TableDigest } from './backup-format.ts';
import { dependencyOrder } from './table-order.ts';

/** Raised when the file's layout changes; a reader refuses versions it does not know. */
export const FORMAT_VERSION = 1;

const Column = Type.Object({ name: Type.String(), type: Type.String() }, { additionalProperties: false });

const Partition = Type.Object(
  {
    name: Type.String(),
    /** pg_get_expr of the partition bound (TimeZone UTC), e.g. FOR VALUES FROM ('2024-01-01 00:00:00+00') TO (…). */
    bound: Type.String(),
  },
  { additionalProperties: false },
);

const TableEntry = Type.Object(
  {
    name: Type.String(),
    /** The columns copied, in table order (generated columns are left out: they recompute). */
    columns: Type.Array(Column),
    /** A partitioned table's partitions (dumped and restored through the parent); null for a plain table. */
    partitions: Type.Union([Type.Array(Partition), Type.Null()]),
    rows: Type.Integer({ minimum: 0 }),
    bytes: Type.Integer({ minimum: 0 }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  },
  { additionalProperties: false },
);

const SequenceEntry = Type.Object(
  { name: Type.String(), lastValue: Type.Integer(), isCalled: Type.Boolean() },
  { additionalProperties: false },
);

export const BackupManifest = Type.Object(
  {
    format: Type.Literal('ew4e-backup'),
    formatVersion: Type.Literal(FORMAT_VERSION),
    /** The last migration applied to the backed-up database. */
    schemaVersion: Type.String(),
    createdAt: Type.String(),
    backend: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
    serverVersion: Type.String(),
    /** In file order, which is the order they load in. */
    tables: Type.Array(TableEntry),
    sequences: Type.Array(SequenceEntry),
  },
  { additionalProperties: false },
);
export type BackupManifest = Static<typeof BackupManifest>;
export type BackupTable = BackupManifest['tables'][number];

/** What the checks need to know of a database's catalog (read by catalog.ts). */
export interface Catalog {
  readonly tables: readonly CatalogTable[];
  readonly sequences: readonly CatalogSequence[];
}

export interface CatalogTable {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly primaryKey: readonly string[];
  /** Tables its foreign keys reference. */
  readonly references: readonly string[];
  readonly partitions: readonly { readonly name: string; readonly bound: string }[] | null;
  /** The planner's estimate (pg_class.reltuples), for progress bars only. */
  readonly estimatedRows: number;
}

export interface CatalogSequence {
  readonly name: string;
  /** The column it numbers (identity, serial or OWNED BY), if any. */
  readonly owner: { readonly table: string; readonly column: string } | null;
}

/** Parses and checks the manifest's JSON; a newer format is told apart from a damaged one. */
export function parseManifest(json: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw invalidBackup('its manifest is not JSON', { cause: error });
  }
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > FORMAT_VERSION)
    throw invalidBackup(
      `it was written in format ${version} by a newer EW4E; this one reads ${FORMAT_VERSION}`,
    );
  if (!Value.Check(BackupManifest, value)) {
    const [first] = Value.Errors(BackupManifest, value);
    throw invalidBackup(
      `its manifest is malformed at ${first?.instancePath || '/'}: ${first?.message ?? '?'}`,
    );
  }
  return value;
}

/** Refuses a backup whose schema this code cannot build: a newer one, or one it never knew. */
export function checkSchemaVersion(manifest: BackupManifest, knownMigrations: readonly string[]): void {
  if (knownMigrations.includes(manifest.schemaVersion)) return;
  const latest = knownMigrations.at(-1) ?? '(none)';
  throw invalidBackup(
    manifest.schemaVersion > latest
      ? `it comes from a newer EW4E (schema ${manifest.schemaVersion}; this one knows up to ${latest}): upgrade first`
      : `its schema version ${manifest.schemaVersion} is unknown to this EW4E`,
  );
}

/**
 * Follows the frames of a whole file and checks each table's data against the manifest at its end: the same
 * tables in the same order, and each one's rows, bytes and SHA-256. finish() returns the checked manifest.
 */
export class BackupChecker {
  readonly #seen: { name: string; digest: TableDigest }[] = [];
  #manifest: BackupManifest | undefined;

  accept(frame: Frame): void {
    switch (frame.kind) {
      case 'table':
        if (this.#seen.some((t) => t.name === frame.table))
          throw invalidBackup(`table ${frame.table} appears twice`);
        this.#seen.push({ name: frame.table, digest: new TableDigest() });
        return;
      case 'data': {
        const current = this.#seen.at(-1);
        if (!current) throw invalidBackup('rows come before any table');
        current.digest.update(frame.rows);
        return;
      }
      case 'manifest':
        this.#manifest = parseManifest(frame.json);
        this.#compare(this.#manifest);
        return;
      default: {
        const unhandled: never = frame;
        throw new Error(`unhandled frame ${JSON.stringify(unhandled)}`);
      }
    }
  }

  finish(): BackupManifest {
    if (!this.#manifest) throw invalidBackup('it has no manifest (cut short?)');
    return this.#manifest;
  }

  #compare(manifest: BackupManifest): void {
    const listed = manifest.tables.map((t) => t.name).join(', ');
    const read = this.#seen.map((t) => t.name).join(', ');
    if (listed !== read) throw invalidBackup(`its manifest lists tables ${listed} but it holds ${read}`);
    manifest.tables.forEach((table, i) => {
      const digest = this.#seen[i]!.digest;
      if (digest.rows !== table.rows || digest.bytes !== table.bytes)
        throw invalidBackup(
          `table ${table.name} holds ${digest.rows} rows (${digest.bytes} bytes), its manifest says ${table.rows} (${table.bytes} bytes)`,
        );
      if (digest.sha256() !== table.sha256)
        throw invalidBackup(`the data of table ${table.name} does not match its SHA-256`);
    });
  }
}

/**
 * What keeps the backup from loading into a database of this catalog (migrated to the backup's schema
 * version): each a sentence, none when it fits.
 */
export function catalogProblems(manifest: BackupManifest, catalog: Catalog): string[] {
  const problems: string[] = [];
  const backupTables = new Map(manifest.tables.map((t) => [t.name, t]));
  const dbTables = new Map(catalog.tables.map((t) => [t.name, t]));
  for (const name of backupTables.keys())
    if (!dbTables.has(name)) problems.push(`table ${name} is not in the schema`);
  for (const name of dbTables.keys())
    if (!backupTables.has(name)) problems.push(`table ${name} of the schema is missing from the backup`);
  for (const [name, table] of backupTables) {
    const target = dbTables.get(name);
    if (!target) continue;
    const columnsOf = (cs: readonly { name: string; type: string }[]) =>
      cs.map((c) => `${c.name} ${c.type}`).join(', ');
    if (columnsOf(table.columns) !== columnsOf(target.columns))
      problems.push(
        `table ${name} has columns (${columnsOf(table.columns)}) in the backup, (${columnsOf(target.columns)}) in the schema`,
      );
    if ((table.partitions === null) !== (target.partitions === null))
      problems.push(`table ${name} is partitioned in one and not the other`);
  }
  const order = dependencyOrder(catalog.tables);
  const listed = manifest.tables.map((t) => t.name);
  if (problems.length === 0 && listed.join() !== order.join())
    problems.push(`tables are not in the schema's dependency order (${order.join(', ')})`);
  const listOf = (names: readonly string[]) => (names.length > 0 ? [...names].sort().join(', ') : '(none)');
  const backupSequences = listOf(manifest.sequences.map((s) => s.name));
  const dbSequences = listOf(catalog.sequences.map((s) => s.name));
  if (backupSequences !== dbSequences)
    problems.push(`sequences differ: ${backupSequences} in the backup, ${dbSequences} in the schema`);
  return problems;
}
