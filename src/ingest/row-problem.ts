/** @module Ingestion body formats, and where a problem lies in a body: row, line, JSON pointer, field. */

/**
 * Where in the input a problem is: CSV and NDJSON give the 1-based physical line, JSON gives an RFC 6901 JSON
 * pointer. NDJSON problems inside a geometry also carry a pointer, relative to that line's object.
 */
export interface RowProblem {
  /** 0-based index of the record in the batch, -1 for whole-body problems. */
  readonly row: number;
  readonly line?: number;
  readonly pointer?: string;
  readonly field?: string;
  readonly reason: string;
}

export type BodyFormat = 'json' | 'ndjson' | 'csv' | 'geojson';

/** The rows a parser could read, and every problem it found; a row with problems is not among the rows. */
export interface ParseResult<T> {
  readonly rows: T[];
  readonly problems: RowProblem[];
}

/** The body format named by a Content-Type header; parameters such as charset are ignored (RFC 9110 §8.3.1). */
export function bodyFormatOf(contentType: string | undefined): BodyFormat | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  switch (mediaType) {
    case 'application/json':
      return 'json';
    case 'application/x-ndjson':
    case 'application/ndjson':
    case 'application/jsonl':
      return 'ndjson';
    case 'text/csv':
      return 'csv';
    case 'application/geo+json':
      return 'geojson';
    default:
      return undefined;
  }
}

/** A problem with only the places that are known; exactOptionalPropertyTypes forbids `line: undefined`. */
export function problemAt(
  row: number,
  line: number | undefined,
  pointer: string | undefined,
  field: string | undefined,
  reason: string,
): RowProblem {
  const problem: { row: number; line?: number; pointer?: string; field?: string; reason: string } = {
    row,
    reason,
  };
  if (line !== undefined) problem.line = line;
  if (pointer !== undefined) problem.pointer = pointer;
  if (field !== undefined) problem.field = field;
  return problem;
}

/** The JSON type of a parsed value, for reasons such as "got string". */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
