/** @module Signal storage: idempotent inserts by dedupe key, and filtered reads for the API and the warning stage. */
import type { Kysely } from 'kysely';
import type { SignalDraft } from '../detect/signal.ts';
import type { Schema } from './schema.ts';

/** Stores the signals, ignoring any already stored under the same key; returns the ids of those newly stored. */
export async function insertSignals(db: Kysely<Schema>, drafts: readonly SignalDraft[]): Promise<number[]> {
  if (drafts.length === 0) return [];
  const rows = await db
    .insertInto('signal')
    .values(
      drafts.map((d) => ({
        organisation_id: d.organisationId,
        series_id: d.seriesId,
        station_id: d.stationId,
        area_id: d.areaId,
        origin: d.raisedBy.origin,
        detector: d.raisedBy.origin === 'detector' ? d.raisedBy.detector : null,
        rule_id: d.raisedBy.origin === 'rule' ? d.raisedBy.ruleId : null,
        rule_version: d.raisedBy.origin === 'rule' ? d.raisedBy.ruleVersion : null,
        kind: d.kind,
        state: d.state,
        start_time: new Date(d.startMs),
        end_time: d.endMs === null ? null : new Date(d.endMs),
        score: d.score,
        observed: d.observed,
        expected: d.expected,
        spread: d.spread,
        unit: d.unit,
        lead_time_s: d.leadTimeS,
        sentence: d.sentence,
        details: JSON.stringify(d.details),
        dedupe_key: d.dedupeKey,
      })),
    )
    .onConflict((oc) => oc.columns(['organisation_id', 'dedupe_key']).doNothing())
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export interface SignalFilter {
  readonly readable: readonly number[];
  readonly seriesId?: number | undefined;
  readonly stationId?: number | undefined;
  readonly areaId?: number | undefined;
  readonly kind?: string | undefined;
  readonly origin?: 'detector' | 'rule' | undefined;
  readonly minScore?: number | undefined;
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  readonly after?: number | undefined;
  readonly limit: number;
}

/** Newest first by start time, then id; `after` pages by id. */
export function listSignals(db: Kysely<Schema>, f: SignalFilter) {
  let query = db
    .selectFrom('signal')
    .selectAll()
    .where('organisation_id', 'in', [...f.readable]);
  if (f.seriesId !== undefined) query = query.where('series_id', '=', f.seriesId);
  if (f.stationId !== undefined) query = query.where('station_id', '=', f.stationId);
  if (f.areaId !== undefined) query = query.where('area_id', '=', f.areaId);
  if (f.kind !== undefined) query = query.where('kind', '=', f.kind);
  if (f.origin !== undefined) query = query.where('origin', '=', f.origin);
  if (f.minScore !== undefined) query = query.where('score', '>=', f.minScore);
  if (f.fromMs !== undefined) query = query.where('start_time', '>=', new Date(f.fromMs));
  if (f.toMs !== undefined) query = query.where('start_time', '<', new Date(f.toMs));
  if (f.after !== undefined) query = query.where('id', '<', f.after);
  return query.orderBy('id', 'desc').limit(f.limit).execute();
}

/** The signals of these ids that the caller may read, oldest first. */
export function signalsByIds(db: Kysely<Schema>, ids: readonly number[], readable: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('signal')
    .selectAll()
    .where('id', 'in', [...ids])
    .where('organisation_id', 'in', [...readable])
    .orderBy('id')
    .execute();
}
