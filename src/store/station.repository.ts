/** @module Sources, stations and series: where observations come from and what they measure. */
import { type Kysely, sql } from 'kysely';
import { Ew4eError } from '../errors.ts';
import { areasContaining } from '../geo/area-membership.ts';
import { mergeLimits, qcLimitsProblems } from '../ingest/quality-control.ts';
import type { BBox } from '../registry/area.ts';
import type { Sense } from '../registry/station.ts';
import { nameOrCodeContains, pointInBBox } from './filters.ts';
import type { Schema } from './schema.ts';
import { uniquely } from './unique-violation.ts';

// ---- sources

export interface NewSource {
  readonly code: string;
  readonly name: string;
  readonly provider: string;
  readonly licence: string;
  readonly provenance: string;
  readonly url?: string | undefined;
}

export async function createSource(db: Kysely<Schema>, organisationId: number, s: NewSource) {
  return uniquely(`source "${s.code}"`, () =>
    db
      .insertInto('source')
      .values({ organisation_id: organisationId, ...s, url: s.url ?? null })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

export function listSources(db: Kysely<Schema>, readable: readonly number[]) {
  return db
    .selectFrom('source')
    .selectAll()
    .where('organisation_id', 'in', [...readable])
    .orderBy('id')
    .execute();
}

// ---- stations

export interface NewStation {
  readonly source_id: number;
  readonly code: string;
  readonly name: string;
  readonly sense: Sense;
  readonly lon: number;
  readonly lat: number;
  readonly elevation_m?: number | undefined;
  readonly expected_cadence_s: number;
  readonly properties?: Record<string, unknown> | undefined;
  /** IANA zone, for local times in signals and the daily profile of detectors. */
  readonly time_zone?: string | undefined;
}

/** Registers a station and records which known areas contain it. */
export async function createStation(db: Kysely<Schema>, organisationId: number, s: NewStation) {
  const source = await db
    .selectFrom('source')
    .select('id')
    .where('id', '=', s.source_id)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  if (!source) {
    throw new Ew4eError('EW4E_BAD_REQUEST', `source ${s.source_id} not found in your organisation`, [
      { pointer: '/source_id', field: 'source_id', reason: 'no such source in your organisation' },
    ]);
  }
  return db.transaction().execute(async (tx) => {
    const station = await uniquely(`station "${s.code}"`, () =>
      tx
        .insertInto('station')
        .values({
          organisation_id: organisationId,
          source_id: s.source_id,
          code: s.code,
          name: s.name,
          sense: s.sense,
          lon: s.lon,
          lat: s.lat,
          elevation_m: s.elevation_m ?? null,
          expected_cadence_s: s.expected_cadence_s,
          properties: JSON.stringify(s.properties ?? {}),
          time_zone: s.time_zone ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    const candidates = await tx
      .selectFrom('area')
      .select(['id', 'geometry'])
      .where('min_lon', '<=', s.lon)
      .where('max_lon', '>=', s.lon)
      .where('min_lat', '<=', s.lat)
      .where('max_lat', '>=', s.lat)
      .execute();
    const inside = areasContaining(candidates, s.lon, s.lat);
    if (inside.length > 0) {
      await tx
        .insertInto('station_area')
        .values(inside.map((area_id) => ({ area_id, station_id: station.id })))
        .execute();
    }
    return station;
  });
}

/**
 * When a station was last heard from: its newest observation in any series, or its newest event. Read when
 * asked rather than kept up to date at ingest, so that it is always exact and costs the write path nothing;
 * each series is one backward index probe per monthly partition.
 */
const lastObservationAt = sql<Date | null>`greatest(
  (select max(l.time) from series se
     cross join lateral (select o.time from observation o where o.series_id = se.id order by o.time desc limit 1) l
   where se.station_id = station.id),
  (select max(e.time) from event e where e.station_id = station.id))`.as('last_observation_at');

export interface StationFilter {
  readonly readable: readonly number[];
  readonly bbox?: BBox | undefined;
  readonly sense?: Sense | undefined;
  readonly q?: string | undefined;
  readonly areaId?: number | undefined;
  readonly after?: number | undefined;
  readonly limit: number;
}

export function listStations(db: Kysely<Schema>, f: StationFilter) {
  let query = db
    .selectFrom('station')
    .innerJoin('source', 'source.id', 'station.source_id')
    .selectAll('station')
    .select(['source.code as source_code', 'source.provider', 'source.licence', lastObservationAt])
    .where('station.organisation_id', 'in', [...f.readable]);
  if (f.bbox) query = query.where(pointInBBox('station', f.bbox));
  if (f.sense) query = query.where('station.sense', '=', f.sense);
  if (f.q) query = query.where(nameOrCodeContains('station', f.q));
  if (f.areaId !== undefined) {
    const areaId = f.areaId;
    // Only an area the caller reads: another organisation's area must answer as one that does not exist.
    query = query.where('station.id', 'in', (eb) =>
      eb
        .selectFrom('station_area')
        .innerJoin('area', 'area.id', 'station_area.area_id')
        .select('station_area.station_id')
        .where('station_area.area_id', '=', areaId)
        .where((w) =>
          w.or([w('area.organisation_id', 'is', null), w('area.organisation_id', 'in', [...f.readable])]),
        ),
    );
  }
  if (f.after !== undefined) query = query.where('station.id', '>', f.after);
  return query.orderBy('station.id').limit(f.limit).execute();
}

export function findStation(db: Kysely<Schema>, id: number, readable: readonly number[]) {
  return db
    .selectFrom('station')
    .innerJoin('source', 'source.id', 'station.source_id')
    .selectAll('station')
    .select(['source.code as source_code', 'source.provider', 'source.licence', lastObservationAt])
    .where('station.id', '=', id)
    .where('station.organisation_id', 'in', [...readable])
    .executeTakeFirst();
}

// ---- series

export interface NewSeries {
  readonly station_id: number;
  readonly variable: string;
  readonly code?: string | undefined;
  readonly qc_override?: Record<string, number> | undefined;
}

/** A series measures one variable at one station, always in the variable's canonical unit. */
export async function createSeries(db: Kysely<Schema>, organisationId: number, s: NewSeries) {
  const station = await db
    .selectFrom('station')
    .select(['id', 'code'])
    .where('id', '=', s.station_id)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  if (!station) {
    throw new Ew4eError('EW4E_BAD_REQUEST', `station ${s.station_id} not found in your organisation`, [
      { pointer: '/station_id', field: 'station_id', reason: 'no such station in your organisation' },
    ]);
  }
  const variable = await db
    .selectFrom('variable')
    .selectAll()
    .where('code', '=', s.variable)
    .executeTakeFirst();
  if (!variable) {
    throw new Ew4eError(
      'EW4E_BAD_REQUEST',
      `unknown variable "${s.variable}"; GET /v1/variables lists them`,
      [{ pointer: '/variable', field: 'variable', reason: 'unknown variable' }],
    );
  }
  const limits = mergeLimits(variable.qc, s.qc_override);
  const problems = qcLimitsProblems(limits);
  if (problems.length > 0) {
    throw new Ew4eError(
      'EW4E_BAD_REQUEST',
      'qc_override gives unusable limits',
      problems.map((p) => ({ pointer: `/qc_override/${p.field}`, field: p.field, reason: p.reason })),
    );
  }
  const code = s.code ?? `${station.code}:${variable.code}`;
  return uniquely(`series "${code}"`, () =>
    db
      .insertInto('series')
      .values({
        organisation_id: organisationId,
        station_id: station.id,
        variable_code: variable.code,
        code,
        unit: variable.unit,
        qc_override: JSON.stringify(s.qc_override ?? {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

export interface SeriesFilter {
  readonly readable: readonly number[];
  readonly stationId?: number | undefined;
  readonly variable?: string | undefined;
  readonly domain?: string | undefined;
  readonly after?: number | undefined;
  readonly limit: number;
}

export function listSeries(db: Kysely<Schema>, f: SeriesFilter) {
  let query = db
    .selectFrom('series')
    .innerJoin('variable', 'variable.code', 'series.variable_code')
    .selectAll('series')
    .select(['variable.domain', 'variable.name as variable_name'])
    .where('series.organisation_id', 'in', [...f.readable]);
  if (f.stationId !== undefined) query = query.where('series.station_id', '=', f.stationId);
  if (f.variable) query = query.where('series.variable_code', '=', f.variable);
  if (f.domain) query = query.where('variable.domain', '=', f.domain);
  if (f.after !== undefined) query = query.where('series.id', '>', f.after);
  return query.orderBy('series.id').limit(f.limit).execute();
}

export function findSeries(db: Kysely<Schema>, id: number, readable: readonly number[]) {
  return db
    .selectFrom('series')
    .innerJoin('variable', 'variable.code', 'series.variable_code')
    .selectAll('series')
    .select(['variable.domain', 'variable.name as variable_name'])
    .where('series.id', '=', id)
    .where('series.organisation_id', 'in', [...readable])
    .executeTakeFirst();
}

/** Series of one variable at stations inside an area, for area aggregates. */
export async function seriesInArea(
  db: Kysely<Schema>,
  areaId: number,
  variable: string,
  readable: readonly number[],
): Promise<number[]> {
  const rows = await db
    .selectFrom('series')
    .innerJoin('station_area', 'station_area.station_id', 'series.station_id')
    .select('series.id')
    .where('station_area.area_id', '=', areaId)
    .where('series.variable_code', '=', variable)
    .where('series.organisation_id', 'in', [...readable])
    .execute();
  return rows.map((r) => r.id);
}
