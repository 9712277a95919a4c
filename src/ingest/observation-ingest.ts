/** @module Ingests one batch of observations: resolve series, convert units, check quality, store — all rows or none. */
import { type CarriedRows, MAX_CARRIED_ROWS, type ObservationHint } from '../bus/observation-hint.ts';
import { Ew4eError, type ProblemDetail } from '../errors.ts';
import type { Caller } from '../registry/access.ts';
import { applyConversion, type Conversion, conversionBetween } from '../registry/units.ts';
import type { ObservationColumns, ObservationRepository } from '../store/observation.repository.ts';
import type { SeriesDirectory, SeriesForIngest } from '../store/series.repository.ts';
import { isUniqueViolation } from '../store/unique-violation.ts';
import type { ParsedObservation } from './observation-parser.ts';
import {
  checkQuality,
  historyNeeded,
  QC_FLAG_CODES,
  QC_RULE_CODES,
  type QcPoint,
  type QcVerdict,
  qcFlagOfCode,
} from './quality-control.ts';
import type { RowProblem } from './row-problem.ts';

export interface IngestLimits {
  readonly maxBatchRows: number;
  /** Observations further in the future than this are refused as clock errors. */
  readonly maxFutureMs: number;
}

export interface ObservationBatchSummary {
  /** Rows in the batch after duplicates within it were folded (the last of a (series, time) wins). */
  readonly accepted: number;
  readonly series: number;
  readonly flagged: { readonly suspect: number; readonly rejected: number };
  readonly from: string | null;
  readonly to: string | null;
}

/** Turns a parser's problem or a later check's finding into a reply detail that names the place. */
export function problemDetail(p: RowProblem): ProblemDetail {
  return {
    row: p.row,
    ...(p.line !== undefined ? { line: p.line } : {}),
    ...(p.pointer !== undefined ? { pointer: p.pointer } : {}),
    ...(p.field !== undefined ? { field: p.field } : {}),
    reason: p.reason,
  };
}

/** Where a parsed row came from: its line (CSV, NDJSON) or the JSON pointer of its field. */
export function placeOf(
  row: {
    readonly row: number;
    readonly line?: number | undefined;
    readonly fieldsPointer?: string | undefined;
  },
  field: string,
): RowProblem {
  if (row.line !== undefined) return { row: row.row, line: row.line, field, reason: '' };
  return { row: row.row, pointer: `${row.fieldsPointer ?? `/${row.row}`}/${field}`, field, reason: '' };
}

export class ObservationIngest {
  constructor(
    private readonly observations: ObservationRepository,
    private readonly series: SeriesDirectory,
    private readonly limits: IngestLimits,
    /**
     * Told, after a batch is stored, which series got new data and up to when: the one seam between ingest
     * and detection (in-process, or published to the observation stream).
     */
    private readonly onStored: (stored: ObservationHint[]) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Validates the whole batch first and throws EW4E_INVALID_ROWS listing every bad row, so that nothing is written;
   * otherwise stores it in one transaction.
   */
  async ingest(
    caller: Caller,
    parsed: { rows: ParsedObservation[]; problems: RowProblem[] },
  ): Promise<ObservationBatchSummary> {
    const total = parsed.rows.length + new Set(parsed.problems.map((p) => p.row)).size;
    if (total > this.limits.maxBatchRows) {
      throw new Ew4eError(
        'EW4E_BATCH_TOO_LARGE',
        `the batch has ${total} rows; at most ${this.limits.maxBatchRows} are accepted in one request`,
      );
    }
    const { rows, problems } = await this.validate(caller, parsed);
    if (problems.length > 0) {
      throw new Ew4eError(
        'EW4E_INVALID_ROWS',
        `${new Set(problems.map((p) => p.row)).size} row(s) are invalid; nothing was written`,
        problems.sort((a, b) => a.row - b.row).map(problemDetail),
      );
    }
    return this.store(rows);
  }

  /** Resolves and converts every row; returns the rows ready to store and every problem found. */
  async validate(
    caller: Caller,
    parsed: { rows: ParsedObservation[]; problems: RowProblem[] },
  ): Promise<{ rows: ReadyRow[]; problems: RowProblem[] }> {
    const problems = [...parsed.problems];
    const keys = [...new Set(parsed.rows.map((r) => r.series))];
    const known = await this.series.resolve(caller.organisationId, keys);
    const conversions = new Map<string, Conversion>();
    const latestAllowed = this.now() + this.limits.maxFutureMs;
    const ready: ReadyRow[] = [];
    for (const row of parsed.rows) {
      const series = known.get(row.series);
      if (series === undefined) {
        problems.push({
          ...placeOf(row, 'series'),
          reason: `series "${row.series}" not found in your organisation`,
        });
        continue;
      }
      if (row.timeMs > latestAllowed) {
        problems.push({
          ...placeOf(row, 'time'),
          reason: 'time is in the future; check the sender clock and zone',
        });
        continue;
      }
      let value = row.value;
      if (row.unit !== undefined && row.unit !== series.unit) {
        const pair = `${row.unit}\u0000${series.unit}`;
        let conversion = conversions.get(pair);
        if (conversion === undefined) {
          conversion = conversionBetween(row.unit, series.unit);
          conversions.set(pair, conversion);
        }
        switch (conversion.kind) {
          case 'same':
            break;
          case 'convert':
            value = applyConversion(conversion, value);
            break;
          case 'unknown-unit':
            problems.push({
              ...placeOf(row, 'unit'),
              reason: `unknown unit "${row.unit}"; GET /v1/units lists them`,
            });
            continue;
          case 'incompatible':
            problems.push({
              ...placeOf(row, 'unit'),
              reason: `unit "${row.unit}" (${conversion.fromDimension}) cannot be converted to the series unit "${series.unit}" (${conversion.toDimension})`,
            });
            continue;
          default:
            conversion satisfies never;
        }
      }
      ready.push({ series, timeMs: row.timeMs, value });
    }
    return { rows: ready, problems };
  }

  /**
   * Quality-checks each series in time order against its stored history, then stores the batch with one
   * statement, which makes it atomic without a transaction around it. New data — the common case — goes in
   * by COPY, as fast as a bulk load; if any (series, time) is stored already, that COPY fails on the key
   * having stored nothing, and the batch is upserted instead (the latest delivery wins).
   */
  async store(rows: readonly ReadyRow[]): Promise<ObservationBatchSummary> {
    const bySeries = groupBySeries(rows);
    let minTime = Number.POSITIVE_INFINITY;
    let maxTime = Number.NEGATIVE_INFINITY;
    const firstTime = new Map<number, number>();
    let needed = 0;
    for (const { series, points } of bySeries.values()) {
      firstTime.set(series.id, points[0]!.timeMs);
      minTime = Math.min(minTime, points[0]!.timeMs);
      maxTime = Math.max(maxTime, points[points.length - 1]!.timeMs);
      needed = Math.max(needed, historyNeeded(series.qc));
    }
    if (bySeries.size === 0) {
      return { accepted: 0, series: 0, flagged: { suspect: 0, rejected: 0 }, from: null, to: null };
    }
    await this.observations.ensurePartitions(minTime, maxTime);
    // Read before the batch is stored: a re-send committed after this read raises it, and makes the rows the
    // hints carry stale for the detect worker (store/observation.repository.ts).
    const revisions = await this.observations.revisionsOf([...bySeries.keys()]);
    const history = new Map<number, QcPoint[]>();
    for (const p of await this.observations.recentPoints(firstTime, needed)) {
      let list = history.get(p.seriesId);
      if (list === undefined) {
        list = [];
        history.set(p.seriesId, list);
      }
      list.push({ timeMs: p.timeMs, value: p.value, flag: qcFlagOfCode(p.qcFlag) });
    }
    let suspect = 0;
    let rejected = 0;
    const out: ObservationColumns = { seriesId: [], timeMs: [], value: [], qcFlag: [], qcRule: [] };
    const stored: ObservationHint[] = [];
    for (const { series, points } of bySeries.values()) {
      const verdicts = checkQuality(series.qc, (history.get(series.id) ?? []).reverse(), points);
      for (let i = 0; i < points.length; i++) {
        const v = verdicts[i]!;
        if (v.flag === 'suspect') suspect++;
        else if (v.flag === 'rejected') rejected++;
        out.seriesId.push(series.id);
        out.timeMs.push(points[i]!.timeMs);
        out.value.push(points[i]!.value);
        out.qcFlag.push(QC_FLAG_CODES[v.flag]);
        out.qcRule.push(v.rule === null ? 0 : QC_RULE_CODES[v.rule]);
      }
      const rows =
        points.length <= MAX_CARRIED_ROWS
          ? detectableRows(points, verdicts, revisions.get(series.id) ?? 0)
          : undefined;
      stored.push({
        seriesId: series.id,
        organisationId: series.organisationId,
        newestMs: points[points.length - 1]!.timeMs,
        ...(rows === undefined ? {} : { rows }),
      });
    }
    let replaced = false;
    try {
      await this.observations.copy(out);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.observations.upsert(out);
      replaced = true;
    }
    // Re-sent values replaced stored ones: bare hints, so that the worker reads which rows won.
    this.onStored(replaced ? stored.map(({ rows: _replaced, ...bare }) => bare) : stored);
    return {
      accepted: out.seriesId.length,
      series: bySeries.size,
      flagged: { suspect, rejected },
      from: new Date(minTime).toISOString(),
      to: new Date(maxTime).toISOString(),
    };
  }
}

export interface ReadyRow {
  readonly series: SeriesForIngest;
  readonly timeMs: number;
  readonly value: number;
}

interface SeriesPoints {
  readonly series: SeriesForIngest;
  points: ReadyRow[];
}

/** Groups rows per series in time order, keeping the last row of any repeated time (the later row wins, as across batches). */
function groupBySeries(rows: readonly ReadyRow[]): Map<number, SeriesPoints> {
  const groups = new Map<number, SeriesPoints>();
  for (const r of rows) {
    let g = groups.get(r.series.id);
    if (g === undefined) {
      g = { series: r.series, points: [] };
      groups.set(r.series.id, g);
    }
    g.points.push(r);
  }
  for (const g of groups.values()) {
    // Feeds usually arrive in time order: sort (stably) only when they do not.
    if (!strictlyAscending(g.points)) {
      g.points.sort((a, b) => a.timeMs - b.timeMs);
      const kept: ReadyRow[] = [];
      for (const p of g.points) {
        if (kept.length > 0 && kept[kept.length - 1]!.timeMs === p.timeMs) kept[kept.length - 1] = p;
        else kept.push(p);
      }
      g.points = kept;
    }
  }
  return groups;
}

/** The rows of one series that detection will use (QC did not reject them), to travel with the hint. */
function detectableRows(
  points: readonly ReadyRow[],
  verdicts: readonly QcVerdict[],
  revision: number,
): CarriedRows | undefined {
  let count = 0;
  for (const v of verdicts) if (v.flag !== 'rejected') count++;
  if (count === 0) return undefined;
  const rows = { timeMs: new Float64Array(count), value: new Float64Array(count), revision };
  let j = 0;
  for (let i = 0; i < points.length; i++) {
    if (verdicts[i]!.flag === 'rejected') continue;
    rows.timeMs[j] = points[i]!.timeMs;
    rows.value[j] = points[i]!.value;
    j++;
  }
  return rows;
}

function strictlyAscending(points: readonly ReadyRow[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i]!.timeMs <= points[i - 1]!.timeMs) return false;
  return true;
}
