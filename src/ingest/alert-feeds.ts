/**
 * @module Satellite alert files as they are downloaded, read into events: NASA FIRMS active-fire CSV (MODIS,
 * VIIRS; https://firms.modaps.eosdis.nasa.gov) → `fire_detection`, and Global Forest Watch integrated
 * deforestation alerts CSV (GLAD-L, GLAD-S2, RADD) → `forest_loss_alert`. Every problem is named by line and
 * column, as for the platform's own CSV; the columns the formats do not need become attributes.
 */

import { csvRecordProblem, parseDecimal, readCsvHeader, readCsvRecords } from './body-reader.ts';
import type { ParsedEvent } from './event-parser.ts';
import { type ParseResult, problemAt, type RowProblem } from './row-problem.ts';

export const ALERT_FEEDS = ['firms', 'gfw'] as const;
export type AlertFeed = (typeof ALERT_FEEDS)[number];

const FIRMS_COLUMNS = ['latitude', 'longitude', 'acq_date', 'acq_time', 'satellite', 'instrument'] as const;
const GFW_COLUMNS = [
  'latitude',
  'longitude',
  'gfw_integrated_alerts__date',
  'date',
  'gfw_integrated_alerts__confidence',
] as const;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseAlertFeed(body: string, feed: AlertFeed): ParseResult<ParsedEvent> {
  return feed === 'firms' ? fromFirms(body) : fromGfw(body);
}

type Cells = readonly string[];

function coordinate(
  cells: Cells,
  index: number,
  name: string,
  limit: number,
  at: { row: number; line: number },
  problems: RowProblem[],
): number | undefined {
  const text = (cells[index] ?? '').trim();
  const value = parseDecimal(text);
  if (Number.isNaN(value) || Math.abs(value) > limit) {
    problems.push(
      problemAt(at.row, at.line, undefined, name, `"${text}" is not a ${name} within ±${limit}°`),
    );
    return undefined;
  }
  return value;
}

function day(text: string, name: string, at: { row: number; line: number }, problems: RowProblem[]) {
  const m = DATE.exec(text.trim());
  const ms = m === null ? Number.NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (m === null || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text.trim()) {
    problems.push(problemAt(at.row, at.line, undefined, name, `"${text}" is not a date YYYY-MM-DD`));
    return undefined;
  }
  return ms;
}

/** The data records (after the header) whose cells can be read; the others become problems. */
function dataRecords(
  records: ReturnType<typeof readCsvRecords>,
  width: number,
  problems: RowProblem[],
): { row: number; line: number; cells: Cells }[] {
  const usable: { row: number; line: number; cells: Cells }[] = [];
  for (let r = 1; r < records.length; r++) {
    const record = records[r] as (typeof records)[number];
    const unusable = csvRecordProblem(record, r - 1, width);
    if (unusable !== undefined) problems.push(unusable);
    else if (record.cells !== undefined) usable.push({ row: r - 1, line: record.line, cells: record.cells });
  }
  return usable;
}

/** Every column not consumed, numbers as numbers (codes such as "N" or "2.0NRT" stay text). */
function attributesOf(
  cells: Cells,
  others: readonly { name: string; index: number }[],
): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const { name, index } of others) {
    const text = (cells[index] ?? '').trim();
    if (text === '') continue;
    const n = parseDecimal(text);
    Object.defineProperty(attributes, name, {
      value: Number.isNaN(n) ? text : n,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return attributes;
}

/**
 * FIRMS: acq_date (UTC day) + acq_time (HHMM UTC, leading zeros often dropped: "5" is 00:05) give the overpass
 * time. FIRMS has no id column; the satellite, time and position identify a detection, so re-sending a file
 * stores nothing twice.
 */
function fromFirms(body: string): ParseResult<ParsedEvent> {
  const records = readCsvRecords(body);
  const mapped = readCsvHeader(records[0], FIRMS_COLUMNS, ['latitude', 'longitude', 'acq_date', 'acq_time']);
  if ('problems' in mapped) return { rows: [], problems: mapped.problems };
  const { width, column, others } = mapped.header;
  const rows: ParsedEvent[] = [];
  const problems: RowProblem[] = [];
  for (const { row, line, cells } of dataRecords(records, width, problems)) {
    const at = { row, line };
    const before = problems.length;
    const lat = coordinate(cells, column.latitude, 'latitude', 90, at, problems);
    const lon = coordinate(cells, column.longitude, 'longitude', 180, at, problems);
    const dayMs = day(cells[column.acq_date] ?? '', 'acq_date', at, problems);
    const hhmm = (cells[column.acq_time] ?? '').trim();
    const clock = /^\d{1,4}$/.test(hhmm) ? Number(hhmm) : Number.NaN;
    if (Number.isNaN(clock) || clock % 100 > 59 || Math.floor(clock / 100) > 23) {
      problems.push(problemAt(row, line, undefined, 'acq_time', `"${hhmm}" is not a UTC time HHMM`));
    }
    if (problems.length !== before) continue;
    const timeMs = (dayMs as number) + (Math.floor(clock / 100) * 60 + (clock % 100)) * 60_000;
    const satellite = column.satellite === -1 ? '' : (cells[column.satellite] ?? '').trim();
    const instrument = column.instrument === -1 ? '' : (cells[column.instrument] ?? '').trim();
    rows.push({
      row,
      line: line,
      externalId: `${satellite || instrument || 'firms'}:${new Date(timeMs).toISOString()}:${lat},${lon}`,
      kind: 'fire_detection',
      timeMs,
      endTimeMs: undefined,
      geometry: { type: 'Point', coordinates: [lon as number, lat as number] },
      source: undefined,
      station: undefined,
      attributes: {
        ...attributesOf(cells, others),
        ...(satellite === '' ? {} : { satellite }),
        ...(instrument === '' ? {} : { instrument }),
      },
    });
  }
  return { rows, problems };
}

/**
 * GFW integrated alerts: one row per alert pixel, dated by day (column `gfw_integrated_alerts__date`, or
 * `date` in older exports); confidence nominal / high / highest kept as an attribute for rules and maps.
 */
function fromGfw(body: string): ParseResult<ParsedEvent> {
  const records = readCsvRecords(body);
  const mapped = readCsvHeader(records[0], GFW_COLUMNS, ['latitude', 'longitude']);
  if ('problems' in mapped) return { rows: [], problems: mapped.problems };
  const { width, column, others } = mapped.header;
  const dateColumn = column.gfw_integrated_alerts__date !== -1 ? 'gfw_integrated_alerts__date' : 'date';
  if (column[dateColumn] === -1) {
    return {
      rows: [],
      problems: [
        problemAt(
          -1,
          mapped.header.line,
          undefined,
          'gfw_integrated_alerts__date',
          'missing the alert date column (gfw_integrated_alerts__date or date)',
        ),
      ],
    };
  }
  const rows: ParsedEvent[] = [];
  const problems: RowProblem[] = [];
  for (const { row, line, cells } of dataRecords(records, width, problems)) {
    const at = { row, line };
    const before = problems.length;
    const lat = coordinate(cells, column.latitude, 'latitude', 90, at, problems);
    const lon = coordinate(cells, column.longitude, 'longitude', 180, at, problems);
    const dayMs = day(cells[column[dateColumn]] ?? '', dateColumn, at, problems);
    if (problems.length !== before) continue;
    const confidence =
      column.gfw_integrated_alerts__confidence === -1
        ? ''
        : (cells[column.gfw_integrated_alerts__confidence] ?? '').trim();
    rows.push({
      row,
      line: line,
      externalId: `gfw:${new Date(dayMs as number).toISOString().slice(0, 10)}:${lat},${lon}`,
      kind: 'forest_loss_alert',
      timeMs: dayMs as number,
      endTimeMs: undefined,
      geometry: { type: 'Point', coordinates: [lon as number, lat as number] },
      source: undefined,
      station: undefined,
      attributes: { ...attributesOf(cells, others), ...(confidence === '' ? {} : { confidence }) },
    });
  }
  return { rows, problems };
}
