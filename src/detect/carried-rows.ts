/**
 * @module Rows that came with the observation stream's messages, joined into what detection would otherwise
 * read from the database: a series' usable observations after its checkpoint, in time order. Pure.
 */
import type { CarriedRows, ObservationHint } from '../bus/observation-hint.ts';
import type { SeriesPoints, SeriesSpan } from '../store/detection.repository.ts';

/**
 * The rows carried for each series of a batch of hints, for the series whose every hint carried its rows: a
 * bare hint says that something was stored that did not travel, so such a series is read from the database.
 */
export function carriedBySeries(hints: readonly ObservationHint[]): Map<number, CarriedRows[]> {
  const carried = new Map<number, CarriedRows[]>();
  const bare = new Set<number>();
  for (const hint of hints) {
    if (hint.rows === undefined) {
      bare.add(hint.seriesId);
      continue;
    }
    const rows = carried.get(hint.seriesId);
    if (rows === undefined) carried.set(hint.seriesId, [hint.rows]);
    else rows.push(hint.rows);
  }
  for (const id of bare) carried.delete(id);
  return carried;
}

export interface JoinedRows {
  /** The carried rows after the checkpoint, oldest first. */
  readonly points: SeriesPoints;
  /**
   * The spans before, between and after the messages' rows: when the database holds no usable observation
   * inside any of them, the points are what a read after the checkpoint would return. The span after matters
   * under load: a worker behind the stream finds newer rows stored and reads them all at once, instead of
   * saving its checkpoints once per message.
   */
  readonly gaps: SeriesSpan[];
  /** The series' revision the rows were stored under: if it has changed since, re-sent values replaced some. */
  readonly revision: number;
}

/**
 * Joins one series' carried messages after `afterMs` (its earliest checkpoint). Undefined, so that the series
 * is read from the database, when two messages overlap in time after the checkpoint (two batches interleaved,
 * or one re-sent with other values: the database knows which value won and in what order the rows go), when
 * the messages were stored under different revisions of the series (a re-sent batch came between), and
 * when the checkpoint has passed every carried row: a worker behind the stream gets to such a message late, and
 * reading (as for a bare hint) brings the series up to what is stored now.
 */
export function joinCarried(
  seriesId: number,
  afterMs: number,
  messages: readonly CarriedRows[],
): JoinedRows | undefined {
  const revision = messages[0]?.revision ?? 0;
  if (messages.some((m) => m.revision !== revision)) return undefined;
  const ordered = [...messages].sort((a, b) => a.timeMs[0]! - b.timeMs[0]!);
  const points: SeriesPoints = { timeMs: [], value: [] };
  const gaps: SeriesSpan[] = [];
  let last = afterMs;
  for (const rows of ordered) {
    const n = rows.timeMs.length;
    let i = 0;
    while (i < n && rows.timeMs[i]! <= afterMs) i++; // seen by every detector already
    if (i === n) continue;
    if (rows.timeMs[i]! <= last) return undefined;
    gaps.push({ seriesId, afterMs: last, beforeMs: rows.timeMs[i]! });
    for (; i < n; i++) {
      points.timeMs.push(rows.timeMs[i]!);
      points.value.push(rows.value[i]!);
    }
    last = rows.timeMs[n - 1]!;
  }
  if (points.timeMs.length === 0) return undefined;
  gaps.push({ seriesId, afterMs: last, beforeMs: Number.POSITIVE_INFINITY });
  return { points, gaps, revision };
}
