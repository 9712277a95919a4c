/** @module Event storage: idempotent upsert by (organisation, dedupe key) and filtered reads by time, kind and bounding box. */
import type { Geometry } from 'geojson';
import type { Kysely } from 'kysely';
import type { BBox } from '../registry/area.ts';
import { bboxOverlaps } from './filters.ts';
import type { Schema } from './schema.ts';

export interface NewEvent {
  readonly organisationId: number;
  readonly sourceId: number | null;
  readonly stationId: number | null;
  readonly kind: string;
  readonly dedupeKey: string;
  readonly timeMs: number;
  readonly endTimeMs: number | null;
  readonly geometry: Geometry;
  readonly bbox: BBox;
  readonly attributes: Record<string, unknown>;
}

/** Maps the codes named in a batch to ids of the organisation's sources or stations. */
export async function codesIn(
  db: Kysely<Schema>,
  table: 'source' | 'station',
  organisationId: number,
  codes: readonly (string | undefined)[],
): Promise<Map<string, number>> {
  const wanted = [...new Set(codes.filter((c): c is string => c !== undefined))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom(table)
    .select(['id', 'code'])
    .where('organisation_id', '=', organisationId)
    .where('code', 'in', wanted)
    .execute();
  return new Map(rows.map((r) => [r.code, r.id]));
}

/** Chunks keep each statement under Postgres' 65 535 bound parameters. */
const CHUNK = 2000;

export async function upsertEvents(db: Kysely<Schema>, events: readonly NewEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += CHUNK) {
    const chunk = events.slice(i, i + CHUNK).map((e) => ({
      organisation_id: e.organisationId,
      source_id: e.sourceId,
      station_id: e.stationId,
      kind: e.kind,
      dedupe_key: e.dedupeKey,
      time: new Date(e.timeMs),
      end_time: e.endTimeMs === null ? null : new Date(e.endTimeMs),
      geometry: JSON.stringify(e.geometry),
      min_lon: e.bbox[0],
      min_lat: e.bbox[1],
      max_lon: e.bbox[2],
      max_lat: e.bbox[3],
      attributes: JSON.stringify(e.attributes),
    }));
    await db
      .insertInto('event')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['organisation_id', 'dedupe_key']).doUpdateSet((eb) => ({
          source_id: eb.ref('excluded.source_id'),
          station_id: eb.ref('excluded.station_id'),
          kind: eb.ref('excluded.kind'),
          time: eb.ref('excluded.time'),
          end_time: eb.ref('excluded.end_time'),
          geometry: eb.ref('excluded.geometry'),
          min_lon: eb.ref('excluded.min_lon'),
          min_lat: eb.ref('excluded.min_lat'),
          max_lon: eb.ref('excluded.max_lon'),
          max_lat: eb.ref('excluded.max_lat'),
          attributes: eb.ref('excluded.attributes'),
        })),
      )
      .execute();
  }
}

export interface EventFilter {
  readonly readable: readonly number[];
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  readonly kind?: string | undefined;
  readonly bbox?: BBox | undefined;
  readonly after?: number | undefined;
  readonly limit: number;
}

export function listEvents(db: Kysely<Schema>, f: EventFilter) {
  let query = db
    .selectFrom('event')
    .leftJoin('source', 'source.id', 'event.source_id')
    .leftJoin('station', 'station.id', 'event.station_id')
    .selectAll('event')
    .select(['source.code as source_code', 'station.code as station_code'])
    .where('event.organisation_id', 'in', [...f.readable]);
  if (f.fromMs !== undefined) query = query.where('event.time', '>=', new Date(f.fromMs));
  if (f.toMs !== undefined) query = query.where('event.time', '<', new Date(f.toMs));
  if (f.kind) query = query.where('event.kind', '=', f.kind);
  if (f.bbox) query = query.where(bboxOverlaps('event', f.bbox));
  if (f.after !== undefined) query = query.where('event.id', '>', f.after);
  return query.orderBy('event.id').limit(f.limit).execute();
}
