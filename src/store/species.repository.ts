/** @module Species storage: Darwin Core occurrences (upserted by occurrenceID, linked to the areas holding them), sensitive species lists, and yearly counts per population. */
import { type Kysely, sql, type Transaction } from 'kysely';
import { type AreaShape, containsPoint } from '../geo/area-membership.ts';
import { COUNTED_BASES, type ParsedOccurrence } from '../nature/species-occurrence.ts';
import type { Sensitivity } from '../nature/species-sensitivity.ts';
import type { YearlyCount } from '../nature/species-trend.ts';
import type { Schema } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** 14 parameters a row: well under PostgreSQL's 65 535 per statement. */
const CHUNK = 2000;

/**
 * Stores the occurrences of one organisation in one transaction: a record already stored under the same
 * occurrenceID is replaced. Each point is linked to the registered areas that hold it and that the
 * organisation can see (reference areas and its readable organisations' areas), at import time.
 */
export async function upsertOccurrences(
  db: Kysely<Schema>,
  organisationId: number,
  readable: readonly number[],
  rows: readonly ParsedOccurrence[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const areas = await areasAround(db, readable, rows);
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await tx
        .insertInto('occurrence')
        .values(
          rows.slice(i, i + CHUNK).map((o) => ({
            organisation_id: organisationId,
            occurrence_id: o.occurrenceId,
            scientific_name: o.scientificName,
            event_date: new Date(o.eventDateMs),
            lon: o.lon,
            lat: o.lat,
            individual_count: o.individualCount,
            basis_of_record: o.basisOfRecord,
            country_code: o.countryCode,
            locality: o.locality,
            sensitive: o.sensitive,
            area_ids: areas
              .filter((a) => o.lon >= a.box[0] && o.lon <= a.box[2] && o.lat >= a.box[1] && o.lat <= a.box[3])
              .filter((a) => containsPoint(a.geometry, o.lon, o.lat))
              .map((a) => a.id),
            received_at: new Date(),
          })),
        )
        .onConflict((oc) =>
          oc.columns(['organisation_id', 'occurrence_id']).doUpdateSet((eb) => ({
            scientific_name: eb.ref('excluded.scientific_name'),
            event_date: eb.ref('excluded.event_date'),
            lon: eb.ref('excluded.lon'),
            lat: eb.ref('excluded.lat'),
            individual_count: eb.ref('excluded.individual_count'),
            basis_of_record: eb.ref('excluded.basis_of_record'),
            country_code: eb.ref('excluded.country_code'),
            locality: eb.ref('excluded.locality'),
            sensitive: eb.ref('excluded.sensitive'),
            area_ids: eb.ref('excluded.area_ids'),
            received_at: eb.ref('excluded.received_at'),
          })),
        )
        .execute();
    }
  });
  return rows.length;
}

/** The visible areas whose box meets the batch's box, with their own boxes for a cheap first test. */
async function areasAround(
  db: Db,
  readable: readonly number[],
  rows: readonly ParsedOccurrence[],
): Promise<(AreaShape & { box: readonly [number, number, number, number] })[]> {
  let [minLon, minLat, maxLon, maxLat] = [180, 90, -180, -90];
  for (const o of rows) {
    minLon = Math.min(minLon, o.lon);
    maxLon = Math.max(maxLon, o.lon);
    minLat = Math.min(minLat, o.lat);
    maxLat = Math.max(maxLat, o.lat);
  }
  const areas = await db
    .selectFrom('area')
    .select(['id', 'geometry', 'min_lon', 'min_lat', 'max_lon', 'max_lat'])
    .where((eb) => eb.or([eb('organisation_id', 'is', null), eb('organisation_id', 'in', [...readable])]))
    .where('min_lon', '<=', maxLon)
    .where('max_lon', '>=', minLon)
    .where('min_lat', '<=', maxLat)
    .where('max_lat', '>=', minLat)
    .execute();
  return areas.map((a) => ({
    id: a.id,
    geometry: a.geometry,
    box: [a.min_lon, a.min_lat, a.max_lon, a.max_lat],
  }));
}

export interface OccurrenceFilter {
  readonly readable: readonly number[];
  readonly species?: string | undefined;
  readonly areaId?: number | undefined;
  readonly after?: number | undefined;
  readonly limit: number;
}

/** Occurrences with the sensitivity their recording organisation's list gives their species, by id. */
export function listOccurrences(db: Db, f: OccurrenceFilter) {
  let query = db
    .selectFrom('occurrence as o')
    .leftJoin('sensitive_species as ss', (join) =>
      join
        .onRef('ss.organisation_id', '=', 'o.organisation_id')
        .onRef('ss.scientific_name', '=', 'o.scientific_name'),
    )
    .select([
      'o.id',
      'o.organisation_id',
      'o.occurrence_id',
      'o.scientific_name',
      'o.event_date',
      'o.lon',
      'o.lat',
      'o.individual_count',
      'o.basis_of_record',
      'o.country_code',
      'o.locality',
      'o.sensitive',
      'o.area_ids',
      'ss.sensitivity as listed_sensitivity',
    ])
    .where('o.organisation_id', 'in', [...f.readable]);
  if (f.species !== undefined) query = query.where('o.scientific_name', '=', f.species);
  if (f.areaId !== undefined) query = query.where(sql<boolean>`${f.areaId}::int4 = any(o.area_ids)`);
  if (f.after !== undefined) query = query.where('o.id', '>', f.after);
  return query.orderBy('o.id').limit(f.limit).execute();
}

export interface YearlyCountFilter {
  readonly organisations: readonly number[];
  readonly species?: string | undefined;
  /** One area's populations; without it, `perArea` says whether to split by area or count everything together. */
  readonly areaId?: number | undefined;
  readonly perArea: boolean;
}

/**
 * Sum of individualCount per species (and area) and year, over field records only (see COUNTED_BASES); a
 * record without a count counts one individual. Years are UTC years.
 */
export async function yearlyCounts(db: Db, f: YearlyCountFilter): Promise<YearlyCount[]> {
  const byArea = f.areaId !== undefined || f.perArea;
  const species = f.species === undefined ? sql`` : sql`and o.scientific_name = ${f.species}`;
  const area = f.areaId === undefined ? sql`` : sql`and a.id = ${f.areaId}`;
  const result = byArea
    ? await sql<{ species: string; area_id: number; area_name: string; year: number; count: number }>`
        select o.scientific_name as species, a.id as area_id, a.name as area_name,
               extract(year from o.event_date at time zone 'UTC')::int as year,
               sum(coalesce(o.individual_count, 1))::int8::float8 as count
        from occurrence o
        cross join lateral unnest(o.area_ids) as u(area_id)
        join area a on a.id = u.area_id
        where o.organisation_id = any(${[...f.organisations]}::int4[])
          and o.basis_of_record = any(${[...COUNTED_BASES]}::text[]) ${species} ${area}
        group by 1, 2, 3, 4 order by 1, 2, 4`.execute(db)
    : await sql<{ species: string; area_id: null; area_name: null; year: number; count: number }>`
        select o.scientific_name as species, null as area_id, null as area_name,
               extract(year from o.event_date at time zone 'UTC')::int as year,
               sum(coalesce(o.individual_count, 1))::int8::float8 as count
        from occurrence o
        where o.organisation_id = any(${[...f.organisations]}::int4[])
          and o.basis_of_record = any(${[...COUNTED_BASES]}::text[]) ${species}
        group by 1, 4 order by 1, 4`.execute(db);
  return result.rows.map((r) => ({
    species: r.species,
    areaId: r.area_id,
    areaName: r.area_name,
    year: Number(r.year),
    count: Number(r.count),
  }));
}

export function listSensitiveSpecies(db: Db, organisationId: number) {
  return db
    .selectFrom('sensitive_species')
    .select(['scientific_name', 'sensitivity'])
    .where('organisation_id', '=', organisationId)
    .orderBy('scientific_name')
    .execute();
}

/** Replaces the organisation's whole list, in one transaction. */
export async function replaceSensitiveSpecies(
  db: Kysely<Schema>,
  organisationId: number,
  list: readonly { readonly scientificName: string; readonly sensitivity: Exclude<Sensitivity, 'none'> }[],
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('sensitive_species').where('organisation_id', '=', organisationId).execute();
    if (list.length === 0) return;
    await tx
      .insertInto('sensitive_species')
      .values(
        list.map((s) => ({
          organisation_id: organisationId,
          scientific_name: s.scientificName,
          sensitivity: s.sensitivity,
        })),
      )
      .execute();
  });
}
