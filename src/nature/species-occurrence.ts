/** @module Reads Darwin Core occurrence CSV (TDWG Darwin Core terms), naming the line and term of every problem; a batch with any problem is refused whole. */
import { csvRecordProblem, parseDecimal, readCsvHeader, readCsvRecords } from '../ingest/body-reader.ts';
import { parseIsoInstant } from '../ingest/iso-time.ts';
import { type ParseResult, problemAt, type RowProblem } from '../ingest/row-problem.ts';

/*
 * Darwin Core quick reference: https://dwc.tdwg.org/terms/ — occurrenceID, scientificName, eventDate,
 * decimalLatitude, decimalLongitude (WGS 84), individualCount, basisOfRecord, countryCode (ISO 3166-1
 * alpha-2), locality, informationWithheld, dataGeneralizations.
 */

/** The Darwin Core classes of basisOfRecord, also accepted in GBIF's upper-snake spelling (HUMAN_OBSERVATION). */
export const BASIS_OF_RECORD = [
  'HumanObservation',
  'MachineObservation',
  'Observation',
  'Occurrence',
  'MaterialSample',
  'MaterialCitation',
  'PreservedSpecimen',
  'LivingSpecimen',
  'FossilSpecimen',
] as const;
export type BasisOfRecord = (typeof BASIS_OF_RECORD)[number];

/** Records of living populations in the field: specimens in collections and citations do not count individuals there. */
export const COUNTED_BASES: readonly BasisOfRecord[] = [
  'HumanObservation',
  'MachineObservation',
  'Observation',
  'Occurrence',
];

export interface ParsedOccurrence {
  readonly row: number;
  readonly line: number;
  readonly occurrenceId: string;
  readonly scientificName: string;
  /** The start of eventDate as an instant: UTC midnight for a date, the start of an interval 'a/b'. */
  readonly eventDateMs: number;
  readonly lon: number;
  readonly lat: number;
  /** null when the record gives no count (presence only). */
  readonly individualCount: number | null;
  readonly basisOfRecord: BasisOfRecord;
  readonly countryCode: string | null;
  readonly locality: string | null;
  /** The record says its location was withheld or generalised (informationWithheld, dataGeneralizations). */
  readonly sensitive: boolean;
}

const COLUMNS = [
  'occurrenceid',
  'scientificname',
  'eventdate',
  'decimallatitude',
  'decimallongitude',
  'individualcount',
  'basisofrecord',
  'countrycode',
  'locality',
  'informationwithheld',
  'datageneralizations',
] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = [
  'occurrenceid',
  'scientificname',
  'eventdate',
  'decimallatitude',
  'decimallongitude',
  'basisofrecord',
];

/** The Darwin Core spelling of each column, for problems that name the term as the sender wrote it. */
const TERM: Readonly<Record<Column, string>> = {
  occurrenceid: 'occurrenceID',
  scientificname: 'scientificName',
  eventdate: 'eventDate',
  decimallatitude: 'decimalLatitude',
  decimallongitude: 'decimalLongitude',
  individualcount: 'individualCount',
  basisofrecord: 'basisOfRecord',
  countrycode: 'countryCode',
  locality: 'locality',
  informationwithheld: 'informationWithheld',
  datageneralizations: 'dataGeneralizations',
};

const BASIS_BY_KEY: ReadonlyMap<string, BasisOfRecord> = new Map(
  BASIS_OF_RECORD.flatMap((b) => [
    [b.toLowerCase(), b],
    [b.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toLowerCase(), b],
  ]),
);

const MAX_TEXT = 500;

/**
 * Reads a Darwin Core occurrence CSV: a header naming the terms (any order, any case), one occurrence per
 * row. Unknown columns are ignored (Darwin Core archives carry many). An occurrenceID may appear once per batch.
 */
export function parseOccurrences(body: string): ParseResult<ParsedOccurrence> {
  const records = readCsvRecords(body);
  const mapped = readCsvHeader(records[0], COLUMNS, REQUIRED);
  if ('problems' in mapped) {
    return { rows: [], problems: mapped.problems.map((p) => ({ ...p, ...termOf(p.field) })) };
  }
  const { width, column } = mapped.header;
  const rows: ParsedOccurrence[] = [];
  const problems: RowProblem[] = [];
  const firstLineOf = new Map<string, number>();
  for (let r = 1; r < records.length; r++) {
    const row = r - 1;
    const record = records[r]!;
    const unusable = csvRecordProblem(record, row, width);
    if (unusable || record.cells === undefined) {
      if (unusable) problems.push(unusable);
      continue;
    }
    const { line, cells } = record;
    const cell = (c: Column): string | undefined => {
      const index = column[c];
      if (index === -1) return undefined;
      const text = cells[index]!.trim();
      return text === '' ? undefined : text;
    };
    const before = problems.length;
    const report = (c: Column, reason: string) =>
      problems.push(problemAt(row, line, undefined, TERM[c], reason));

    const occurrenceId = requiredText(cell('occurrenceid'), 'occurrenceid', report);
    if (occurrenceId !== undefined) {
      const earlier = firstLineOf.get(occurrenceId);
      if (earlier !== undefined)
        report('occurrenceid', `occurrenceID "${occurrenceId}" is also on line ${earlier}`);
      else firstLineOf.set(occurrenceId, line);
    }
    const nameText = requiredText(cell('scientificname'), 'scientificname', report);
    const scientificName = nameText?.replace(/\s+/g, ' ');
    const eventDateMs = readEventDate(cell('eventdate'), report);
    const lat = readCoordinate(cell('decimallatitude'), 'decimallatitude', 90, report);
    const lon = readCoordinate(cell('decimallongitude'), 'decimallongitude', 180, report);
    const individualCount = readCount(cell('individualcount'), report);
    const basisOfRecord = readBasis(cell('basisofrecord'), report);
    const countryCode = readCountryCode(cell('countrycode'), report);
    const locality = optionalText(cell('locality'), 'locality', report);
    const withheld = optionalText(cell('informationwithheld'), 'informationwithheld', report);
    const generalised = optionalText(cell('datageneralizations'), 'datageneralizations', report);
    if (problems.length !== before) continue;
    rows.push({
      row,
      line,
      occurrenceId: occurrenceId!,
      scientificName: scientificName!,
      eventDateMs: eventDateMs!,
      lon: lon!,
      lat: lat!,
      individualCount: individualCount ?? null,
      basisOfRecord: basisOfRecord!,
      countryCode: countryCode ?? null,
      locality: locality ?? null,
      sensitive: withheld !== undefined || generalised !== undefined,
    });
  }
  return { rows, problems };
}

type Report = (column: Column, reason: string) => void;

function termOf(field: string | undefined): { field?: string } {
  if (field === undefined) return {};
  const column = field.toLowerCase() as Column;
  return { field: (COLUMNS as readonly string[]).includes(column) ? TERM[column] : field };
}

function requiredText(text: string | undefined, column: Column, report: Report): string | undefined {
  if (text === undefined) {
    report(column, `${TERM[column]} is required`);
    return undefined;
  }
  return optionalText(text, column, report);
}

function optionalText(text: string | undefined, column: Column, report: Report): string | undefined {
  if (text !== undefined && text.length > MAX_TEXT) {
    report(column, `${TERM[column]} is longer than ${MAX_TEXT} characters`);
    return undefined;
  }
  return text;
}

/**
 * eventDate as ISO 8601 (Darwin Core recommends it): a year `2019`, a month `2019-05`, a date `2019-05-04`,
 * a date-time with a zone, or an interval `a/b` read as its start `a`. A date-time without a zone is read as
 * its date: a local time names no instant, but the day is all that yearly population counts need.
 */
export function parseEventDate(text: string): { timeMs: number } | { reason: string } {
  const start = text.includes('/') ? text.slice(0, text.indexOf('/')) : text;
  const datePart = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(start);
  if (datePart !== null) {
    const year = Number(datePart[1]);
    const month = datePart[2] === undefined ? 1 : Number(datePart[2]);
    const day = datePart[3] === undefined ? 1 : Number(datePart[3]);
    const timeMs = Date.UTC(year, month - 1, day);
    const back = new Date(timeMs);
    // Date.UTC rolls 2019-02-30 over into March; a date that does not survive the round trip does not exist.
    if (month < 1 || month > 12 || back.getUTCDate() !== day || back.getUTCMonth() !== month - 1) {
      return { reason: `eventDate "${start}" is not a calendar date` };
    }
    return { timeMs: year < 100 ? new Date(timeMs).setUTCFullYear(year) : timeMs };
  }
  const instant = parseIsoInstant(start);
  if (instant.ok) return { timeMs: instant.timeMs };
  const local = /^(\d{4}-\d{2}-\d{2})[Tt]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/.exec(start);
  if (local !== null) return parseEventDate(local[1]!);
  return {
    reason: `eventDate must be ISO 8601 (2019-05-04, 2019-05-04T06:30Z or an interval 2019-05-04/2019-05-06): ${instant.reason}`,
  };
}

function readEventDate(text: string | undefined, report: Report): number | undefined {
  if (text === undefined) {
    report('eventdate', 'eventDate is required');
    return undefined;
  }
  const parsed = parseEventDate(text);
  if ('reason' in parsed) {
    report('eventdate', parsed.reason);
    return undefined;
  }
  return parsed.timeMs;
}

function readCoordinate(
  text: string | undefined,
  column: 'decimallatitude' | 'decimallongitude',
  limit: number,
  report: Report,
): number | undefined {
  if (text === undefined) {
    report(column, `${TERM[column]} is required`);
    return undefined;
  }
  const value = parseDecimal(text);
  if (!Number.isFinite(value)) {
    report(column, `${TERM[column]} must be a decimal number, got "${text}"`);
    return undefined;
  }
  if (value < -limit || value > limit) {
    report(column, `${TERM[column]} must be within [-${limit}, ${limit}], got ${value}`);
    return undefined;
  }
  return value;
}

function readCount(text: string | undefined, report: Report): number | undefined {
  if (text === undefined) return undefined;
  const value = parseDecimal(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    report('individualcount', `individualCount must be a whole number ≥ 0, got "${text}"`);
    return undefined;
  }
  return value;
}

function readBasis(text: string | undefined, report: Report): BasisOfRecord | undefined {
  if (text === undefined) {
    report('basisofrecord', 'basisOfRecord is required');
    return undefined;
  }
  const basis = BASIS_BY_KEY.get(text.toLowerCase());
  if (basis === undefined) {
    report('basisofrecord', `basisOfRecord "${text}" is not one of ${BASIS_OF_RECORD.join(', ')}`);
  }
  return basis;
}

function readCountryCode(text: string | undefined, report: Report): string | undefined {
  if (text === undefined) return undefined;
  if (!/^[A-Za-z]{2}$/.test(text)) {
    report('countrycode', `countryCode must be an ISO 3166-1 alpha-2 code such as BD, got "${text}"`);
    return undefined;
  }
  return text.toUpperCase();
}
