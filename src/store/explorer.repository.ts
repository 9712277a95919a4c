/** @module Reads for the series explorer: per-bucket statistics with QC counts, raw points, QC flags and signals over a range. */
import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';

export interface ExplorerRange {
  readonly seriesId: number;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface BucketStats {
  readonly time: Date;
  /** Over values not rejected by QC; null when the bucket holds only rejected ones. */
  readonly avg: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly n: number;
  readonly rejected: number;
  readonly suspect: number;
}

const inRange = (r: ExplorerRange) =>
  sql`series_id = ${r.seriesId} and time >= to_timestamp(${r.fromMs / 1000}) and time < to_timestamp(${r.toMs / 1000})`;

/**
 * One row per bucket with data, computed in the database: date_bin over the (series_id, time) key, so a
 * year of minute data is one index range scan in the month partitions the range touches.
 */
export async function bucketStats(
  db: Kysely<Schema>,
  range: ExplorerRange,
  bucket: { readonly bucketS: number; readonly originMs: number },
): Promise<BucketStats[]> {
  const result = await sql<BucketStats>`
    select date_bin(make_interval(secs => ${bucket.bucketS}), time, to_timestamp(${bucket.originMs / 1000})) as time,
           avg(value) filter (where qc_flag < 2) as avg,
           min(value) filter (where qc_flag < 2) as min,
           max(value) filter (where qc_flag < 2) as max,
           count(*) filter (where qc_flag < 2) as n,
           count(*) filter (where qc_flag = 2) as rejected,
           count(*) filter (where qc_flag = 1) as suspect
    from observation
    where ${inRange(range)}
    group by 1 order by 1`.execute(db);
  return result.rows;
}

export interface FlaggedPoint {
  readonly time: Date;
  readonly value: number;
  readonly qc_flag: number;
  readonly qc_rule: number;
}

/** The first `limit` observations of the range, every QC flag included, oldest first. */
export async function explorerRawPoints(
  db: Kysely<Schema>,
  range: ExplorerRange,
  limit: number,
): Promise<FlaggedPoint[]> {
  const result = await sql<FlaggedPoint>`
    select time, value, qc_flag, qc_rule from observation
    where ${inRange(range)} order by time limit ${limit}`.execute(db);
  return result.rows;
}

/** Suspect and rejected observations of the range, oldest first, at most `limit`. */
export async function flaggedPoints(
  db: Kysely<Schema>,
  range: ExplorerRange,
  limit: number,
): Promise<FlaggedPoint[]> {
  const result = await sql<FlaggedPoint>`
    select time, value, qc_flag, qc_rule from observation
    where ${inRange(range)} and qc_flag >= 1 order by time limit ${limit}`.execute(db);
  return result.rows;
}

/** Signals of the series that overlap the range (started in it, or started before and ended in or after it). */
export function signalsOfSeriesInRange(db: Kysely<Schema>, range: ExplorerRange, limit: number) {
  const from = new Date(range.fromMs);
  return db
    .selectFrom('signal')
    .select(['id', 'kind', 'state', 'start_time', 'end_time', 'sentence', 'score'])
    .where('series_id', '=', range.seriesId)
    .where('start_time', '<', new Date(range.toMs))
    .where((eb) => eb.or([eb('start_time', '>=', from), eb('end_time', '>=', from)]))
    .orderBy('start_time')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The stored detector snapshots of a series, by detector name. */
export async function detectorSnapshots(db: Kysely<Schema>, seriesId: number): Promise<Map<string, unknown>> {
  const rows = await db
    .selectFrom('detector_state')
    .select(['detector', 'state'])
    .where('series_id', '=', seriesId)
    .execute();
  return new Map(rows.map((r) => [r.detector, r.state]));
}
