/** @module Observation storage: monthly partitions made on demand, bulk upsert, QC history and downsampled reads. */
import { type Kysely, sql } from 'kysely';
import type { Database } from './database.ts';
import type { Schema } from './schema.ts';

/** A batch of observations column by column: no object per row on the hot path, and ready for UNNEST. */
export interface ObservationColumns {
  readonly seriesId: number[];
  readonly timeMs: number[];
  readonly value: number[];
  readonly qcFlag: number[];
  readonly qcRule: number[];
}

export interface StoredPoint {
  readonly seriesId: number;
  readonly timeMs: number;
  readonly value: number;
  readonly qcFlag: number;
}

/** Advisory lock key taken while creating partitions, so that concurrent writers (other processes too) do not race. */
const PARTITION_LOCK = 0x45573445;

/** First instant (UTC, ms) of the month holding `timeMs`. */
export function monthStartOf(timeMs: number): number {
  const d = new Date(timeMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextMonthStart(monthStartMs: number): number {
  const d = new Date(monthStartMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function partitionNameOf(monthStartMs: number): string {
  const d = new Date(monthStartMs);
  return `observation_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month (its first instant, UTC ms) a partition named by partitionNameOf holds, or undefined for another name. */
export function monthOfPartitionName(name: string): number | undefined {
  const match = /^observation_y(\d{4})m(\d{2})$/.exec(name);
  if (!match) return undefined;
  const month = Date.UTC(Number(match[1]), Number(match[2]) - 1, 1);
  return partitionNameOf(month) === name ? month : undefined;
}

/**
 * Creates the partitions of these months (first instants, UTC ms) that do not exist yet, in the caller's
 * transaction: `tx` must be inside one, which holds the advisory lock until it ends.
 */
export async function createMonthPartitions(tx: Kysely<Schema>, months: readonly number[]): Promise<void> {
  await sql`select pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(tx);
  for (const month of months) {
    const from = new Date(month);
    const to = new Date(nextMonthStart(month));
    await sql
      .raw(
        `create table if not exists ${partitionNameOf(month)} partition of observation ` +
          `for values from ('${from.toISOString()}') to ('${to.toISOString()}')`,
      )
      .execute(tx);
  }
}

export class ObservationRepository {
  /** Months whose partition is known to exist, so that the common case costs no query. */
  readonly #knownMonths = new Set<number>();

  constructor(private readonly database: Database) {}

  /** Makes sure a partition exists for every month from `fromMs` to `toMs`; committed on its own, before the batch. */
  async ensurePartitions(fromMs: number, toMs: number): Promise<void> {
    const months: number[] = [];
    for (let m = monthStartOf(fromMs); m <= toMs; m = nextMonthStart(m)) months.push(m);
    const missing = months.filter((m) => !this.#knownMonths.has(m));
    if (missing.length === 0) return;
    await this.database.db.transaction().execute((tx) => createMonthPartitions(tx, missing));
    for (const month of missing) this.#knownMonths.add(month);
  }

  /**
   * The latest `perSeries` points stored before `before` for each series, newest first, leaving out
   * values rejected by hard limits (QC never compares with them), and looking back at most
   * `lookbackDays` so that old partitions are never touched.
   */
  async recentPoints(
    before: ReadonlyMap<number, number>,
    perSeries: number,
    lookbackDays = 7,
  ): Promise<StoredPoint[]> {
    if (before.size === 0 || perSeries === 0) return [];
    const ids = [...before.keys()];
    const times = ids.map((id) => new Date(before.get(id)!).toISOString());
    const result = await sql<{ series_id: number; time: Date; value: number; qc_flag: number }>`
      select h.series_id, h.time, h.value, h.qc_flag
      from unnest(${ids}::int4[], ${times}::timestamptz[]) as s(series_id, before)
      cross join lateral (
        select o.series_id, o.time, o.value, o.qc_flag from observation o
        where o.series_id = s.series_id and o.time < s.before and o.qc_flag < 2
          and o.time >= s.before - make_interval(days => ${lookbackDays})
        order by o.time desc limit ${perSeries}
      ) h`.execute(this.database.db);
    return result.rows.map((r) => ({
      seriesId: r.series_id,
      timeMs: r.time.getTime(),
      value: r.value,
      qcFlag: r.qc_flag,
    }));
  }

  /**
   * Plain COPY: the fastest way in, and atomic on its own (one statement). It fails with a unique violation,
   * storing nothing, if any of the rows is stored already.
   */
  async copy(rows: ObservationColumns): Promise<void> {
    await this.database.copyFrom('observation', OBSERVATION_COLUMNS, toTsv(rows));
  }

  /**
   * Inserts the rows, replacing any stored value for the same series and time: the documented rule that the
   * latest delivery of a (series, time) wins, so re-sending a batch changes nothing. The rows travel as five
   * arrays in one statement: one round trip and five parameters, fast on both backends. The same statement
   * raises the revision of every series of the batch, so that rows carried by the observation stream from
   * before it are known to be stale (see revisionsOf).
   */
  async upsert(rows: ObservationColumns): Promise<void> {
    const seriesIds = rows.seriesId;
    const seconds = rows.timeMs.map((ms) => ms / 1000);
    const values = rows.value;
    const flags = rows.qcFlag;
    const rules = rows.qcRule;
    await sql`
      with stored as (
        insert into observation (series_id, time, value, qc_flag, qc_rule)
        select s, to_timestamp(t), v, f, r
        from unnest(${seriesIds}::int4[], ${seconds}::float8[], ${values}::float8[], ${flags}::int2[], ${rules}::int2[]) as u(s, t, v, f, r)
        on conflict (series_id, time) do update
          set value = excluded.value, qc_flag = excluded.qc_flag, qc_rule = excluded.qc_rule
      )
      update series set revision = revision + 1 where id = any(${[...new Set(seriesIds)]}::int4[])`.execute(
      this.database.db,
    );
  }

  /**
   * Each series' revision: how many re-sent batches have replaced its values. Read before a batch is stored,
   * it stamps the rows the batch's hints carry (a re-send that commits after the read makes them stale).
   */
  async revisionsOf(seriesIds: readonly number[]): Promise<Map<number, number>> {
    if (seriesIds.length === 0) return new Map();
    const result = await sql<{ id: number; revision: number }>`
      select id, revision from series where id = any(${[...seriesIds]}::int4[])`.execute(this.database.db);
    return new Map(result.rows.map((r) => [r.id, r.revision]));
  }
}

const OBSERVATION_COLUMNS = ['series_id', 'time', 'value', 'qc_flag', 'qc_rule'] as const;

/** PostgreSQL COPY text format: tab-separated, one row a line; numbers and ISO times need no escaping. */
function toTsv(rows: ObservationColumns): string {
  // Batches repeat the same instants across series (a network reports every minute), and formatting a
  // time costs more than a Map look-up: each distinct time is formatted once.
  const isoTimes = new Map<number, string>();
  const { seriesId, timeMs, value, qcFlag, qcRule } = rows;
  let text = '';
  for (let i = 0; i < seriesId.length; i++) {
    const ms = timeMs[i]!;
    let iso = isoTimes.get(ms);
    if (iso === undefined) {
      iso = new Date(ms).toISOString();
      isoTimes.set(ms, iso);
    }
    text += `${seriesId[i]}\t${iso}\t${value[i]}\t${qcFlag[i]}\t${qcRule[i]}\n`;
  }
  return text;
}

export interface SeriesRange {
  readonly seriesIds: readonly number[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly includeRejected: boolean;
}

export interface RawPoint {
  readonly time: Date;
  readonly value: number;
  readonly qc_flag: number;
  readonly qc_rule: number;
}

export interface BucketPoint {
  readonly time: Date;
  readonly value: number | null;
  readonly count: number;
}

/** Rejected values (hard limits) are kept for audit but left out of reads unless asked for. */
const GOOD_OR_SUSPECT = 1;

export async function rawObservations(
  db: Kysely<Schema>,
  range: SeriesRange,
  limit: number,
): Promise<RawPoint[]> {
  const maxFlag = range.includeRejected ? 2 : GOOD_OR_SUSPECT;
  const result = await sql<RawPoint>`
    select time, value, qc_flag, qc_rule from observation
    where series_id = any(${[...range.seriesIds]}::int4[])
      and time >= to_timestamp(${range.fromMs / 1000}) and time < to_timestamp(${range.toMs / 1000})
      and qc_flag <= ${maxFlag}
    order by time, series_id limit ${limit}`.execute(db);
  return result.rows;
}

/** Buckets aligned to 2000-01-01T00:00Z, so that the same bucket always covers the same instants. */
export async function bucketedObservations(
  db: Kysely<Schema>,
  range: SeriesRange,
  bucketS: number,
  aggregate: 'avg' | 'min' | 'max' | 'count',
): Promise<BucketPoint[]> {
  const maxFlag = range.includeRejected ? 2 : GOOD_OR_SUSPECT;
  const fn = {
    avg: sql`avg(value)`,
    min: sql`min(value)`,
    max: sql`max(value)`,
    count: sql`count(*)::float8`,
  }[aggregate];
  const result = await sql<BucketPoint>`
    select date_bin(make_interval(secs => ${bucketS}), time, timestamptz '2000-01-01T00:00:00Z') as time,
           ${fn} as value, count(*) as count
    from observation
    where series_id = any(${[...range.seriesIds]}::int4[])
      and time >= to_timestamp(${range.fromMs / 1000}) and time < to_timestamp(${range.toMs / 1000})
      and qc_flag <= ${maxFlag}
    group by 1 order by 1`.execute(db);
  return result.rows;
}
