/** @module Station look-ups for MQTT ingestion: a topic names an organisation and a station by code; the station must be the organisation's. */
import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Schema } from './schema.ts';

export interface StationForIngest {
  readonly organisationId: number;
  readonly stationId: number;
  /** The station's series under each name a row may give it: its id, its code, or its variable's code. */
  readonly seriesByKey: ReadonlyMap<string, number>;
  /** The variables the station measures, for the message that names a series it does not have. */
  readonly variables: readonly string[];
}

/** The station `stationCode` of the organisation `organisationCode` with its series, or undefined if it has none such. */
export async function stationForIngest(
  db: Kysely<Schema>,
  organisationCode: string,
  stationCode: string,
): Promise<StationForIngest | undefined> {
  const rows = await db
    .selectFrom('station')
    .innerJoin('organisation', 'organisation.id', 'station.organisation_id')
    .leftJoin('series', 'series.station_id', 'station.id')
    .select([
      'station.id as station_id',
      'station.organisation_id',
      'series.id as series_id',
      'series.code as series_code',
      'series.variable_code',
    ])
    .where('organisation.code', '=', organisationCode)
    .where('station.code', '=', stationCode)
    .execute();
  const first = rows[0];
  if (first === undefined) return undefined;
  const seriesByKey = new Map<string, number>();
  const variables: string[] = [];
  for (const r of rows) {
    if (r.series_id === null) continue;
    // A variable's code gives way to a series code that happens to be the same word.
    if (r.variable_code !== null && !seriesByKey.has(r.variable_code)) {
      seriesByKey.set(r.variable_code, r.series_id);
    }
    if (r.series_code !== null) seriesByKey.set(r.series_code, r.series_id);
    seriesByKey.set(String(r.series_id), r.series_id);
    if (r.variable_code !== null) variables.push(r.variable_code);
  }
  return {
    organisationId: first.organisation_id,
    stationId: first.station_id,
    seriesByKey,
    variables: variables.sort(),
  };
}

/**
 * stationForIngest with a memory of a few seconds, as SeriesDirectory: a sensor publishes to the same topic
 * message after message. Only found stations are remembered, so a new station is usable at once;
 * a new series of a remembered one, once its caller asks afresh.
 */
export class StationDirectory {
  readonly #found = new LRUCache<string, StationForIngest>({ max: 100_000, ttl: 5_000 });

  constructor(private readonly db: Kysely<Schema>) {}

  /** `fresh`: look again, past the memory (a row names a series the remembered station did not have yet). */
  async resolve(
    organisationCode: string,
    stationCode: string,
    fresh = false,
  ): Promise<StationForIngest | undefined> {
    const key = `${organisationCode}\u0000${stationCode}`;
    const hit = fresh ? undefined : this.#found.get(key);
    if (hit !== undefined) return hit;
    const station = await stationForIngest(this.db, organisationCode, stationCode);
    if (station !== undefined) this.#found.set(key, station);
    return station;
  }
}
