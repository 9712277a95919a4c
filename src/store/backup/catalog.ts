/**
 * @module Reads what backup and restore need from pg_catalog: the public schema's tables (partitions under their
 * parent, tables of extensions left out), their copyable columns, primary keys, foreign keys and sequences.
 * Generic over the catalog, so that every migration's tables and columns are covered without a list to keep.
 */
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../schema.ts';
import type { Catalog, CatalogSequence, CatalogTable } from './backup-manifest.ts';

/** Relations of the public schema that belong to an extension (e.g. PostGIS's spatial_ref_sys) are the extension's to restore. */
const NOT_OF_AN_EXTENSION = sql`not exists (
  select 1 from pg_depend d
  where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')`;

export async function readCatalog(db: Kysely<Schema>): Promise<Catalog> {
  const tables = await sql<{ name: string; partitioned: boolean; estimated_rows: number }>`
    select c.relname as name, c.relkind = 'p' as partitioned,
      greatest(c.reltuples, 0)::float8 + coalesce((
        select sum(greatest(p.reltuples, 0))::float8 from pg_inherits i join pg_class p on p.oid = i.inhrelid
        where i.inhparent = c.oid), 0) as estimated_rows
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and ${NOT_OF_AN_EXTENSION}
    order by c.relname`.execute(db);
  // Generated columns are left out: COPY FROM refuses them, and they recompute from the others.
  const columns = await sql<{ table: string; name: string; type: string }>`
    select c.relname as table, a.attname as name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    order by c.relname, a.attnum`.execute(db);
  const keys = await sql<{ table: string; column: string }>`
    select c.relname as table, a.attname as column
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    cross join lateral unnest(k.conkey) with ordinality as key(attnum, position)
    join pg_attribute a on a.attrelid = k.conrelid and a.attnum = key.attnum
    where n.nspname = 'public' and k.contype = 'p' and not c.relispartition
    order by c.relname, key.position`.execute(db);
  // Constraints cloned onto partitions (conparentid ≠ 0) repeat their parent's.
  const references = await sql<{ table: string; referenced: string }>`
    select distinct c.relname as table, r.relname as referenced
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class r on r.oid = k.confrelid
      join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and k.contype = 'f' and k.conparentid = 0`.execute(db);
  const partitions = await sql<{ parent: string; name: string; bound: string }>`
    select p.relname as parent, c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
      join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relispartition
    order by p.relname, c.relname`.execute(db);
  const sequences = await sql<{ name: string; table: string | null; column: string | null }>`
    select c.relname as name, t.relname as table, a.attname as column
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
      left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = c.oid
        and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
      left join pg_class t on t.oid = d.refobjid
      left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
    where n.nspname = 'public' and c.relkind = 'S' and ${NOT_OF_AN_EXTENSION}
    order by c.relname`.execute(db);

  const grouped = <R extends { table: string }, V>(rows: readonly R[], value: (row: R) => V) => {
    const map = new Map<string, V[]>();
    for (const row of rows) map.set(row.table, [...(map.get(row.table) ?? []), value(row)]);
    return map;
  };
  const columnsOf = grouped(columns.rows, (r) => ({ name: r.name, type: r.type }));
  const keyOf = grouped(keys.rows, (r) => r.column);
  const referencesOf = grouped(references.rows, (r) => r.referenced);
  const partitionsOf = grouped(
    partitions.rows.map((r) => ({ ...r, table: r.parent })),
    (r) => ({ name: r.name, bound: r.bound }),
  );
  return {
    tables: tables.rows.map(
      (t): CatalogTable => ({
        name: t.name,
        columns: columnsOf.get(t.name) ?? [],
        primaryKey: keyOf.get(t.name) ?? [],
        references: referencesOf.get(t.name) ?? [],
        partitions: t.partitioned ? (partitionsOf.get(t.name) ?? []) : null,
        estimatedRows: t.estimated_rows,
      }),
    ),
    sequences: sequences.rows.map(
      (s): CatalogSequence => ({
        name: s.name,
        owner: s.table !== null && s.column !== null ? { table: s.table, column: s.column } : null,
      }),
    ),
  };
}
