/** @module Storage for detection: what a series is (for detectors and sentences), its new observations, and detector checkpoints. */
import { type Kysely, sql } from 'kysely';
import type { ForecastLevel, SeriesContext } from '../detect/series-detector.ts';
import { enabledRules } from './rule-run.repository.ts';
import type { Schema } from './schema.ts';

export async function seriesContexts(
  db: Kysely<Schema>,
  seriesIds: readonly number[],
): Promise<SeriesContext[]> {
  if (seriesIds.length === 0) return [];
  const rows = await db
    .selectFrom('series')
    .innerJoin('variable', 'variable.code', 'series.variable_code')
    .innerJoin('station', 'station.id', 'series.station_id')
    .select([
      'series.id',
      'series.organisation_id',
      'series.station_id',
      'series.variable_code',
      'series.code',
      'series.unit',
      'series.qc_override',
      'variable.name as variable_name',
      'variable.qc',
      'station.name as station_name',
      'station.time_zone',
      'station.expected_cadence_s',
    ])
    .where('series.id', 'in', [...seriesIds])
    .execute();
  const rules = await enabledRules(db, [...new Set(rows.map((r) => r.organisation_id))]);
  const areaRows = await db
    .selectFrom('station_area')
    .select(['station_id', 'area_id'])
    .where('station_id', 'in', [...new Set(rows.map((r) => r.station_id)), -1])
    .execute();
  return rows.map((r) => {
    const areas = new Set(areaRows.filter((a) => a.station_id === r.station_id).map((a) => a.area_id));
    const levels = rules
      .filter((rule) => rule.organisation_id === r.organisation_id)
      .flatMap((rule) => forecastLevelOf(rule, { code: r.code, variable: r.variable_code, areas }));
    const qc = { ...r.qc, ...r.qc_override };
    const min = qc.hardMin;
    const max = qc.hardMax;
    return {
      seriesId: r.id,
      organisationId: r.organisation_id,
      stationId: r.station_id,
      variable: r.variable_code,
      variableName: r.variable_name,
      unit: r.unit,
      stationName: r.station_name,
      timeZone: r.time_zone,
      cadenceS: r.expected_cadence_s,
      range: typeof min === 'number' && typeof max === 'number' ? { min, max } : null,
      levels,
    };
  });
}

export async function allSeriesIds(db: Kysely<Schema>): Promise<number[]> {
  return (await db.selectFrom('series').select('id').orderBy('id').execute()).map((r) => r.id);
}

export interface Checkpoint {
  readonly lastTimeMs: number;
  readonly state: unknown;
}

export async function loadCheckpoint(
  db: Kysely<Schema>,
  seriesId: number,
  detector: string,
): Promise<Checkpoint | undefined> {
  const row = await db
    .selectFrom('detector_state')
    .select(['last_time', 'state'])
    .where('series_id', '=', seriesId)
    .where('detector', '=', detector)
    .executeTakeFirst();
  return row ? { lastTimeMs: row.last_time.getTime(), state: row.state } : undefined;
}

/**
 * Saves the checkpoint only if it is still the one the run started from (`expectedLastTimeMs`, undefined for
 * none): a compare-and-set. Returns false when another run (another worker, a redelivered message) moved it
 * first; the caller's work is then discarded with its transaction and redone from the newer checkpoint.
 * Checkpoints only move forward, so the last time is a sufficient version.
 */
export async function saveCheckpoint(
  db: Kysely<Schema>,
  seriesId: number,
  detector: string,
  checkpoint: Checkpoint,
  expectedLastTimeMs: number | undefined,
): Promise<boolean> {
  const values = {
    series_id: seriesId,
    detector,
    last_time: new Date(checkpoint.lastTimeMs),
    state: JSON.stringify(checkpoint.state),
    updated_at: new Date(),
  };
  const result = await db
    .insertInto('detector_state')
    .values(values)
    .onConflict((oc) =>
      expectedLastTimeMs === undefined
        ? oc.columns(['series_id', 'detector']).doNothing()
        : oc
            .columns(['series_id', 'detector'])
            .doUpdateSet({ last_time: values.last_time, state: values.state, updated_at: values.updated_at })
            .where('detector_state.last_time', '=', new Date(expectedLastTimeMs)),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/**
 * Series with usable observations after the checkpoint of any of these detectors (or without a checkpoint
 * for one of them): the work a lost hint would leave undone. One index probe per series.
 */
export async function seriesBehindCheckpoints(
  db: Kysely<Schema>,
  detectors: readonly string[],
): Promise<number[]> {
  if (detectors.length === 0) return [];
  const result = await sql<{ id: number }>`
    select s.id from series s
    where exists (
      select 1 from observation o
      where o.series_id = s.id and o.qc_flag < 2
        and o.time > (
          select case when count(*) < ${detectors.length} then '-infinity'::timestamptz else min(d.last_time) end
          from detector_state d where d.series_id = s.id and d.detector = any(${[...detectors]}::text[])))
    order by s.id`.execute(db);
  return result.rows.map((r) => r.id);
}

/** Usable observations (not rejected by QC) after `afterMs`, oldest first, at most `limit`. */
export async function observationsAfter(
  db: Kysely<Schema>,
  seriesId: number,
  afterMs: number,
  limit: number,
  untilMs = Number.POSITIVE_INFINITY,
): Promise<{ timeMs: number; value: number }[]> {
  const until = Number.isFinite(untilMs) ? sql`and time < to_timestamp(${untilMs / 1000})` : sql``;
  const result = await sql<{ time: Date; value: number }>`
    select time, value from observation
    where series_id = ${seriesId} and time > to_timestamp(${afterMs / 1000}) ${until} and qc_flag < 2
    order by time limit ${limit}`.execute(db);
  return result.rows.map((r) => ({ timeMs: r.time.getTime(), value: r.value }));
}

export async function organisationsOfSeries(
  db: Kysely<Schema>,
  seriesIds: readonly number[],
): Promise<number[]> {
  if (seriesIds.length === 0) return [];
  const rows = await db
    .selectFrom('series')
    .select('organisation_id')
    .distinct()
    .where('id', 'in', [...seriesIds])
    .execute();
  return rows.map((r) => r.organisation_id);
}

export async function organisationsWithRules(db: Kysely<Schema>): Promise<number[]> {
  const rows = await db.selectFrom('rule').select('organisation_id').distinct().execute();
  return rows.map((r) => r.organisation_id);
}

/**
 * The level a forecast is checked against, for a threshold rule on an instantaneous value that selects this
 * series. Rules on a trailing aggregate (a 24-hour mean) are left out: a forecast of single values does not
 * say when a mean will cross.
 */
export function forecastLevelOf(
  rule: { id: number; version: number; name: string; definition: Record<string, unknown> },
  series: { code: string; variable: string; areas: ReadonlySet<number> },
): ForecastLevel[] {
  const d = rule.definition as {
    kind?: string;
    aggregate?: unknown;
    when?: 'above' | 'below';
    level?: number;
    select?: { series?: string; variable?: string; area?: number };
  };
  if (
    d.kind !== 'threshold' ||
    d.aggregate !== undefined ||
    typeof d.level !== 'number' ||
    !d.when ||
    !d.select
  )
    return [];
  const s = d.select;
  const selects =
    s.series !== undefined
      ? s.series === series.code
      : s.variable === series.variable && (s.area === undefined || series.areas.has(s.area));
  return selects
    ? [{ ruleId: rule.id, ruleVersion: rule.version, ruleName: rule.name, when: d.when, level: d.level }]
    : [];
}

/** Each series' code and the areas its station lies in: what rules select series by. */
export async function seriesCodes(
  db: Kysely<Schema>,
  seriesIds: readonly number[],
): Promise<{ id: number; code: string; areas: number[] }[]> {
  if (seriesIds.length === 0) return [];
  const result = await sql<{ id: number; code: string; areas: number[] }>`
    select se.id, se.code, array(select sa.area_id from station_area sa where sa.station_id = se.station_id) as areas
    from series se where se.id = any(${[...seriesIds]}::int4[])`.execute(db);
  return result.rows.map((r) => ({ id: r.id, code: r.code, areas: r.areas.map(Number) }));
}
