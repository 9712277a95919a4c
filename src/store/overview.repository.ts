/**
 * @module Reads for the decision dashboard's overview and maps: the warnings that stand now (one query, for
 * thousands), the countries and cities that matter to a caller, signals per area and day, and station health.
 */
import type { Geometry, MultiPolygon, Polygon } from 'geojson';
import { type Kysely, sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { AreaKind, BBox } from '../registry/area.ts';
import type { AreaOfInterest, StandingWarning } from '../report/area-overview.ts';
import { bboxOverlaps } from './filters.ts';
import type { Schema } from './schema.ts';

const orgIds = (readable: readonly number[]) => (readable.length > 0 ? [...readable] : [-1]);

export interface WarningRow {
  readonly id: number;
  readonly thread_id: number;
  readonly organisation_id: number;
  readonly version: number;
  readonly identifier: string;
  readonly status: 'published' | 'draft';
  readonly msg_type: string;
  readonly hazard: string;
  readonly severity: string;
  readonly urgency: string;
  readonly certainty: string;
  readonly headline: string | null;
  readonly area_desc: string;
  readonly sent_at: Date | null;
  readonly expires_at: Date;
  /** The area as this version states it (what the public was told), not the thread's latest. */
  readonly geometry: Polygon | MultiPolygon;
  readonly geocodes: readonly { valueName: string; value: string }[] | null;
  readonly area_ids: readonly number[];
  readonly min_lon: number;
  readonly min_lat: number;
  readonly max_lon: number;
  readonly max_lat: number;
}

export interface StandingFilter {
  readonly readable: readonly number[];
  readonly nowMs: number;
  /** Drafts awaiting review too (a thread with a standing version and a draft gives both). */
  readonly includeDrafts?: boolean;
}

/**
 * Which versions stand at `nowMs` among the readable organisations': per thread, the newest published
 * version, unless it is a Cancel or has expired. The newest is found through the (thread_id, version) key.
 */
function standing(f: StandingFilter) {
  const drafts = f.includeDrafts ? sql`or w.status = 'draft'` : sql``;
  return sql`w.organisation_id = any(${orgIds(f.readable)}::int4[])
      and ((w.status = 'published' and w.msg_type <> 'Cancel' and w.expires_at > ${new Date(f.nowMs)}
            and not exists (select 1 from warning later
                            where later.thread_id = w.thread_id and later.status = 'published'
                              and later.version > w.version))
           ${drafts})`;
}

/** The English headline (else the first language's), taken out of the content in the database. */
const headline = sql`coalesce(
    (select x->>'headline' from jsonb_array_elements(w.content->'texts') x where x->>'language' = 'en' limit 1),
    w.content->'texts'->0->>'headline')`;

/** What a version says in its content: read out of its compressed CAP document, the costly part of a read. */
type VersionContent = Pick<WarningRow, 'headline' | 'geometry' | 'geocodes'> & {
  readonly content_area_desc: string | null;
};

/**
 * Contents of published versions by id, kept between reads: a published version never changes, and reading
 * ten thousand of them out of their documents took over a second where the rest of the query took 50 ms.
 * One per platform (ids are per database).
 */
export class PublishedContentCache {
  readonly #byId = new LRUCache<number, VersionContent>({ max: 50_000 });
  get(id: number): VersionContent | undefined {
    return this.#byId.get(id);
  }
  set(id: number, content: VersionContent): void {
    this.#byId.set(id, content);
  }
}

/**
 * The standing warnings with where they are: the version's area as published (what the public was told,
 * not the thread's latest), the registered areas and geocodes it names, and the thread's box, which bounds
 * the version's area (a thread's area only grows). Two statements whatever the count: the versions, then the
 * contents not yet in `cache`.
 */
export async function standingWarnings(
  db: Kysely<Schema>,
  f: StandingFilter,
  cache: PublishedContentCache = new PublishedContentCache(),
): Promise<WarningRow[]> {
  const versions = await sql<
    Omit<WarningRow, keyof VersionContent | 'area_desc'> & { thread_area_desc: string }
  >`
    select w.id, w.thread_id, w.organisation_id, w.version, w.identifier, w.status, w.msg_type, w.hazard,
           w.severity, w.urgency, w.certainty, w.sent_at, w.expires_at, t.area_desc as thread_area_desc,
           t.area_ids, t.min_lon, t.min_lat, t.max_lon, t.max_lat
    from warning w
    join warning_thread t on t.id = w.thread_id
    where ${standing(f)}
    order by w.thread_id, w.version`.execute(db);
  const missing = versions.rows.filter((w) => w.status !== 'published' || cache.get(w.id) === undefined);
  const read = new Map<number, VersionContent>();
  if (missing.length > 0) {
    const contents = await sql<VersionContent & { id: number }>`
      select w.id, ${headline} as headline, w.content->>'areaDesc' as content_area_desc,
             w.content->'geometry' as geometry, w.content->'geocodes' as geocodes
      from warning w
      where w.id = any(${`{${missing.map((w) => w.id).join(',')}}`}::int8[])`.execute(db);
    for (const { id, ...content } of contents.rows) read.set(id, content);
  }
  const rows: WarningRow[] = [];
  for (const { thread_area_desc, ...w } of versions.rows) {
    const content = read.get(w.id) ?? cache.get(w.id);
    if (content === undefined) continue; // deleted between the two statements
    if (w.status === 'published' && read.has(w.id)) cache.set(w.id, content);
    const { content_area_desc, ...parts } = content;
    rows.push({
      ...w,
      ...parts,
      area_desc: content_area_desc ?? thread_area_desc,
      area_ids: (w.area_ids ?? []).map(Number),
    });
  }
  return rows;
}

export type MapWarningRow = Pick<
  WarningRow,
  | 'id'
  | 'thread_id'
  | 'identifier'
  | 'status'
  | 'hazard'
  | 'severity'
  | 'urgency'
  | 'certainty'
  | 'headline'
  | 'sent_at'
  | 'expires_at'
  | 'geometry'
>;

/**
 * What the map draws of each standing warning, and nothing more: with 10 000 warnings the areas are most of
 * the bytes, and every column left out is 10 000 values less to send and parse. The texts in every language
 * never leave the database; only the headline is taken out of them.
 */
export async function mapWarnings(db: Kysely<Schema>, f: StandingFilter): Promise<MapWarningRow[]> {
  const result = await sql<MapWarningRow>`
    select w.id, w.thread_id, w.identifier, w.status, w.hazard, w.severity, w.urgency, w.certainty,
           w.sent_at, w.expires_at, ${headline} as headline, w.content->'geometry' as geometry
    from warning w
    where ${standing(f)}
    order by w.thread_id, w.version`.execute(db);
  return result.rows;
}

export type LeanMapWarningRow = Pick<WarningRow, 'id' | 'thread_id' | 'status' | 'hazard' | 'severity'>;

/**
 * Only what colouring and clicking an area need, without the areas themselves: the overview map of 10 000
 * warnings keeps the shaped areas of published versions (which never change) and asks for the others alone.
 */
export async function leanMapWarnings(db: Kysely<Schema>, f: StandingFilter): Promise<LeanMapWarningRow[]> {
  const result = await sql<LeanMapWarningRow>`
    select w.id, w.thread_id, w.status, w.hazard, w.severity
    from warning w
    where ${standing(f)}
    order by w.thread_id, w.version`.execute(db);
  return result.rows;
}

/** The areas of these warning versions, as published (or as drafted), by id. */
export async function warningGeometries(
  db: Kysely<Schema>,
  ids: readonly number[],
): Promise<Map<number, Geometry>> {
  if (ids.length === 0) return new Map();
  const result = await sql<{ id: number; geometry: Geometry }>`
    select w.id, w.content->'geometry' as geometry from warning w
    where w.id = any(${`{${ids.join(',')}}`}::int4[])`.execute(db);
  return new Map(result.rows.map((r) => [r.id, r.geometry]));
}

/** A row as the pure overview and report code take it. */
export function standingWarningOf(w: WarningRow): StandingWarning {
  return {
    threadId: w.thread_id,
    identifier: w.identifier,
    hazard: w.hazard,
    severity: w.severity,
    urgency: w.urgency,
    certainty: w.certainty,
    headline: w.headline,
    areaDesc: w.area_desc,
    sentMs: w.sent_at?.getTime() ?? null,
    expiresMs: w.expires_at.getTime(),
    areaIds: w.area_ids,
    geocodes: w.geocodes ?? [],
    geometry: w.geometry,
    bbox: [w.min_lon, w.min_lat, w.max_lon, w.max_lat],
  };
}

/** An area as the pure overview code takes it. */
export function areaOfInterestOf(a: OverviewArea): AreaOfInterest {
  return {
    id: a.id,
    kind: a.kind,
    code: a.code,
    name: a.name,
    isoCode: a.iso_code,
    geometry: a.geometry,
    bbox: [a.min_lon, a.min_lat, a.max_lon, a.max_lat],
  };
}

export interface OverviewArea {
  readonly id: number;
  readonly organisation_id: number | null;
  readonly kind: AreaKind;
  readonly code: string;
  readonly name: string;
  readonly iso_code: string | null;
  readonly geometry: Geometry;
  readonly min_lon: number;
  readonly min_lat: number;
  readonly max_lon: number;
  readonly max_lat: number;
}

/**
 * The countries and cities that matter to a caller, among those it may see (reference areas and its
 * organisations'): those its organisations registered; the reference country of each organisation's ISO
 * code (a city organisation's "BD-13" counts for "BD"); those holding one of its stations; and those its
 * standing warnings name, by area id or by ISO 3166 geocode.
 */
export async function overviewAreas(
  db: Kysely<Schema>,
  f: {
    readonly readable: readonly number[];
    readonly warningAreaIds: readonly number[];
    readonly warningGeocodes: readonly string[];
    readonly areaId?: number | undefined;
  },
): Promise<OverviewArea[]> {
  const readable = orgIds(f.readable);
  const only = f.areaId === undefined ? sql`` : sql`and a.id = ${f.areaId}`;
  const result = await sql<OverviewArea>`
    select a.id, a.organisation_id, a.kind, a.code, a.name, a.iso_code, a.geometry,
           a.min_lon, a.min_lat, a.max_lon, a.max_lat
    from area a
    where a.kind in ('country', 'city')
      and (a.organisation_id is null or a.organisation_id = any(${readable}::int4[]))
      ${only}
      and (a.organisation_id = any(${readable}::int4[])
           or (a.kind = 'country' and a.iso_code in (
                 select left(o.iso_code, 2) from organisation o
                 where o.id = any(${readable}::int4[]) and o.iso_code is not null))
           or exists (select 1 from station_area sa join station s on s.id = sa.station_id
                      where sa.area_id = a.id and s.organisation_id = any(${readable}::int4[]))
           or a.id = any(${[...f.warningAreaIds, -1]}::int4[])
           or a.iso_code = any(${[...f.warningGeocodes, '']}::text[]))
    order by case a.kind when 'country' then 0 else 1 end, a.name, a.id`.execute(db);
  return result.rows;
}

/**
 * Signals per area and UTC day (days since 1970-01-01) from `fromMs` on: a signal counts for an area when it
 * was raised for the area itself or at a station inside it, and once even when both.
 */
export async function signalsPerAreaAndDay(
  db: Kysely<Schema>,
  f: { readonly readable: readonly number[]; readonly areaIds: readonly number[]; readonly fromMs: number },
): Promise<{ area_id: number; day: number; n: number }[]> {
  if (f.areaIds.length === 0) return [];
  const areaIds = [...f.areaIds];
  const result = await sql<{ area_id: number; day: number; n: number }>`
    select x.area_id, floor(extract(epoch from s.start_time) / 86400)::int4 as day, count(*)::int4 as n
    from signal s
    cross join lateral (
      select s.area_id as area_id where s.area_id = any(${areaIds}::int4[])
      union
      select sa.area_id from station_area sa
      where sa.station_id = s.station_id and sa.area_id = any(${areaIds}::int4[])
    ) x
    where s.organisation_id = any(${orgIds(f.readable)}::int4[]) and s.start_time >= ${new Date(f.fromMs)}
    group by 1, 2`.execute(db);
  return result.rows;
}

export interface StationHealthRow {
  readonly id: number;
  readonly name: string;
  readonly sense: string;
  readonly lon: number;
  readonly lat: number;
  readonly expected_cadence_s: number;
  readonly last_observation_at: Date | null;
  /** Observations rejected by QC since `faultSinceMs`. */
  readonly rejected_recently: boolean;
}

/**
 * The readable organisations' stations with when each was last heard from (newest observation of any of its
 * series, or newest event: one backward index probe per series) and whether QC rejected any of its values
 * since `faultSinceMs` (a time-bounded probe, so only the recent partitions are read).
 */
export async function stationHealth(
  db: Kysely<Schema>,
  f: { readonly readable: readonly number[]; readonly faultSinceMs: number },
): Promise<StationHealthRow[]> {
  const since = new Date(f.faultSinceMs);
  const result = await sql<StationHealthRow>`
    select st.id, st.name, st.sense, st.lon, st.lat, st.expected_cadence_s,
           greatest(
             (select max(l.time) from series se
                cross join lateral (select o.time from observation o where o.series_id = se.id
                                    order by o.time desc limit 1) l
              where se.station_id = st.id),
             (select max(e.time) from event e where e.station_id = st.id)) as last_observation_at,
           exists (select 1 from series se join observation o on o.series_id = se.id
                   where se.station_id = st.id and o.time >= ${since} and o.qc_flag = 2) as rejected_recently
    from station st
    where st.organisation_id = any(${orgIds(f.readable)}::int4[])
    order by st.id`.execute(db);
  return result.rows;
}

/** Areas of one kind the caller may see (reference areas and its organisations'), with their stored geometry. */
export function mapAreas(
  db: Kysely<Schema>,
  f: { readonly readable: readonly number[]; readonly kind: AreaKind; readonly bbox?: BBox | undefined },
) {
  let query = db
    .selectFrom('area')
    .select(['id', 'organisation_id', 'kind', 'code', 'name', 'iso_code', 'geometry', 'properties'])
    .where('kind', '=', f.kind)
    .where((eb) =>
      eb.or([eb('organisation_id', 'is', null), eb('organisation_id', 'in', orgIds(f.readable))]),
    );
  if (f.bbox) query = query.where(bboxOverlaps('area', f.bbox));
  return query.orderBy('id').execute();
}
