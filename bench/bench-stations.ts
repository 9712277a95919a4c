/** @module Stations with one PM2.5 series each, registered straight in the database for the benches that need many. */
import type { Kysely } from 'kysely';
import type { Schema } from '../src/store/schema.ts';

export interface StationSeries {
  readonly stationId: number;
  readonly seriesId: number;
}

/**
 * A source named `prefix` and `count` minute-cadence ground stations of `organisationId` (codes `<prefix>s<i>`),
 * each with a PM2.5 series in µg/m³, placed by `place(i)`.
 */
export async function registerPm25Stations(
  db: Kysely<Schema>,
  organisationId: number,
  prefix: string,
  count: number,
  place: (i: number) => { readonly lon: number; readonly lat: number },
): Promise<StationSeries[]> {
  const source = await db
    .insertInto('source')
    .values({
      organisation_id: organisationId,
      code: prefix,
      name: prefix,
      provider: 'bench',
      licence: 'CC0',
      provenance: 'generated',
      url: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const out: StationSeries[] = [];
  for (let i = 0; i < count; i++) {
    const station = await db
      .insertInto('station')
      .values({
        organisation_id: organisationId,
        source_id: source.id,
        code: `${prefix}s${i}`,
        name: `Station ${prefix} ${i}`,
        sense: 'ground_station',
        ...place(i),
        elevation_m: null,
        expected_cadence_s: 60,
        properties: '{}',
        time_zone: 'UTC',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const series = await db
      .insertInto('series')
      .values({
        organisation_id: organisationId,
        station_id: station.id,
        variable_code: 'pm25',
        code: `${prefix}s${i}:pm25`,
        unit: 'µg/m³',
        qc_override: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    out.push({ stationId: station.id, seriesId: series.id });
  }
  return out;
}
