/** @module What rule evaluation reads and keeps: enabled rules, the observations and events they have not seen, and their checkpoints. */
import { type Kysely, sql } from 'kysely';
import type { Schema } from './schema.ts';

export interface RuleInputRow {
  readonly seriesId: number;
  readonly series: string;
  readonly variable: string;
  readonly unit: string;
  readonly areas: number[];
  readonly timeMs: number;
  readonly value: number;
}

export interface EventInputRow {
  readonly id: number;
  readonly kind: string;
  readonly timeMs: number;
  readonly areas: number[];
  readonly lon: number;
  readonly lat: number;
}

/** The latest version of each enabled rule of the organisations. */
export async function enabledRules(db: Kysely<Schema>, organisationIds: readonly number[]) {
  if (organisationIds.length === 0) return [];
  const result = await sql<{
    id: number;
    version: number;
    organisation_id: number;
    name: string;
    definition: Record<string, unknown>;
  }>`
    select distinct on (id) id, version, organisation_id, name, definition, enabled from rule
    where organisation_id = any(${[...organisationIds]}::int4[])
    order by id, version desc`.execute(db);
  return result.rows.filter((r) => (r as unknown as { enabled: boolean }).enabled);
}

/**
 * Holds the rule for the rest of the transaction: one runner at a time, across processes. The two-key form
 * of the advisory lock keeps these apart from the single-key locks used elsewhere (warnings, partitions).
 */
export async function lockRuleRun(tx: Kysely<Schema>, ruleId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${RULE_RUN_LOCK_SPACE}::int4, ${ruleId}::int4)`.execute(tx);
}

/** The first key of the rule locks ("RULE" in ASCII). */
const RULE_RUN_LOCK_SPACE = 0x52554c45;

export async function loadRuleCheckpoint(db: Kysely<Schema>, id: number, version: number) {
  const row = await db
    .selectFrom('rule_state')
    .select(['last_time', 'last_event_id', 'state'])
    .where('rule_id', '=', id)
    .where('rule_version', '=', version)
    .executeTakeFirst();
  return row
    ? { lastTimeMs: row.last_time.getTime(), lastEventId: row.last_event_id, state: row.state }
    : undefined;
}

export async function saveRuleCheckpoint(
  db: Kysely<Schema>,
  id: number,
  version: number,
  checkpoint: { lastTimeMs: number; lastEventId: number; state: unknown },
): Promise<void> {
  const values = {
    rule_id: id,
    rule_version: version,
    last_time: new Date(checkpoint.lastTimeMs),
    last_event_id: checkpoint.lastEventId,
    state: JSON.stringify(checkpoint.state),
    updated_at: new Date(),
  };
  await db
    .insertInto('rule_state')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['rule_id', 'rule_version']).doUpdateSet({
        last_time: values.last_time,
        last_event_id: values.last_event_id,
        state: values.state,
        updated_at: values.updated_at,
      }),
    )
    .execute();
}

/** Usable observations of the organisation's series after `afterMs`, in time order across series, at most `limit`. */
export async function ruleInputsAfter(
  db: Kysely<Schema>,
  organisationId: number,
  afterMs: number,
  limit: number,
): Promise<RuleInputRow[]> {
  const result = await sql<{
    series_id: number;
    code: string;
    variable_code: string;
    unit: string;
    areas: number[];
    time: Date;
    value: number;
  }>`
    select o.series_id, se.code, se.variable_code, se.unit,
           array(select sa.area_id from station_area sa where sa.station_id = se.station_id) as areas,
           o.time, o.value
    from series se join observation o on o.series_id = se.id
    where se.organisation_id = ${organisationId} and o.time > to_timestamp(${afterMs / 1000}) and o.qc_flag < 2
    order by o.time, o.series_id limit ${limit}`.execute(db);
  return result.rows.map((r) => ({
    seriesId: r.series_id,
    series: r.code,
    variable: r.variable_code,
    unit: r.unit,
    areas: r.areas.map(Number),
    timeMs: r.time.getTime(),
    value: r.value,
  }));
}

/** Events of the organisation received after event id `afterId`, oldest first, with the areas that contain their box's centre. */
export async function eventInputsAfter(
  db: Kysely<Schema>,
  organisationId: number,
  afterId: number,
  limit: number,
): Promise<EventInputRow[]> {
  const result = await sql<{
    id: number;
    kind: string;
    time: Date;
    lon: number;
    lat: number;
    areas: number[];
  }>`
    select e.id, e.kind, e.time, (e.min_lon + e.max_lon) / 2 as lon, (e.min_lat + e.max_lat) / 2 as lat,
           array(select a.id from area a
                 where a.min_lon <= (e.min_lon + e.max_lon) / 2 and a.max_lon >= (e.min_lon + e.max_lon) / 2
                   and a.min_lat <= (e.min_lat + e.max_lat) / 2 and a.max_lat >= (e.min_lat + e.max_lat) / 2) as areas
    from event e
    where e.organisation_id = ${organisationId} and e.id > ${afterId}
    order by e.id limit ${limit}`.execute(db);
  return result.rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    timeMs: r.time.getTime(),
    lon: r.lon,
    lat: r.lat,
    areas: r.areas.map(Number),
  }));
}
