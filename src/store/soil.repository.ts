/** @module Soil storage reads: the soil series of readable stations with their yearly means and latest value, gathered for the report and for trend evaluation. */
import { type Kysely, sql } from 'kysely';
import type { SoilSiteInput } from '../nature/soil-report.ts';
import type { Schema } from './schema.ts';

export interface SoilSeriesRow {
  readonly seriesId: number;
  readonly organisationId: number;
  readonly variable: string;
  readonly unit: string;
  readonly stationId: number;
  readonly stationCode: string;
  readonly stationName: string;
  readonly lon: number;
  readonly lat: number;
  readonly latest: { readonly timeMs: number; readonly value: number } | null;
  readonly years: number[];
  readonly means: number[];
}

/**
 * Every series of these variables in the organisations, with yearly means of its usable values (QC good or
 * suspect; UTC years) and its latest usable value: one grouped scan and one index probe per series.
 */
export async function soilSeries(
  db: Kysely<Schema>,
  organisations: readonly number[],
  variables: readonly string[],
): Promise<SoilSeriesRow[]> {
  const series = await sql<{
    id: number;
    organisation_id: number;
    variable_code: string;
    unit: string;
    station_id: number;
    code: string;
    name: string;
    lon: number;
    lat: number;
    time: Date | null;
    value: number | null;
  }>`
    select se.id, se.organisation_id, se.variable_code, se.unit, st.id as station_id, st.code, st.name, st.lon, st.lat,
           l.time, l.value
    from series se
    join station st on st.id = se.station_id
    left join lateral (
      select o.time, o.value from observation o
      where o.series_id = se.id and o.qc_flag < 2 order by o.time desc limit 1
    ) l on true
    where se.organisation_id = any(${[...organisations]}::int4[])
      and se.variable_code = any(${[...variables]}::text[])
    order by se.id`.execute(db);
  if (series.rows.length === 0) return [];
  const ids = series.rows.map((s) => s.id);
  const yearly = await sql<{ series_id: number; year: number; mean: number }>`
    select series_id, extract(year from time at time zone 'UTC')::int as year, avg(value) as mean
    from observation
    where series_id = any(${ids}::int4[]) and qc_flag < 2
    group by 1, 2 order by 1, 2`.execute(db);
  const bySeries = new Map<number, { years: number[]; means: number[] }>();
  for (const r of yearly.rows) {
    const entry = bySeries.get(r.series_id) ?? { years: [], means: [] };
    entry.years.push(Number(r.year));
    entry.means.push(Number(r.mean));
    bySeries.set(r.series_id, entry);
  }
  return series.rows.map((s) => ({
    seriesId: s.id,
    organisationId: s.organisation_id,
    variable: s.variable_code,
    unit: s.unit,
    stationId: s.station_id,
    stationCode: s.code,
    stationName: s.name,
    lon: s.lon,
    lat: s.lat,
    latest:
      s.time === null || s.value === null ? null : { timeMs: new Date(s.time).getTime(), value: s.value },
    years: bySeries.get(s.id)?.years ?? [],
    means: bySeries.get(s.id)?.means ?? [],
  }));
}

/** The rows grouped by station, as the report reads them. */
export function soilSites(rows: readonly SoilSeriesRow[]): SoilSiteInput[] {
  const byStation = new Map<number, SoilSiteInput & { series: SoilSiteInput['series'][number][] }>();
  for (const r of rows) {
    let site = byStation.get(r.stationId);
    if (site === undefined) {
      site = {
        stationId: r.stationId,
        code: r.stationCode,
        name: r.stationName,
        lon: r.lon,
        lat: r.lat,
        series: [],
      };
      byStation.set(r.stationId, site);
    }
    site.series.push({
      variable: r.variable,
      unit: r.unit,
      latest: r.latest,
      years: r.years,
      means: r.means,
    });
  }
  return [...byStation.values()];
}
