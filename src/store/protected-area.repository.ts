/** @module Protected areas: cleaned WDPA parcels stored in one transaction per batch, listed, and cached coverage. */
import { type Kysely, sql } from 'kysely';
import type { CleanSite } from '../nature/protected-area-cleaning.ts';
import type { BBox } from '../registry/area.ts';
import { bboxOverlaps } from './filters.ts';
import type { Schema } from './schema.ts';

/** Stores the batch atomically; a parcel already imported by the organisation (same WDPA_PID) is replaced. */
export async function storeProtectedAreas(
  db: Kysely<Schema>,
  organisationId: number,
  sites: readonly CleanSite[],
): Promise<number> {
  if (sites.length === 0) return 0;
  await db.transaction().execute(async (tx) => {
    // Batches of 500 keep each statement under PostgreSQL's 65 535 parameters.
    for (let i = 0; i < sites.length; i += 500) {
      await tx
        .insertInto('protected_area')
        .values(
          sites.slice(i, i + 500).map((s) => ({
            organisation_id: organisationId,
            wdpa_id: s.wdpaId,
            wdpa_pid: s.wdpaPid,
            name: s.name,
            desig: s.desig,
            iucn_cat: s.iucnCat,
            status: s.status,
            status_yr: s.statusYr,
            marine: s.marine,
            rep_area: s.repArea,
            gis_area: s.gisArea,
            iso3: s.iso3,
            point_only: s.pointOnly,
            geometry: JSON.stringify(s.geometry),
            land_geometry: JSON.stringify(s.onLand),
            sea_geometry: JSON.stringify(s.atSea),
            land_km2: s.onLandKm2,
            sea_km2: s.atSeaKm2,
            min_lon: s.bbox[0],
            min_lat: s.bbox[1],
            max_lon: s.bbox[2],
            max_lat: s.bbox[3],
          })),
        )
        .onConflict((oc) =>
          oc.columns(['organisation_id', 'wdpa_pid']).doUpdateSet((eb) => ({
            wdpa_id: eb.ref('excluded.wdpa_id'),
            name: eb.ref('excluded.name'),
            desig: eb.ref('excluded.desig'),
            iucn_cat: eb.ref('excluded.iucn_cat'),
            status: eb.ref('excluded.status'),
            status_yr: eb.ref('excluded.status_yr'),
            marine: eb.ref('excluded.marine'),
            rep_area: eb.ref('excluded.rep_area'),
            gis_area: eb.ref('excluded.gis_area'),
            iso3: eb.ref('excluded.iso3'),
            point_only: eb.ref('excluded.point_only'),
            geometry: eb.ref('excluded.geometry'),
            land_geometry: eb.ref('excluded.land_geometry'),
            sea_geometry: eb.ref('excluded.sea_geometry'),
            land_km2: eb.ref('excluded.land_km2'),
            sea_km2: eb.ref('excluded.sea_km2'),
            min_lon: eb.ref('excluded.min_lon'),
            min_lat: eb.ref('excluded.min_lat'),
            max_lon: eb.ref('excluded.max_lon'),
            max_lat: eb.ref('excluded.max_lat'),
            updated_at: sql<Date>`now()`,
          })),
        )
        .execute();
    }
  });
  return sites.length;
}

export interface ProtectedAreaFilter {
  readonly readable: readonly number[];
  /** ISO 3166-1 alpha-3: sites whose ISO3 names it (transboundary sites name several). */
  readonly iso3?: string | undefined;
  /** Sites whose box meets this one (any of them, when both are given with iso3). */
  readonly bbox?: BBox | undefined;
  readonly either?: boolean;
  readonly after?: number | undefined;
  readonly limit?: number | undefined;
}

function filtered(db: Kysely<Schema>, f: ProtectedAreaFilter) {
  let query = db
    .selectFrom('protected_area')
    .where('organisation_id', 'in', f.readable.length > 0 ? [...f.readable] : [-1]);
  const iso3 = f.iso3;
  const byIso3 =
    iso3 === undefined
      ? undefined
      : sql<boolean>`(iso3 = ${iso3} or iso3 like ${`${iso3};%`} or iso3 like ${`%;${iso3}`} or iso3 like ${`%;${iso3};%`})`;
  const byBox = f.bbox === undefined ? undefined : bboxOverlaps('protected_area', f.bbox);
  if (f.either && byIso3 && byBox) query = query.where(sql<boolean>`(${byIso3} or ${byBox})`);
  else {
    if (byIso3) query = query.where(byIso3);
    if (byBox) query = query.where(byBox);
  }
  if (f.after !== undefined) query = query.where('id', '>', f.after);
  return query;
}

export function listProtectedAreas(db: Kysely<Schema>, f: ProtectedAreaFilter) {
  let query = filtered(db, f).selectAll().orderBy('id');
  if (f.limit !== undefined) query = query.limit(f.limit);
  return query.execute();
}

export type ProtectedAreaRow = Awaited<ReturnType<typeof listProtectedAreas>>[number];

/** What a cached coverage depends on: how many sites, the last added and the last changed. */
export async function coverageFingerprint(db: Kysely<Schema>, f: ProtectedAreaFilter): Promise<string> {
  const row = await filtered(db, f)
    .select((eb) => [
      eb.fn.countAll<string>().as('n'),
      eb.fn.max('id').as('last_id'),
      eb.fn.max('updated_at').as('last_change'),
    ])
    .executeTakeFirstOrThrow();
  const lastChange = row.last_change === null ? 0 : new Date(row.last_change).getTime();
  return `${row.n}:${row.last_id ?? 0}:${lastChange}`;
}

export async function cachedCoverage(
  db: Kysely<Schema>,
  scope: string,
  countryCode: string,
  fingerprint: string,
) {
  const row = await db
    .selectFrom('protected_area_coverage')
    .select('result')
    .where('scope', '=', scope)
    .where('country_code', '=', countryCode)
    .where('fingerprint', '=', fingerprint)
    .executeTakeFirst();
  return row?.result;
}

export async function keepCoverage(
  db: Kysely<Schema>,
  scope: string,
  countryCode: string,
  fingerprint: string,
  result: Record<string, unknown>,
): Promise<void> {
  await db
    .insertInto('protected_area_coverage')
    .values({ scope, country_code: countryCode, fingerprint, result: JSON.stringify(result) })
    .onConflict((oc) =>
      oc
        .columns(['scope', 'country_code'])
        .doUpdateSet({ fingerprint, result: JSON.stringify(result), computed_at: sql`now()` } as never),
    )
    .execute();
}
