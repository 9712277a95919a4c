/** @module Ingests one batch of events (fire detections, forest-loss alerts, citizen reports...): all or none, idempotent. */
import { createHash } from 'node:crypto';
import { Ew4eError } from '../errors.ts';
import { bboxOf } from '../geo/geojson-validation.ts';
import type { Caller } from '../registry/access.ts';
import type { Database } from '../store/database.ts';
import { codesIn, type NewEvent, upsertEvents } from '../store/event.repository.ts';
import type { ParsedEvent } from './event-parser.ts';
import { type IngestLimits, placeOf, problemDetail } from './observation-ingest.ts';
import type { RowProblem } from './row-problem.ts';

export interface EventBatchSummary {
  readonly accepted: number;
}

/**
 * The identity of an event, which makes re-sending harmless: the source's own id when it gives one,
 * otherwise a hash of what the event says (kind, time, geometry, source).
 */
export function dedupeKeyOf(e: ParsedEvent): string {
  if (e.externalId !== undefined) return `id:${e.source ?? ''}:${e.externalId}`;
  const content = JSON.stringify([e.kind, e.timeMs, e.geometry, e.source ?? null]);
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

export class EventIngest {
  constructor(
    private readonly database: Database,
    private readonly limits: IngestLimits,
    /** Told, after a batch is stored, which organisation got new events (event rules listen here). */
    private readonly onStored: (organisationId: number) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async ingest(
    caller: Caller,
    parsed: { rows: ParsedEvent[]; problems: RowProblem[] },
  ): Promise<EventBatchSummary> {
    const total = parsed.rows.length + new Set(parsed.problems.map((p) => p.row)).size;
    if (total > this.limits.maxBatchRows) {
      throw new Ew4eError(
        'EW4E_BATCH_TOO_LARGE',
        `the batch has ${total} events; at most ${this.limits.maxBatchRows} are accepted`,
      );
    }
    const problems = [...parsed.problems];
    const db = this.database.db;
    const sources = await codesIn(
      db,
      'source',
      caller.organisationId,
      parsed.rows.map((r) => r.source),
    );
    const stations = await codesIn(
      db,
      'station',
      caller.organisationId,
      parsed.rows.map((r) => r.station),
    );
    const latestAllowed = this.now() + this.limits.maxFutureMs;
    const byKey = new Map<string, NewEvent>();
    for (const e of parsed.rows) {
      const sourceId = e.source === undefined ? null : sources.get(e.source);
      const stationId = e.station === undefined ? null : stations.get(e.station);
      if (sourceId === undefined) {
        problems.push({
          ...placeOf(e, 'source'),
          reason: `source "${e.source}" not found in your organisation`,
        });
        continue;
      }
      if (stationId === undefined) {
        problems.push({
          ...placeOf(e, 'station'),
          reason: `station "${e.station}" not found in your organisation`,
        });
        continue;
      }
      if (e.timeMs > latestAllowed) {
        problems.push({
          ...placeOf(e, 'time'),
          reason: 'time is in the future; check the sender clock and zone',
        });
        continue;
      }
      // A later row with the same identity replaces an earlier one, as a later batch would.
      byKey.set(dedupeKeyOf(e), {
        organisationId: caller.organisationId,
        sourceId,
        stationId,
        kind: e.kind,
        dedupeKey: dedupeKeyOf(e),
        timeMs: e.timeMs,
        endTimeMs: e.endTimeMs ?? null,
        geometry: e.geometry,
        bbox: bboxOf(e.geometry),
        attributes: e.attributes,
      });
    }
    if (problems.length > 0) {
      throw new Ew4eError(
        'EW4E_INVALID_ROWS',
        `${new Set(problems.map((p) => p.row)).size} event(s) are invalid; nothing was written`,
        problems.sort((a, b) => a.row - b.row).map(problemDetail),
      );
    }
    const events = [...byKey.values()];
    await db.transaction().execute((tx) => upsertEvents(tx, events));
    this.onStored(caller.organisationId);
    return { accepted: events.length };
  }
}
