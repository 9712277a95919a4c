/** @module Areas: countries (reference data), cities, protected and custom areas, and which stations lie in them. */
import type { Geometry, MultiPolygon, Polygon } from 'geojson';
import type { Kysely } from 'kysely';
import { cutAtAntimeridian } from '../geo/antimeridian.ts';
import { containsPoint } from '../geo/area-membership.ts';
import { bboxOf } from '../geo/geojson-validation.ts';
import type { AreaKind, BBox } from '../registry/area.ts';
import { bboxOverlaps, nameOrCodeContains } from './filters.ts';
import type { Schema } from './schema.ts';
import { uniquely } from './unique-violation.ts';

export interface NewArea {
  readonly kind: AreaKind;
  readonly code: string;
  readonly name: string;
  readonly iso_code?: string | undefined;
  readonly geometry: Polygon | MultiPolygon;
  readonly properties?: Record<string, unknown> | undefined;
  readonly source?: string | undefined;
}

/** Stores an area, cut at the antimeridian if it crosses it, and links every station inside it. */
export async function createArea(db: Kysely<Schema>, organisationId: number | null, a: NewArea) {
  const geometry = cutAtAntimeridian(a.geometry);
  const bbox = bboxOf(geometry);
  const [minLon, minLat, maxLon, maxLat] = bbox;
  return db.transaction().execute(async (tx) => {
    const area = await uniquely(`area ${a.kind} "${a.code}"`, () =>
      tx
        .insertInto('area')
        .values({
          organisation_id: organisationId,
          kind: a.kind,
          code: a.code,
          name: a.name,
          iso_code: a.iso_code ?? null,
          geometry: JSON.stringify(geometry),
          min_lon: minLon,
          min_lat: minLat,
          max_lon: maxLon,
          max_lat: maxLat,
          properties: JSON.stringify(a.properties ?? {}),
          source: a.source ?? null,
        })
        .returning(['id'])
        .executeTakeFirstOrThrow(),
    );
    await linkStations(tx, area.id, geometry, bbox);
    return area;
  });
}

async function linkStations(
  db: Kysely<Schema>,
  areaId: number,
  geometry: Geometry,
  bbox: BBox,
): Promise<void> {
  const [minLon, minLat, maxLon, maxLat] = bbox;
  const candidates = await db
    .selectFrom('station')
    .select(['id', 'lon', 'lat'])
    .where('lon', '>=', minLon)
    .where('lon', '<=', maxLon)
    .where('lat', '>=', minLat)
    .where('lat', '<=', maxLat)
    .execute();
  const inside = candidates.filter((s) => containsPoint(geometry, s.lon, s.lat));
  if (inside.length > 0) {
    await db
      .insertInto('station_area')
      .values(inside.map((s) => ({ area_id: areaId, station_id: s.id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

export interface AreaFilter {
  readonly readable: readonly number[];
  readonly kind?: AreaKind | undefined;
  readonly bbox?: BBox | undefined;
  readonly q?: string | undefined;
  readonly after?: number | undefined;
  readonly limit: number;
  readonly withGeometry: boolean;
}

/** Areas visible to the caller: reference areas (no organisation) and those of readable organisations. */
export function listAreas(db: Kysely<Schema>, f: AreaFilter) {
  let query = db
    .selectFrom('area')
    .select([
      'id',
      'organisation_id',
      'kind',
      'code',
      'name',
      'iso_code',
      'min_lon',
      'min_lat',
      'max_lon',
      'max_lat',
      'properties',
      'source',
    ])
    .$if(f.withGeometry, (qb) => qb.select('geometry'))
    .where((eb) => eb.or([eb('organisation_id', 'is', null), eb('organisation_id', 'in', [...f.readable])]));
  if (f.kind) query = query.where('kind', '=', f.kind);
  if (f.bbox) query = query.where(bboxOverlaps('area', f.bbox));
  if (f.q) query = query.where(nameOrCodeContains('area', f.q));
  if (f.after !== undefined) query = query.where('id', '>', f.after);
  return query.orderBy('id').limit(f.limit).execute();
}

export function findArea(db: Kysely<Schema>, id: number, readable: readonly number[]) {
  return db
    .selectFrom('area')
    .selectAll()
    .where('id', '=', id)
    .where((eb) => eb.or([eb('organisation_id', 'is', null), eb('organisation_id', 'in', [...readable])]))
    .executeTakeFirst();
}
