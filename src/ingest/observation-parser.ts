/** @module Reads observation batches (series, time, value, unit) from JSON, NDJSON or CSV bodies, naming the place of every problem. */

import {
  csvRecordProblem,
  parseDecimal,
  readCsvHeader,
  readCsvRecords,
  readJsonBody,
  readNdjsonRecords,
} from './body-reader.ts';
import { parseIsoInstant } from './iso-time.ts';
import { isJsonObject, jsonTypeOf, type ParseResult, problemAt, type RowProblem } from './row-problem.ts';

export type { ParseResult } from './row-problem.ts';

export interface ParsedObservation {
  /** 0-based index of the record in the batch. */
  readonly row: number;
  /** The physical line the record starts on, for CSV and NDJSON; later checks use it to name the place. */
  readonly line?: number;
  /** Series id or code exactly as given, trimmed; a JSON integer becomes its decimal text. */
  readonly series: string;
  readonly timeMs: number;
  readonly value: number;
  readonly unit: string | undefined;
}

/**
 * Parses a batch. Never throws on bad input: every bad field of every record is a problem (JSON: pointer such as
 * `/3/value`; NDJSON and CSV: physical line and field), and a record with problems is left out of `rows`.
 * Unknown fields and columns are ignored.
 */
export function parseObservations(
  body: string,
  format: 'json' | 'ndjson' | 'csv',
): ParseResult<ParsedObservation> {
  switch (format) {
    case 'json':
      return fromJson(body);
    case 'ndjson':
      return fromNdjson(body);
    case 'csv':
      return fromCsv(body);
    default: {
      const unreachable: never = format;
      throw new TypeError(`parseObservations: unsupported format ${String(unreachable)}`);
    }
  }
}

function fromJson(body: string): ParseResult<ParsedObservation> {
  const parsed = readJsonBody(body);
  if (!parsed.ok) return { rows: [], problems: [parsed.problem] };
  const records = parsed.value;
  if (!Array.isArray(records)) {
    return {
      rows: [],
      problems: [problemAt(-1, undefined, '', undefined, 'expected a JSON array of observations')],
    };
  }
  const rows: ParsedObservation[] = [];
  const problems: RowProblem[] = [];
  for (let row = 0; row < records.length; row++) {
    const observation = fromJsonRecord(records[row], row, undefined, `/${row}`, problems);
    if (observation !== undefined) rows.push(observation);
  }
  return { rows, problems };
}

function fromNdjson(body: string): ParseResult<ParsedObservation> {
  const rows: ParsedObservation[] = [];
  const problems: RowProblem[] = [];
  const records = readNdjsonRecords(body);
  for (let row = 0; row < records.length; row++) {
    const record = records[row]!;
    if (record.error !== undefined) {
      problems.push(problemAt(row, record.line, undefined, undefined, record.error));
      continue;
    }
    const observation = fromJsonRecord(record.value, row, record.line, undefined, problems);
    if (observation !== undefined) rows.push(observation);
  }
  return { rows, problems };
}

/** One record of a JSON array (located by `base` pointer) or of an NDJSON line (located by `line`). */
function fromJsonRecord(
  record: unknown,
  row: number,
  line: number | undefined,
  base: string | undefined,
  problems: RowProblem[],
): ParsedObservation | undefined {
  if (!isJsonObject(record)) {
    problems.push(
      problemAt(row, line, base, undefined, `expected an observation object, got ${jsonTypeOf(record)}`),
    );
    return undefined;
  }
  const before = problems.length;

  let series = '';
  const rawSeries = record.series;
  if (typeof rawSeries === 'string') {
    series = rawSeries.trim();
    if (series === '')
      problems.push(problemAt(row, line, pointerTo(base, 'series'), 'series', 'series must not be empty'));
  } else if (typeof rawSeries === 'number' && Number.isSafeInteger(rawSeries)) {
    series = String(rawSeries);
  } else if (rawSeries === undefined || rawSeries === null) {
    problems.push(problemAt(row, line, pointerTo(base, 'series'), 'series', 'series is required'));
  } else {
    const reason = `series must be a string or an integer, got ${typeof rawSeries === 'number' ? rawSeries : jsonTypeOf(rawSeries)}`;
    problems.push(problemAt(row, line, pointerTo(base, 'series'), 'series', reason));
  }

  let timeMs = 0;
  const rawTime = record.time;
  if (typeof rawTime === 'string') {
    const time = parseIsoInstant(rawTime);
    if (time.ok) timeMs = time.timeMs;
    else problems.push(problemAt(row, line, pointerTo(base, 'time'), 'time', time.reason));
  } else if (rawTime === undefined || rawTime === null) {
    problems.push(problemAt(row, line, pointerTo(base, 'time'), 'time', 'time is required'));
  } else {
    const reason = `time must be an ISO 8601 string like 2026-11-23T08:00:00Z, got ${jsonTypeOf(rawTime)}`;
    problems.push(problemAt(row, line, pointerTo(base, 'time'), 'time', reason));
  }

  const value = record.value;
  if (value === undefined) {
    problems.push(problemAt(row, line, pointerTo(base, 'value'), 'value', 'value is required'));
  } else if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push(
      problemAt(
        row,
        line,
        pointerTo(base, 'value'),
        'value',
        `value must be a JSON number, got ${jsonTypeOf(value)}`,
      ),
    );
  }

  let unit: string | undefined;
  const rawUnit = record.unit;
  if (typeof rawUnit === 'string') {
    unit = rawUnit.trim() || undefined;
  } else if (rawUnit !== undefined && rawUnit !== null) {
    problems.push(
      problemAt(
        row,
        line,
        pointerTo(base, 'unit'),
        'unit',
        `unit must be a string, got ${jsonTypeOf(rawUnit)}`,
      ),
    );
  }

  if (problems.length !== before) return undefined;
  return line === undefined
    ? { row, series, timeMs, value: value as number, unit }
    : { row, line, series, timeMs, value: value as number, unit };
}

function pointerTo(base: string | undefined, field: string): string | undefined {
  return base === undefined ? undefined : `${base}/${field}`;
}

const CSV_COLUMNS = ['series', 'time', 'value', 'unit'] as const;
const CSV_REQUIRED = ['series', 'time', 'value'] as const;

function fromCsv(body: string): ParseResult<ParsedObservation> {
  const records = readCsvRecords(body);
  const mapped = readCsvHeader(records[0], CSV_COLUMNS, CSV_REQUIRED);
  if ('problems' in mapped) return { rows: [], problems: mapped.problems };
  const { width, column } = mapped.header;
  const seriesAt = column.series;
  const timeAt = column.time;
  const valueAt = column.value;
  const unitAt = column.unit;

  const rows: ParsedObservation[] = [];
  const problems: RowProblem[] = [];
  for (let r = 1; r < records.length; r++) {
    const row = r - 1;
    const record = records[r]!;
    const unusable = csvRecordProblem(record, row, width);
    if (unusable || record.cells === undefined) {
      if (unusable) problems.push(unusable);
      continue;
    }
    const { line, cells } = record;
    let ok = true;

    const series = cells[seriesAt]!.trim();
    if (series === '') {
      problems.push(problemAt(row, line, undefined, 'series', 'series is required'));
      ok = false;
    }

    let timeMs = 0;
    const timeText = cells[timeAt]!.trim();
    if (timeText === '') {
      problems.push(problemAt(row, line, undefined, 'time', 'time is required'));
      ok = false;
    } else {
      const time = parseIsoInstant(timeText);
      if (time.ok) {
        timeMs = time.timeMs;
      } else {
        problems.push(problemAt(row, line, undefined, 'time', time.reason));
        ok = false;
      }
    }

    const value = parseDecimal(cells[valueAt]!.trim());
    if (!Number.isFinite(value)) {
      problems.push(problemAt(row, line, undefined, 'value', 'value must be a number'));
      ok = false;
    }

    if (!ok) continue;
    const unit = unitAt === -1 ? undefined : cells[unitAt]!.trim() || undefined;
    rows.push({ row, line, series, timeMs, value, unit });
  }
  return { rows, problems };
}
