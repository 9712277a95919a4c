/** @module Warning storage: threads, versions, the audit log, silences, signing keys, and the context a signal needs to become evidence. */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Schema, WarningStatus } from './schema.ts';

type Db = Kysely<Schema> | Transaction<Schema>;

/** A signal with what the warning stage needs to judge it: its series, station, variable and rule. */
export async function signalsWithContext(db: Db, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('signal as g')
    .leftJoin('series as s', 's.id', 'g.series_id')
    .leftJoin('station as st', (join) => join.on(sql`st.id`, '=', sql`coalesce(g.station_id, s.station_id)`))
    .leftJoin('variable as v', 'v.code', 's.variable_code')
    .leftJoin('rule as r', (join) =>
      join.onRef('r.id', '=', 'g.rule_id').onRef('r.version', '=', 'g.rule_version'),
    )
    .leftJoin('warning_thread_signal as ts', 'ts.signal_id', 'g.id')
    .select([
      'g.id',
      'g.organisation_id',
      'g.series_id',
      'g.area_id',
      'g.origin',
      'g.detector',
      'g.rule_id',
      'g.rule_version',
      'g.kind',
      'g.state',
      'g.start_time',
      'g.end_time',
      'g.score',
      'g.observed',
      'g.unit',
      'g.lead_time_s',
      'g.details',
      's.variable_code',
      'v.name as variable_name',
      'st.id as station_id',
      'st.name as station_name',
      'st.sense',
      'st.lon',
      'st.lat',
      'st.time_zone',
      'r.definition as rule_definition',
      'ts.thread_id',
    ])
    .where('g.id', 'in', ids)
    .orderBy('g.start_time')
    .orderBy('g.id')
    .execute();
}
export type SignalWithContext = Awaited<ReturnType<typeof signalsWithContext>>[number];

/** The organisations whose areas an organisation's warnings may be issued for and name: it and those below it. */
function withReadable<Q extends { organisationId: number } | { stationId: number }>(db: Db, of: Q) {
  return db.withRecursive('readable(id)', (qb) => {
    const start =
      'stationId' in of
        ? qb.selectFrom('station').select('organisation_id as id').where('id', '=', of.stationId)
        : qb.selectFrom('organisation').select('id').where('id', '=', of.organisationId);
    return start.unionAll((below) =>
      below.selectFrom('organisation as o').innerJoin('readable as r', 'r.id', 'o.parent_id').select('o.id'),
    );
  });
}

/**
 * The registered areas a station lies in, smallest first (a city before its country): shared ones and those its
 * organisation reads — a warning is never issued for, nor names, another organisation's area.
 */
export function areasOfStation(db: Db, stationId: number) {
  return withReadable(db, { stationId })
    .selectFrom('station_area as sa')
    .innerJoin('area as a', 'a.id', 'sa.area_id')
    .select(['a.id', 'a.kind', 'a.code', 'a.name', 'a.iso_code', 'a.geometry'])
    .where('sa.station_id', '=', stationId)
    .where('a.kind', 'in', ['city', 'protected_area', 'country', 'custom'])
    .where((eb) =>
      eb.or([
        eb('a.organisation_id', 'is', null),
        eb('a.organisation_id', 'in', eb.selectFrom('readable').select('readable.id')),
      ]),
    )
    .orderBy(sql`(a.max_lon - a.min_lon) * (a.max_lat - a.min_lat)`)
    .execute();
}

export function areaById(db: Db, id: number) {
  return db
    .selectFrom('area')
    .select(['id', 'kind', 'code', 'name', 'iso_code', 'geometry', 'organisation_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Areas of a kind whose bounding box meets the box (for exposure: protected areas, vulnerable sites): shared ones
 * and those the organisation reads, since the exposure names them.
 */
export function areasInBox(
  db: Db,
  organisationId: number,
  kinds: readonly ('protected_area' | 'vulnerable_site' | 'city' | 'country')[],
  box: readonly [number, number, number, number],
) {
  const [minLon, minLat, maxLon, maxLat] = box;
  return withReadable(db, { organisationId })
    .selectFrom('area')
    .select(['id', 'kind', 'name', 'iso_code', 'geometry'])
    .where('kind', 'in', [...kinds])
    .where('min_lon', '<=', maxLon)
    .where('max_lon', '>=', minLon)
    .where('min_lat', '<=', maxLat)
    .where('max_lat', '>=', minLat)
    .where((eb) =>
      eb.or([
        eb('area.organisation_id', 'is', null),
        eb('area.organisation_id', 'in', eb.selectFrom('readable').select('readable.id')),
      ]),
    )
    .limit(2000)
    .execute();
}

export function openThreads(db: Db, organisationId: number, hazard: string) {
  return db
    .selectFrom('warning_thread')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('hazard', '=', hazard)
    .where('status', '=', 'open')
    .execute();
}

export function threadById(db: Db, id: number) {
  return db.selectFrom('warning_thread').selectAll().where('id', '=', id).executeTakeFirst();
}
export type ThreadRow = NonNullable<Awaited<ReturnType<typeof threadById>>>;

export function versionsOf(db: Db, threadId: number) {
  return db.selectFrom('warning').selectAll().where('thread_id', '=', threadId).orderBy('version').execute();
}
export type VersionRow = Awaited<ReturnType<typeof versionsOf>>[number];

/** Statuses of a version that is not yet out but may still go out: awaiting review, or held back. */
export const PENDING_STATUSES: readonly WarningStatus[] = ['draft', 'inhibited', 'silenced'];

export async function appendAudit(
  db: Db,
  entry: {
    organisationId: number;
    threadId?: number | null;
    warningId?: number | null;
    silenceId?: number | null;
    actor: string;
    action: string;
    changes?: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto('warning_audit')
    .values({
      organisation_id: entry.organisationId,
      thread_id: entry.threadId ?? null,
      warning_id: entry.warningId ?? null,
      silence_id: entry.silenceId ?? null,
      actor: entry.actor,
      action: entry.action,
      changes: JSON.stringify(entry.changes ?? {}),
    })
    .execute();
}

export function auditOf(
  db: Db,
  filter: { threadId?: number; silenceId?: number; readable: readonly number[] },
) {
  let query = db
    .selectFrom('warning_audit')
    .selectAll()
    .where('organisation_id', 'in', filter.readable.length > 0 ? [...filter.readable] : [-1]);
  if (filter.threadId !== undefined) query = query.where('thread_id', '=', filter.threadId);
  if (filter.silenceId !== undefined) query = query.where('silence_id', '=', filter.silenceId);
  return query.orderBy('id').execute();
}

/**
 * The silences that may hold an organisation's warnings, newest first: its own and those of the organisations
 * above it (a country's duty officer silences a hazard over a city's warnings too); in force at `at` if given.
 */
export function silencesOverOrganisation(db: Db, organisationId: number, at?: Date) {
  let query = db
    .withRecursive('lineage(id, parent_id)', (qb) =>
      qb
        .selectFrom('organisation')
        .select(['id', 'parent_id'])
        .where('id', '=', organisationId)
        .unionAll((u) =>
          u
            .selectFrom('organisation as o')
            .innerJoin('lineage', 'lineage.parent_id', 'o.id')
            .select(['o.id', 'o.parent_id']),
        ),
    )
    .selectFrom('silence')
    .selectAll('silence')
    .where('organisation_id', 'in', (qb) => qb.selectFrom('lineage').select('lineage.id'));
  if (at !== undefined) query = query.where('starts_at', '<=', at).where('ends_at', '>', at);
  return query.orderBy('silence.id', 'desc').execute();
}

export function organisationOf(db: Db, id: number) {
  return db
    .selectFrom('organisation')
    .select(['id', 'code', 'name', 'iso_code', 'languages'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

export function signingKeyOf(db: Db, organisationId: number) {
  return db
    .selectFrom('signing_key')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}

/** Recent events of these kinds whose box meets the given one: what corroborates an episode. */
export function recentEventsInBox(
  db: Db,
  organisationId: number,
  kinds: readonly string[],
  box: readonly [number, number, number, number],
  since: Date,
) {
  if (kinds.length === 0) return Promise.resolve([]);
  const [minLon, minLat, maxLon, maxLat] = box;
  return db
    .selectFrom('event as e')
    .leftJoin('station as st', 'st.id', 'e.station_id')
    .select(['e.id', 'e.kind', 'e.geometry', 'st.sense'])
    .where('e.organisation_id', '=', organisationId)
    .where('e.kind', 'in', [...kinds])
    .where('e.time', '>=', since)
    .where('e.min_lon', '<=', maxLon)
    .where('e.max_lon', '>=', minLon)
    .where('e.min_lat', '<=', maxLat)
    .where('e.max_lat', '>=', minLat)
    .limit(500)
    .execute();
}

/** Serialises warning decisions per organisation across processes (PostgreSQL; PGlite has one connection anyway). */
export async function lockOrganisationWarnings(
  tx: Transaction<Schema>,
  organisationId: number,
): Promise<void> {
  await sql`select pg_advisory_xact_lock(${4_004_000_000}::bigint + ${organisationId}::bigint)`.execute(tx);
}

/** Signals since a time that have joined no thread (judged and skipped ones too: cheap to judge again). */
export async function unthreadedSignalIds(db: Db, since: Date): Promise<number[]> {
  const rows = await db
    .selectFrom('signal as g')
    .leftJoin('warning_thread_signal as ts', 'ts.signal_id', 'g.id')
    .select('g.id')
    .where('ts.signal_id', 'is', null)
    .where('g.created_at', '>=', since)
    .orderBy('g.id')
    .execute();
  return rows.map((r) => r.id);
}

/** The time zone of the stations in an area (the first one named), for local times in a warning's words. */
export async function timeZoneOfArea(db: Db, areaId: number): Promise<string | null> {
  const row = await db
    .selectFrom('station_area as sa')
    .innerJoin('station as st', 'st.id', 'sa.station_id')
    .select('st.time_zone')
    .where('sa.area_id', '=', areaId)
    .where('st.time_zone', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row?.time_zone ?? null;
}

/**
 * The latest published version (not a cancel) of every other open thread of a hazard whose box meets the
 * given box, with the thread's area: the warnings that may inhibit a lower one there.
 */
export function standingWarnings(
  db: Db,
  organisationId: number,
  hazard: string,
  exceptThreadId: number,
  [minLon, minLat, maxLon, maxLat]: readonly [number, number, number, number],
) {
  return db
    .selectFrom('warning as w')
    .innerJoin('warning_thread as t', 't.id', 'w.thread_id')
    .select(['w.id', 'w.thread_id', 'w.severity', 't.geometry'])
    .where('t.organisation_id', '=', organisationId)
    .where('t.hazard', '=', hazard)
    .where('t.status', '=', 'open')
    .where('t.id', '!=', exceptThreadId)
    .where('t.min_lon', '<=', maxLon)
    .where('t.max_lon', '>=', minLon)
    .where('t.min_lat', '<=', maxLat)
    .where('t.max_lat', '>=', minLat)
    .where('w.status', '=', 'published')
    .where('w.msg_type', '!=', 'Cancel')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('warning as later')
            .select('later.id')
            .whereRef('later.thread_id', '=', 'w.thread_id')
            .where('later.status', '=', 'published')
            .whereRef('later.version', '>', 'w.version'),
        ),
      ),
    )
    .execute();
}

/** Which of these signals some thread has already taken in. */
export async function threadedAmong(db: Db, signalIds: readonly number[]): Promise<Set<number>> {
  if (signalIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('warning_thread_signal')
    .select('signal_id')
    .where('signal_id', 'in', [...signalIds])
    .execute();
  return new Set(rows.map((r) => r.signal_id));
}
