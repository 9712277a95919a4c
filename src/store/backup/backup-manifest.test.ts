import { describe, expect, it } from 'vitest';
import { TableDigest } from './backup-format.ts';
import {
  BackupChecker,
  type BackupManifest,
  type Catalog,
  catalogProblems,
  checkSchemaVersion,
  parseManifest,
} from './backup-manifest.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

const ORGANISATION_ROWS = '1\t\\N\tglobal\tGlobal\n2\t1\tbd\tBangladesh\n';
const SERIES_ROWS = '7\t2\tpm25\n';

function digestOf(text: string) {
  const d = new TableDigest();
  d.update(bytes(text));
  return { rows: d.rows, bytes: d.bytes, sha256: d.sha256() };
}

const manifest: BackupManifest = {
  format: 'ew4e-backup',
  formatVersion: 1,
  schemaVersion: '0002-detection',
  createdAt: '2025-03-01T00:00:00.000Z',
  backend: 'pglite',
  serverVersion: 'PostgreSQL 17',
  tables: [
    {
      name: 'organisation',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'parent_id', type: 'integer' },
        { name: 'code', type: 'text' },
        { name: 'name', type: 'text' },
      ],
      partitions: null,
      ...digestOf(ORGANISATION_ROWS),
    },
    {
      name: 'series',
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'organisation_id', type: 'integer' },
        { name: 'variable_code', type: 'text' },
      ],
      partitions: null,
      ...digestOf(SERIES_ROWS),
    },
  ],
  sequences: [{ name: 'organisation_id_seq', lastValue: 2, isCalled: true }],
};

const catalog: Catalog = {
  tables: [
    {
      name: 'series',
      columns: manifest.tables[1]!.columns,
      primaryKey: ['id'],
      references: ['organisation'],
      partitions: null,
      estimatedRows: 0,
    },
    {
      name: 'organisation',
      columns: manifest.tables[0]!.columns,
      primaryKey: ['id'],
      references: ['organisation'],
      partitions: null,
      estimatedRows: 0,
    },
  ],
  sequences: [{ name: 'organisation_id_seq', owner: { table: 'organisation', column: 'id' } }],
};

describe('parseManifest', () => {
  it('reads a manifest it wrote', () => {
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('tells a newer format from a damaged manifest', () => {
    expect(() => parseManifest(JSON.stringify({ ...manifest, formatVersion: 2 }))).toThrow(
      /written in format 2 by a newer EW4E; this one reads 1/,
    );
    expect(() => parseManifest('{"format": "ew4e-backup", ')).toThrow(/manifest is not JSON/);
    const badRows = { ...manifest, tables: [{ ...manifest.tables[0], rows: -1 }] };
    expect(() => parseManifest(JSON.stringify(badRows))).toThrow(/malformed at \/tables\/0\/rows/);
  });
});

describe('checkSchemaVersion', () => {
  const known = ['0001-backbone', '0002-detection', '0003-warnings'];

  it('accepts a schema version this code knows, older ones included', () => {
    expect(() => checkSchemaVersion(manifest, known)).not.toThrow();
  });

  it('refuses a backup from a newer EW4E, saying which versions', () => {
    expect(() => checkSchemaVersion({ ...manifest, schemaVersion: '0010-roles' }, known)).toThrow(
      'not a usable EW4E backup: it comes from a newer EW4E (schema 0010-roles; this one knows up to 0003-warnings): upgrade first',
    );
    expect(() => checkSchemaVersion({ ...manifest, schemaVersion: '0002-other' }, known)).toThrow(
      /schema version 0002-other is unknown/,
    );
  });
});

describe('BackupChecker', () => {
  function check(frames: Parameters<BackupChecker['accept']>[0][]): BackupManifest {
    const checker = new BackupChecker();
    for (const frame of frames) checker.accept(frame);
    return checker.finish();
  }
  const tableFrames = (organisationRows: string, seriesRows = SERIES_ROWS) =>
    [
      { kind: 'table', table: 'organisation' },
      { kind: 'data', rows: bytes(organisationRows) },
      { kind: 'table', table: 'series' },
      { kind: 'data', rows: bytes(seriesRows) },
    ] as const;

  it('accepts data that matches its manifest, in any number of frames', () => {
    const [first, second] = ORGANISATION_ROWS.split(/(?<=\n)/);
    const frames = [
      { kind: 'table', table: 'organisation' },
      { kind: 'data', rows: bytes(first!) },
      { kind: 'data', rows: bytes(second!) },
      ...tableFrames(ORGANISATION_ROWS).slice(2),
      { kind: 'manifest', json: JSON.stringify(manifest) },
    ] as const;
    expect(check([...frames])).toEqual(manifest);
  });

  it('refuses a changed value, a missing row, and a missing manifest', () => {
    const changed = ORGANISATION_ROWS.replace('Bangladesh', 'Bangladeshi');
    expect(() =>
      check([...tableFrames(changed), { kind: 'manifest', json: JSON.stringify(manifest) }]),
    ).toThrow(/table organisation holds 2 rows \(38 bytes\), its manifest says 2 \(37 bytes\)/);
    const sameLength = ORGANISATION_ROWS.replace('Bangladesh', 'Bangladesx');
    expect(() =>
      check([...tableFrames(sameLength), { kind: 'manifest', json: JSON.stringify(manifest) }]),
    ).toThrow(/the data of table organisation does not match its SHA-256/);
    expect(() =>
      check([...tableFrames(ORGANISATION_ROWS, ''), { kind: 'manifest', json: JSON.stringify(manifest) }]),
    ).toThrow(/table series holds 0 rows/);
    expect(() => check([...tableFrames(ORGANISATION_ROWS)])).toThrow(/no manifest/);
  });

  it('refuses tables other than the manifest lists, or listed twice', () => {
    expect(() =>
      check([
        ...tableFrames(ORGANISATION_ROWS).slice(0, 2),
        { kind: 'manifest', json: JSON.stringify(manifest) },
      ]),
    ).toThrow(/lists tables organisation, series but it holds organisation/);
    expect(() =>
      check([
        { kind: 'table', table: 'organisation' },
        { kind: 'table', table: 'organisation' },
      ]),
    ).toThrow(/appears twice/);
    expect(() => check([{ kind: 'data', rows: bytes('1\n') }])).toThrow(/rows come before any table/);
  });
});

describe('catalogProblems', () => {
  it('finds none when tables, columns, order and sequences agree', () => {
    expect(catalogProblems(manifest, catalog)).toEqual([]);
  });

  it('names a missing or extra table, a column that differs, and sequences that differ', () => {
    const changed: Catalog = {
      tables: [
        {
          ...catalog.tables[1]!,
          columns: [...catalog.tables[1]!.columns.slice(0, 3), { name: 'name', type: 'character varying' }],
        },
        { ...catalog.tables[0]!, name: 'station' },
      ],
      sequences: [],
    };
    expect(catalogProblems(manifest, changed)).toEqual([
      'table series is not in the schema',
      'table station of the schema is missing from the backup',
      'table organisation has columns (id integer, parent_id integer, code text, name text) in the backup, (id integer, parent_id integer, code text, name character varying) in the schema',
      'sequences differ: organisation_id_seq in the backup, (none) in the schema',
    ]);
  });

  it('refuses tables out of dependency order', () => {
    const reversed = { ...manifest, tables: [...manifest.tables].reverse() };
    expect(catalogProblems(reversed, catalog)).toEqual([
      "tables are not in the schema's dependency order (organisation, series)",
    ]);
  });
});
