/** @module Format-level readers of ingestion bodies (JSON, NDJSON, CSV) that keep each record's line, shared by the row parsers. */
import { parse as parseCsv } from 'csv-parse/sync';
import { problemAt, type RowProblem } from './row-problem.ts';

const BOM = 0xfeff;

/** RFC 8259 §8.1 lets a parser ignore a byte order mark; spreadsheets write one before CSV too. */
function withoutBom(body: string): string {
  return body.charCodeAt(0) === BOM ? body.slice(1) : body;
}

// ---------------------------------------------------------------------------------------------------------
// JSON

export type JsonBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: RowProblem };

/** Parses a whole JSON body; a syntax error becomes one whole-body problem naming its line and column. */
export function readJsonBody(body: string): JsonBody {
  const text = withoutBom(body);
  if (skipJsonSpace(text, 0) === text.length) {
    return { ok: false, problem: problemAt(-1, undefined, undefined, undefined, 'the body is empty') };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const offset = locateJsonError(text);
    if (offset === undefined) {
      return {
        ok: false,
        problem: problemAt(-1, undefined, undefined, undefined, `invalid JSON: ${syntaxMessage(error)}`),
      };
    }
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    const reason = `invalid JSON at line ${line}, column ${offset - lineStart + 1}: ${syntaxMessage(error)}`;
    return { ok: false, problem: problemAt(-1, line, undefined, undefined, reason) };
  }
}

/**
 * V8's message without the copy of the input it quotes ("Unexpected token '}', "[{…" is not valid JSON") or its
 * position, which we report ourselves: the quoted input could be large or sensitive.
 */
function syntaxMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (const cut of [' in JSON at position', ', "', ', ..."']) {
    const at = message.indexOf(cut);
    if (at !== -1) message = message.slice(0, at);
  }
  return message;
}

/**
 * The UTF-16 offset of the first syntax error in `text` under RFC 8259, or undefined if `text` is one valid JSON
 * value. Used only after JSON.parse has failed, because Node 20's messages give no position for an unexpected
 * token. Iterative with an explicit stack, so deep nesting cannot overflow the call stack.
 */
export function locateJsonError(text: string): number | undefined {
  const end = text.length;
  const open: number[] = [];
  let i = skipJsonSpace(text, 0);
  for (;;) {
    // A value starts at i.
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      i = skipJsonSpace(text, i + 1);
      if (text.charCodeAt(i) === (c === 123 ? 125 : 93)) {
        i++;
      } else {
        open.push(c);
        if (c === 123) {
          i = scanMemberName(text, i);
          if (i < 0) return ~i;
        }
        continue;
      }
    } else if (c === 34 /* " */) {
      i = scanJsonString(text, i);
      if (i < 0) return ~i;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      i = scanJsonNumber(text, i);
      if (i < 0) return ~i;
    } else if (c === 116 /* t */ || c === 102 /* f */ || c === 110 /* n */) {
      const word = c === 116 ? 'true' : c === 102 ? 'false' : 'null';
      for (let k = 1; k < word.length; k++) {
        if (text.charCodeAt(i + k) !== word.charCodeAt(k)) return i + k;
      }
      i += word.length;
    } else {
      return i;
    }
    // After a value: close containers, or go on after a comma.
    for (;;) {
      i = skipJsonSpace(text, i);
      const container = open[open.length - 1];
      if (container === undefined) return i === end ? undefined : i;
      const next = text.charCodeAt(i);
      if (next === 44 /* , */) {
        i = skipJsonSpace(text, i + 1);
        if (container === 123) {
          i = scanMemberName(text, i);
          if (i < 0) return ~i;
        }
        break;
      }
      if (next !== (container === 123 ? 125 : 93)) return i;
      open.pop();
      i++;
    }
  }
}

/** Skips JSON's insignificant whitespace (RFC 8259 §2: space, tab, LF, CR). */
function skipJsonSpace(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  return i;
}

/** `"name" :` then space; returns where the value starts, or ~offset of the error. */
function scanMemberName(text: string, from: number): number {
  if (text.charCodeAt(from) !== 34) return ~from;
  let i = scanJsonString(text, from);
  if (i < 0) return i;
  i = skipJsonSpace(text, i);
  if (text.charCodeAt(i) !== 58 /* : */) return ~i;
  return skipJsonSpace(text, i + 1);
}

/** A string starting at the quote `from` (RFC 8259 §7); returns the offset after it, or ~offset of the error. */
function scanJsonString(text: string, from: number): number {
  const end = text.length;
  let i = from + 1;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 0x20) return ~i;
    if (c !== 92 /* \ */) {
      i++;
      continue;
    }
    const escaped = text.charCodeAt(i + 1);
    if (escaped === 117 /* u */) {
      for (let k = 2; k < 6; k++) {
        const h = text.charCodeAt(i + k);
        if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) return ~(i + k);
      }
      i += 6;
    } else if (
      escaped === 34 ||
      escaped === 92 ||
      escaped === 47 ||
      escaped === 98 ||
      escaped === 102 ||
      escaped === 110 ||
      escaped === 114 ||
      escaped === 116
    ) {
      i += 2;
    } else {
      return ~(i + 1);
    }
  }
  return ~end;
}

/** A number starting at `from` (RFC 8259 §6); returns the offset after it, or ~offset of the error. */
function scanJsonNumber(text: string, from: number): number {
  let i = from;
  if (text.charCodeAt(i) === 45) i++;
  if (text.charCodeAt(i) === 48) {
    i++;
  } else {
    const start = i;
    i = skipDigits(text, i);
    if (i === start) return ~i;
  }
  if (text.charCodeAt(i) === 46 /* . */) {
    const start = ++i;
    i = skipDigits(text, i);
    if (i === start) return ~i;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const start = i;
    i = skipDigits(text, i);
    if (i === start) return ~i;
  }
  return i;
}

function skipDigits(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i));
  return i;
}

// ---------------------------------------------------------------------------------------------------------
// NDJSON

/** One non-blank NDJSON line: its parsed value, or why it is not JSON. */
export type NdjsonRecord =
  | { readonly line: number; readonly value: unknown; readonly error?: undefined }
  | { readonly line: number; readonly value?: undefined; readonly error: string };

/**
 * Splits NDJSON / JSON Lines into one JSON text per line (LF or CRLF), skipping lines that are blank or hold only
 * JSON whitespace.
 */
export function readNdjsonRecords(body: string): NdjsonRecord[] {
  const text = withoutBom(body);
  const records: NdjsonRecord[] = [];
  const end = text.length;
  let line = 0;
  for (let start = 0; start < end; ) {
    line++;
    let stop = text.indexOf('\n', start);
    if (stop === -1) stop = end;
    const next = stop + 1;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    const json = text.slice(start, stop);
    start = next;
    if (skipJsonSpace(json, 0) === json.length) continue;
    try {
      records.push({ line, value: JSON.parse(json) });
    } catch (error) {
      const offset = locateJsonError(json);
      const where = offset === undefined ? '' : ` at column ${offset + 1}`;
      records.push({ line, error: `invalid JSON${where}: ${syntaxMessage(error)}` });
    }
  }
  return records;
}

// ---------------------------------------------------------------------------------------------------------
// CSV

/** One non-blank CSV record with the physical line it starts on, or the syntax error that stopped it. */
export type CsvRecord =
  | { readonly line: number; readonly cells: string[]; readonly error?: undefined }
  | { readonly line: number; readonly cells?: undefined; readonly error: string };

/**
 * Reads RFC 4180 records with the 1-based physical line each starts on. Records may end in CRLF, LF or CR.
 * Blank lines are skipped. Records of any width are returned: the caller compares them with the header.
 *
 * Simple lines are split here, 4–5 times faster than csv-parse: a line is simple when each comma-separated
 * piece is either free of double quotes or wholly wrapped in them with no quote, comma or line break inside
 * (`a,"b",1.5`, what spreadsheets and R's write.csv produce). From the first line that is not simple (escaped
 * quotes, quoted commas or line breaks, a lone CR, malformed quoting) the rest of the body goes to csv-parse.
 */
export function readCsvRecords(body: string): CsvRecord[] {
  const text = withoutBom(body);
  const records: CsvRecord[] = [];
  const end = text.length;
  let line = 0;
  for (let start = 0; start < end; ) {
    line++;
    let stop = text.indexOf('\n', start);
    if (stop === -1) stop = end;
    const next = stop + 1;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    const content = text.slice(start, stop);
    const cells = content.indexOf('\r') === -1 ? splitSimpleLine(content) : undefined;
    if (cells === undefined && content.indexOf('\r') === -1 && !opensQuotedField(content)) {
      // Quotes only inside unquoted fields: the record ends with the line and is refused, as csv-parse would,
      // but here in linear time — csv-parse reports each such quote with the field so far (quadratic).
      records.push({ line, error: csvSyntaxReason('INVALID_OPENING_QUOTE', '') });
      start = next;
      continue;
    }
    if (cells === undefined) {
      // Everything before `start` was whole records, so csv-parse starts outside any quoted field.
      for (const record of readWithCsvParse(text.slice(start), line)) records.push(record);
      return records;
    }
    start = next;
    // A blank line, as csv-parse sees it: one cell holding nothing but white space.
    if (cells.length === 1 && cells[0]!.trim() === '') continue;
    records.push({ line, cells });
  }
  return records;
}

/** True if a field of the line starts with a double quote, so that the record may go on past the line. */
function opensQuotedField(content: string): boolean {
  return content.charCodeAt(0) === 34 || content.includes(',"');
}

/** The cells of a simple line (see readCsvRecords), or undefined if csv-parse must read it. */
function splitSimpleLine(content: string): string[] | undefined {
  const cells = content.split(',');
  if (content.indexOf('"') === -1) return cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (cell.indexOf('"') === -1) continue;
    const last = cell.length - 1;
    if (
      last < 1 ||
      cell.charCodeAt(0) !== 34 ||
      cell.charCodeAt(last) !== 34 ||
      cell.indexOf('"', 1) !== last
    ) {
      return undefined;
    }
    cells[i] = cell.slice(1, last);
  }
  return cells;
}

interface CsvSkip {
  /** How many records csv-parse had returned before this one. */
  readonly before: number;
  /** The line, counted from the start of csv-parse's input, on which it noticed the error. */
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

/**
 * csv-parse reports every bad quote, each as an Error with a stack (≈ 13 µs): a 16 MiB line of `"a"b,` is four
 * million of them, two minutes of a blocked event loop. Past this many the rest of the body is not read.
 */
export const MAX_CSV_SYNTAX_ERRORS = 1000;

/** Thrown from csv-parse's on_skip to stop it; never leaves this module. */
class TooManyCsvErrors extends Error {}

/** Reads `text`, whose first line is line `firstLine` of the body, with csv-parse. */
function readWithCsvParse(text: string, firstLine: number): CsvRecord[] {
  const skips: CsvSkip[] = [];
  // Gathered here rather than returned, so that the records before a stop are kept.
  const rows: string[][] = [];
  let stopped = false;
  try {
    parseCsv(text, {
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_records_with_error: true,
      on_record: (record: string[]) => {
        rows.push(record);
        return null;
      },
      on_skip: (error) => {
        if (error !== undefined) {
          if (skips.length === MAX_CSV_SYNTAX_ERRORS) throw new TooManyCsvErrors();
          skips.push({
            before: typeof error.records === 'number' ? error.records : 0,
            line: typeof error.lines === 'number' ? error.lines : 0,
            code: error.code,
            message: error.message,
          });
        }
        return undefined;
      },
    });
  } catch (error) {
    if (error instanceof TooManyCsvErrors) stopped = true;
    else {
      // Not expected with these options; still a body problem, not a crash.
      const lines = error instanceof Error ? (error as Error & { lines?: unknown }).lines : undefined;
      const message = error instanceof Error ? error.message : String(error);
      return [
        {
          line: firstLine - 1 + (typeof lines === 'number' ? lines : 1),
          error: `CSV could not be read: ${message}`,
        },
      ];
    }
  }

  // csv-parse returns no line numbers (its `info` option triples the cost), but each record starts on the line
  // after the previous one ended, and it spans one line plus as many as its quoted cells hold line breaks.
  // After a skipped record, csv-parse goes on from the line after the one where it noticed the error.
  const records: CsvRecord[] = [];
  const offset = firstLine - 1;
  // csv-parse counts CR and LF of a CRLF as two lines in its errors: no line is named past the last one.
  const lastLine = firstLine + lineBreaksIn([text]);
  let line = firstLine;
  let skip = 0;
  for (let r = 0; r <= rows.length; r++) {
    for (let s = skips[skip]; s !== undefined && s.before === r; s = skips[++skip]) {
      // csv-parse reports every bad quote of a record; the record is skipped once, on its first.
      const previous = skips[skip - 1];
      if (previous !== undefined && previous.before === s.before && previous.line === s.line) continue;
      const noticed = Math.min(lastLine, Math.max(line, offset + s.line));
      records.push({
        line: s.code === 'CSV_QUOTE_NOT_CLOSED' ? Math.min(line, lastLine) : noticed,
        error: csvSyntaxReason(s.code, s.message),
      });
      line = noticed + 1;
    }
    const cells = rows[r];
    if (cells === undefined) break;
    if (!(cells.length === 1 && cells[0]!.trim() === ''))
      records.push({ line: Math.min(line, lastLine), cells });
    line += 1 + lineBreaksIn(cells);
  }
  if (stopped)
    records.push({
      line: Math.min(line, lastLine),
      error: `CSV reading stopped here after ${MAX_CSV_SYNTAX_ERRORS} syntax errors; the rest of the body was not read`,
    });
  return records;
}

function csvSyntaxReason(code: string, message: string): string {
  switch (code) {
    case 'INVALID_OPENING_QUOTE':
      return 'a double quote inside an unquoted field: quote the whole field and double the quotes inside it (RFC 4180 §2.5-2.7)';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a closing double quote must be followed by a comma or the end of the line (RFC 4180 §2.6-2.7); the lines after it may be misread';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field that starts in this record is never closed (RFC 4180 §2.6)';
    default:
      return `CSV syntax error: ${message}`;
  }
}

/** Line breaks (CRLF, LF or CR, each counting once) inside the cells of one record. */
function lineBreaksIn(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) {
    if (cell.indexOf('\n') === -1 && cell.indexOf('\r') === -1) continue;
    for (let i = 0; i < cell.length; i++) {
      const c = cell.charCodeAt(i);
      if (c === 10) count++;
      else if (c === 13) {
        count++;
        if (cell.charCodeAt(i + 1) === 10) i++;
      }
    }
  }
  return count;
}

/** The problem with a record that cannot be a data row — unreadable, or not as wide as the header — if any. */
export function csvRecordProblem(record: CsvRecord, row: number, width: number): RowProblem | undefined {
  if (record.cells === undefined) return problemAt(row, record.line, undefined, undefined, record.error);
  if (record.cells.length !== width) {
    const reason = `expected ${width} columns as in the header, got ${record.cells.length}`;
    return problemAt(row, record.line, undefined, undefined, reason);
  }
  return undefined;
}

/** The columns a parser knows (-1 where absent) and the others, in header order. */
export interface CsvHeader<K extends string> {
  readonly line: number;
  readonly width: number;
  readonly column: Readonly<Record<K, number>>;
  readonly others: ReadonlyArray<{ readonly name: string; readonly index: number }>;
}

/**
 * Maps the header record: names are trimmed and matched without regard to case, in any order. A missing
 * required column or a name given twice is a whole-body problem, one per column. Columns with an empty name
 * (a trailing comma) are ignored.
 */
export function readCsvHeader<K extends string>(
  record: CsvRecord | undefined,
  known: readonly K[],
  required: readonly K[],
): { readonly header: CsvHeader<K> } | { readonly problems: RowProblem[] } {
  if (record === undefined) {
    return {
      problems: [
        problemAt(
          -1,
          undefined,
          undefined,
          undefined,
          `the body is empty; expected a CSV header row such as ${known.join(',')}`,
        ),
      ],
    };
  }
  if (record.cells === undefined) {
    return {
      problems: [
        problemAt(-1, record.line, undefined, undefined, `the header row cannot be read: ${record.error}`),
      ],
    };
  }
  const column = {} as Record<K, number>;
  for (const name of known) column[name] = -1;
  const others: { name: string; index: number }[] = [];
  const seen = new Set<string>();
  const problems: RowProblem[] = [];
  record.cells.forEach((cell, index) => {
    const name = cell.trim();
    if (name === '') return;
    const key = name.toLowerCase();
    if (seen.has(key)) {
      problems.push(
        problemAt(-1, record.line, undefined, name, `column "${name}" appears more than once in the header`),
      );
      return;
    }
    seen.add(key);
    if ((known as readonly string[]).includes(key)) column[key as K] = index;
    else others.push({ name, index });
  });
  for (const name of required) {
    if (column[name] === -1) {
      problems.push(
        problemAt(-1, record.line, undefined, name, `missing required column "${name}" in the header row`),
      );
    }
  }
  if (problems.length > 0) return { problems };
  return { header: { line: record.line, width: record.cells.length, column, others } };
}

// ---------------------------------------------------------------------------------------------------------
// Numbers written as text

/**
 * A decimal number as people write it in a CSV cell: optional sign, digits with an optional point, optional
 * exponent (`-1.5e3`, `+2`, `.5`, `007`). NaN for anything else, including "", "NaN", "Infinity", "0x10" and
 * "1,5", all of which Number() would accept or misread. The caller trims.
 */
export function parseDecimal(text: string): number {
  const end = text.length;
  let i = 0;
  const sign = text.charCodeAt(0);
  if (sign === 43 || sign === 45) i++;
  const integerStart = i;
  i = skipDigits(text, i);
  let digits = i - integerStart;
  if (text.charCodeAt(i) === 46) {
    const fractionStart = ++i;
    i = skipDigits(text, i);
    digits += i - fractionStart;
  }
  if (digits === 0) return Number.NaN;
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const expSign = text.charCodeAt(i);
    if (expSign === 43 || expSign === 45) i++;
    const exponentStart = i;
    i = skipDigits(text, i);
    if (i === exponentStart) return Number.NaN;
  }
  return i === end ? Number(text) : Number.NaN;
}

/** True if `text` is a number in JSON's own grammar (RFC 8259 §6): no sign '+', no leading zeros, no bare point. */
export function isJsonNumberText(text: string): boolean {
  return text.length > 0 && scanJsonNumber(text, 0) === text.length;
}
