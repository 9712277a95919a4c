/** @module Reads for the situation report: the organisation, the area asked for, deliveries per warning, open incidents with their tasks, signals per hazard and day. */
import type { Geometry, MultiPolygon, Polygon } from 'geojson';
import { type Kysely, sql } from 'kysely';
import type { DeliveryCounts, IncidentInput, SignalDayInput } from '../report/situation-report.ts';
import { type OverviewArea, overviewAreas } from './overview.repository.ts';
import type { Schema } from './schema.ts';

const orgIds = (readable: readonly number[]) => (readable.length > 0 ? [...readable] : [-1]);

/** How many incidents a report lists at most: a desk report, not an archive. */
const MAX_INCIDENTS = 200;

export async function organisationName(db: Kysely<Schema>, organisationId: number): Promise<string> {
  const row = await db
    .selectFrom('organisation')
    .select('name')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return row?.name ?? `Organisation ${organisationId}`;
}

/** One area the caller may see (reference areas and its organisations'), of any kind. */
export async function reportArea(
  db: Kysely<Schema>,
  areaId: number,
  readable: readonly number[],
): Promise<OverviewArea | undefined> {
  return db
    .selectFrom('area')
    .select([
      'id',
      'organisation_id',
      'kind',
      'code',
      'name',
      'iso_code',
      'geometry',
      'min_lon',
      'min_lat',
      'max_lon',
      'max_lat',
    ])
    .where('id', '=', areaId)
    .where((eb) => eb.or([eb('organisation_id', 'is', null), eb('organisation_id', 'in', orgIds(readable))]))
    .executeTakeFirst();
}

const isAreaGeometry = (g: Geometry): g is Polygon | MultiPolygon =>
  g.type === 'Polygon' || g.type === 'MultiPolygon';

/**
 * What the map shows when nothing else places it: the caller's own organisation's countries and cities
 * (the overview's rule, without warnings), the countries first.
 */
export async function homeGeometry(
  db: Kysely<Schema>,
  organisationId: number,
): Promise<Polygon | MultiPolygon | null> {
  const areas = await overviewAreas(db, {
    readable: [organisationId],
    warningAreaIds: [],
    warningGeocodes: [],
  });
  const shapes = areas.map((a) => a.geometry).filter(isAreaGeometry);
  const countries = areas
    .filter((a) => a.kind === 'country')
    .map((a) => a.geometry)
    .filter(isAreaGeometry);
  const chosen = countries.length > 0 ? countries : shapes;
  if (chosen.length === 0) return null;
  return {
    type: 'MultiPolygon',
    coordinates: chosen.flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)),
  };
}

/** Deliveries of every version of each thread, by outcome; `dead` (retries exhausted) counts as failed. */
export async function deliveriesPerThread(
  db: Kysely<Schema>,
  threadIds: readonly number[],
): Promise<Map<number, DeliveryCounts>> {
  const counts = new Map<number, DeliveryCounts>();
  if (threadIds.length === 0) return counts;
  const rows = await db
    .selectFrom('delivery as d')
    .innerJoin('warning as w', 'w.id', 'd.warning_id')
    .select(['w.thread_id', 'd.status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('w.thread_id', 'in', [...threadIds])
    .groupBy(['w.thread_id', 'd.status'])
    .execute();
  for (const r of rows) {
    const c = counts.get(r.thread_id) ?? { delivered: 0, pending: 0, failed: 0 };
    const n = Number(r.n);
    counts.set(r.thread_id, {
      delivered: c.delivered + (r.status === 'delivered' ? n : 0),
      pending: c.pending + (r.status === 'pending' ? n : 0),
      failed: c.failed + (r.status === 'failed' || r.status === 'dead' ? n : 0),
    });
  }
  return counts;
}

/** Incidents not closed, newest first, with their tasks (assignees by name) and the area of the warning they answer. */
export async function openIncidents(
  db: Kysely<Schema>,
  readable: readonly number[],
): Promise<IncidentInput[]> {
  const incidents = await db
    .selectFrom('incident as i')
    .leftJoin('warning_thread as t', 't.id', 'i.warning_thread_id')
    .select([
      'i.id',
      'i.title',
      'i.status',
      'i.severity',
      't.id as thread_id',
      't.area_ids',
      't.geometry',
      't.min_lon',
      't.min_lat',
      't.max_lon',
      't.max_lat',
      sql<{ valueName: string; value: string }[] | null>`t.exposure->'geocodes'`.as('geocodes'),
    ])
    .where('i.organisation_id', 'in', orgIds(readable))
    .where('i.status', '!=', 'closed')
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(MAX_INCIDENTS)
    .execute();
  if (incidents.length === 0) return [];
  const tasks = await db
    .selectFrom('incident_task as k')
    .leftJoin('app_user as u', 'u.id', 'k.assignee_user_id')
    .select(['k.incident_id', 'k.title', 'k.status', 'k.due_at', 'u.name as assignee'])
    .where(
      'k.incident_id',
      'in',
      incidents.map((i) => i.id),
    )
    .orderBy('k.id')
    .execute();
  return incidents.map((i) => ({
    id: i.id,
    title: i.title,
    status: i.status,
    severity: i.severity,
    thread:
      i.thread_id === null || i.geometry === null
        ? null
        : {
            areaIds: (i.area_ids ?? []).map(Number),
            geocodes: i.geocodes ?? [],
            geometry: i.geometry,
            bbox: [i.min_lon ?? 0, i.min_lat ?? 0, i.max_lon ?? 0, i.max_lat ?? 0],
          },
    tasks: tasks
      .filter((k) => k.incident_id === i.id)
      .map((k) => ({
        title: k.title,
        status: k.status,
        assignee: k.assignee,
        dueMs: k.due_at?.getTime() ?? null,
      })),
  }));
}

/**
 * Signals per UTC day (days since 1970-01-01) from `fromMs` on, with the hazard of the thread each joined and
 * the variable of its series, so that the report can name every signal's hazard. With an area: only those
 * raised for the area or at a station inside it (as in the overview).
 */
export async function signalsPerHazardAndDay(
  db: Kysely<Schema>,
  f: { readonly readable: readonly number[]; readonly fromMs: number; readonly areaId?: number | undefined },
): Promise<SignalDayInput[]> {
  const inArea =
    f.areaId === undefined
      ? sql``
      : sql`and (s.area_id = ${f.areaId} or exists (
          select 1 from station_area sa where sa.station_id = s.station_id and sa.area_id = ${f.areaId}))`;
  const result = await sql<{ day: number; thread_hazard: string | null; variable: string | null; n: number }>`
    select floor(extract(epoch from s.start_time) / 86400)::int4 as day, t.hazard as thread_hazard,
           se.variable_code as variable, count(*)::int4 as n
    from signal s
    left join warning_thread_signal ts on ts.signal_id = s.id
    left join warning_thread t on t.id = ts.thread_id
    left join series se on se.id = s.series_id
    where s.organisation_id = any(${orgIds(f.readable)}::int4[]) and s.start_time >= ${new Date(f.fromMs)}
      ${inArea}
    group by 1, 2, 3`.execute(db);
  return result.rows.map((r) => ({
    day: r.day,
    threadHazard: r.thread_hazard,
    variable: r.variable,
    n: r.n,
  }));
}
