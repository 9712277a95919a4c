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

/**
 * A timestamptz as epoch milliseconds, floored as a JS Date would be: reading times as numbers spares node-pg
 * a Date per row (parsing dates cost a detect worker more CPU than its detectors did). In double precision,
 * not `extract`'s numeric: a quarter less of PostgreSQL's CPU when reading observations. The float's error is
 * under 0.25 µs until 2039 (under 0.5 µs after), so adding half a microsecond before flooring gives the exact
 * millisecond of any microsecond timestamp.
 */
function epochMsOf(column: string) {
  return sql<number>`floor(date_part('epoch', ${sql.ref(column)}) * 1000 + 0.0005)`;
}

/** Epoch milliseconds as a timestamptz parameter, exactly (no float seconds); -Infinity as '-infinity'. */
function timestampOf(ms: number): string {
  if (ms === Number.NEGATIVE_INFINITY) return '-infinity';
  return ms === Number.POSITIVE_INFINITY ? 'infinity' : new Date(ms).toISOString();
}

function checkpointKey(seriesId: number, detector: string): string {
  return `${seriesId}:${detector}`;
}

/** The checkpoints of these series for these detectors, by series id then detector name. */
export async function loadCheckpoints(
  db: Kysely<Schema>,
  seriesIds: readonly number[],
  detectors: readonly string[],
): Promise<Map<number, Map<string, Checkpoint>>> {
  const checkpoints = new Map<number, Map<string, Checkpoint>>();
  if (seriesIds.length === 0 || detectors.length === 0) return checkpoints;
  const result = await sql<{ series_id: number; detector: string; last_ms: number; state: unknown }>`
    select series_id, detector, ${epochMsOf('last_time')} as last_ms, state from detector_state
    where series_id = any(${[...seriesIds]}::int4[]) and detector = any(${[...detectors]}::text[])`.execute(
    db,
  );
  for (const row of result.rows) {
    const ofSeries = checkpoints.get(row.series_id) ?? new Map<string, Checkpoint>();
    checkpoints.set(row.series_id, ofSeries);
    ofSeries.set(row.detector, { lastTimeMs: row.last_ms, state: row.state });
  }
  return checkpoints;
}

export interface CheckpointUpdate {
  readonly seriesId: number;
  readonly detector: string;
  readonly checkpoint: Checkpoint;
  /** The last time of the checkpoint the run started from; undefined when it started without one. */
  readonly expectedLastTimeMs: number | undefined;
}

/**
 * Saves each checkpoint only if it is still the one its run started from: a compare-and-set per (series,
 * detector), for many at once. Returns the updates that were saved; the others lost to another run (another
 * worker, a redelivered message), whose work the caller discards and redoes from the newer checkpoint.
 * Checkpoints only move forward, so the last time is a sufficient version. Must run in a transaction: the
 * rows are locked first, in key order, so that two workers saving overlapping sets wait for each other
 * rather than deadlock, and the comparison holds until commit.
 */
export async function saveCheckpoints(
  tx: Kysely<Schema>,
  updates: readonly CheckpointUpdate[],
): Promise<CheckpointUpdate[]> {
  if (updates.length === 0) return [];
  const locked = await sql<{ series_id: number; detector: string; last_ms: number }>`
    select d.series_id, d.detector, ${epochMsOf('d.last_time')} as last_ms
    from detector_state d
    join unnest(${updates.map((u) => u.seriesId)}::int4[], ${updates.map((u) => u.detector)}::text[])
      as k(series_id, detector) on d.series_id = k.series_id and d.detector = k.detector
    order by d.series_id, d.detector
    for update of d`.execute(tx);
  const current = new Map(locked.rows.map((r) => [checkpointKey(r.series_id, r.detector), r.last_ms]));
  const moving = updates.filter(
    (u) =>
      u.expectedLastTimeMs !== undefined &&
      current.get(checkpointKey(u.seriesId, u.detector)) === u.expectedLastTimeMs,
  );
  const creating = updates.filter(
    (u) => u.expectedLastTimeMs === undefined && !current.has(checkpointKey(u.seriesId, u.detector)),
  );
  const columns = (list: readonly CheckpointUpdate[]) => ({
    seriesIds: list.map((u) => u.seriesId),
    detectors: list.map((u) => u.detector),
    lastTimes: list.map((u) => timestampOf(u.checkpoint.lastTimeMs)),
    states: list.map((u) => JSON.stringify(u.checkpoint.state)),
  });
  if (moving.length > 0) {
    const c = columns(moving);
    await sql`
      update detector_state d
      set last_time = v.last_time, state = v.state::jsonb, updated_at = now()
      from unnest(${c.seriesIds}::int4[], ${c.detectors}::text[], ${c.lastTimes}::timestamptz[], ${c.states}::text[])
        as v(series_id, detector, last_time, state)
      where d.series_id = v.series_id and d.detector = v.detector`.execute(tx);
  }
  const created = new Set<string>();
  if (creating.length > 0) {
    // A checkpoint another run created since this one looked is not overwritten: that run lost nothing.
    const c = columns(creating);
    const inserted = await sql<{ series_id: number; detector: string }>`
      insert into detector_state (series_id, detector, last_time, state, updated_at)
      select v.series_id, v.detector, v.last_time, v.state::jsonb, now()
      from unnest(${c.seriesIds}::int4[], ${c.detectors}::text[], ${c.lastTimes}::timestamptz[], ${c.states}::text[])
        as v(series_id, detector, last_time, state)
      order by v.series_id, v.detector
      on conflict (series_id, detector) do nothing
      returning series_id, detector`.execute(tx);
    for (const r of inserted.rows) created.add(checkpointKey(r.series_id, r.detector));
  }
  const saved = new Set([...moving.map((u) => checkpointKey(u.seriesId, u.detector)), ...created]);
  return updates.filter((u) => saved.has(checkpointKey(u.seriesId, u.detector)));
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
  const until = Number.isFinite(untilMs) ? sql`and time < ${timestampOf(untilMs)}::timestamptz` : sql``;
  const result = await sql<{ timeMs: number; value: number }>`
    select ${epochMsOf('time')} as "timeMs", value from observation
    where series_id = ${seriesId} and time > ${timestampOf(afterMs)}::timestamptz ${until} and qc_flag < 2
    order by time limit ${limit}`.execute(db);
  return result.rows;
}

/** A span of one series' timeline, both ends excluded. */
export interface SeriesSpan {
  readonly seriesId: number;
  readonly afterMs: number;
  readonly beforeMs: number;
}

/**
 * The series a detect worker must read rather than take the rows a message carried: those with a usable
 * observation stored inside any of these spans (one index probe per span: the carried rows are not all there is
 * after the checkpoint), and those whose revision is no longer the one the rows were stored under (a re-sent
 * batch has replaced values since). One statement.
 */
export async function seriesToRead(
  db: Kysely<Schema>,
  spans: readonly SeriesSpan[],
  revisions: readonly { readonly seriesId: number; readonly revision: number }[],
): Promise<Set<number>> {
  if (spans.length === 0 && revisions.length === 0) return new Set();
  const result = await sql<{ series_id: number }>`
    select g.series_id
    from unnest(${spans.map((g) => g.seriesId)}::int4[], ${spans.map((g) => timestampOf(g.afterMs))}::timestamptz[],
                ${spans.map((g) => timestampOf(g.beforeMs))}::timestamptz[]) as g(series_id, after, before)
    where exists (
      select 1 from observation o
      where o.series_id = g.series_id and o.time > g.after and o.time < g.before and o.qc_flag < 2)
    union
    select s.id from unnest(${revisions.map((r) => r.seriesId)}::int4[], ${revisions.map((r) => r.revision)}::int4[])
      as r(series_id, revision)
    join series s on s.id = r.series_id
    where s.revision <> r.revision`.execute(db);
  return new Set(result.rows.map((r) => r.series_id));
}

/** A series' observations as two columns: times (epoch ms, ascending) and their values. */
export interface SeriesPoints {
  readonly timeMs: number[];
  readonly value: number[];
}

/**
 * For each series, its usable observations after its own `afterMs`, oldest first, at most `limit` each: one
 * round trip for many series. Series without any are absent from the map.
 */
export async function observationsAfterEach(
  db: Kysely<Schema>,
  from: readonly { readonly seriesId: number; readonly afterMs: number }[],
  limit: number,
): Promise<Map<number, SeriesPoints>> {
  const bySeries = new Map<number, SeriesPoints>();
  if (from.length === 0) return bySeries;
  const result = await sql<{ series_id: number; time_ms: number; value: number }>`
    select s.series_id, o.time_ms, o.value
    from unnest(${from.map((f) => f.seriesId)}::int4[], ${from.map((f) => timestampOf(f.afterMs))}::timestamptz[])
      as s(series_id, after)
    cross join lateral (
      select ${epochMsOf('time')} as time_ms, value from observation
      where series_id = s.series_id and time > s.after and qc_flag < 2
      order by time limit ${limit}) o`.execute(db);
  let unordered = false;
  for (const row of result.rows) {
    let columns = bySeries.get(row.series_id);
    if (columns === undefined) {
      columns = { timeMs: [], value: [] };
      bySeries.set(row.series_id, columns);
    }
    const previous = columns.timeMs[columns.timeMs.length - 1];
    if (previous !== undefined && previous >= row.time_ms) unordered = true;
    columns.timeMs.push(row.time_ms);
    columns.value.push(row.value);
  }
  // The lateral join returns each series' rows in the subquery's order; SQL does not promise it, so check.
  if (unordered) for (const [id, columns] of bySeries) bySeries.set(id, sortedByTime(columns));
  return bySeries;
}

function sortedByTime(columns: SeriesPoints): SeriesPoints {
  const order = columns.timeMs.map((_, i) => i).sort((a, b) => columns.timeMs[a]! - columns.timeMs[b]!);
  return { timeMs: order.map((i) => columns.timeMs[i]!), value: order.map((i) => columns.value[i]!) };
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
