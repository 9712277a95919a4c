import { parse as csvParseReference } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locateJsonError, MAX_CSV_SYNTAX_ERRORS, parseDecimal, readCsvRecords } from './body-reader.ts';
import { type ParsedObservation, parseObservations } from './observation-parser.ts';
import { bodyFormatOf } from './row-problem.ts';

const T0 = Date.UTC(2026, 10, 23, 8);

describe('parseObservations: JSON', () => {
  it('reads an array of observations, ignoring unknown fields', () => {
    const body = JSON.stringify([
      { series: ' river-3.level ', time: '2026-11-23T08:00:00Z', value: 1.25, unit: 'm', note: 'ignored' },
      { series: 42, time: '2026-11-23T09:00:00+01:00', value: -3 },
    ]);
    expect(parseObservations(body, 'json')).toEqual({
      rows: [
        { row: 0, series: 'river-3.level', timeMs: T0, value: 1.25, unit: 'm' },
        { row: 1, series: '42', timeMs: T0, value: -3, unit: undefined },
      ],
      problems: [],
    });
  });

  it('wants an array, not a single object', () => {
    const body = JSON.stringify({ series: 's', time: '2026-11-23T08:00:00Z', value: 1 });
    expect(parseObservations(body, 'json')).toEqual({
      rows: [],
      problems: [{ row: -1, pointer: '', reason: 'expected a JSON array of observations' }],
    });
  });

  it('reports invalid JSON once, with its line and column', () => {
    const result = parseObservations(
      '[\n  {"series": "a", "time": "2026-11-23T08:00:00Z", "value": }\n]',
      'json',
    );
    expect(result.rows).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ row: -1, line: 2 });
    expect(result.problems[0]!.reason).toMatch(/^invalid JSON at line 2, column 60: /);
    // V8's message quotes the input; the reason must not.
    expect(result.problems[0]!.reason).not.toContain('series');
  });

  it('reports an empty body', () => {
    expect(parseObservations('  \n', 'json').problems).toEqual([{ row: -1, reason: 'the body is empty' }]);
  });

  it('names every bad field of every bad row by JSON pointer, and keeps the good rows', () => {
    const body = JSON.stringify([
      { series: 's', time: '2026-11-23T08:00:00Z', value: 1 },
      { series: 's', time: '2026-11-23T08:00:00', value: '2.5' },
      'not an object',
      { time: '2026-11-23T08:00:00Z', value: 3, unit: 5 },
      { series: 1.5, time: 17, value: null },
    ]);
    const result = parseObservations(body, 'json');
    expect(result.rows.map((r) => r.row)).toEqual([0]);
    expect(result.problems).toEqual([
      { row: 1, pointer: '/1/time', field: 'time', reason: 'time zone missing (add Z for UTC)' },
      { row: 1, pointer: '/1/value', field: 'value', reason: 'value must be a JSON number, got string' },
      { row: 2, pointer: '/2', reason: 'expected an observation object, got string' },
      { row: 3, pointer: '/3/series', field: 'series', reason: 'series is required' },
      { row: 3, pointer: '/3/unit', field: 'unit', reason: 'unit must be a string, got number' },
      {
        row: 4,
        pointer: '/4/series',
        field: 'series',
        reason: 'series must be a string or an integer, got 1.5',
      },
      {
        row: 4,
        pointer: '/4/time',
        field: 'time',
        reason: 'time must be an ISO 8601 string like 2026-11-23T08:00:00Z, got number',
      },
      { row: 4, pointer: '/4/value', field: 'value', reason: 'value must be a JSON number, got null' },
    ]);
  });
});

describe('parseObservations: NDJSON', () => {
  it('reads one object per line, skipping blank lines, with each row line', () => {
    const body = [
      '{"series":"a","time":"2026-11-23T08:00:00Z","value":1}',
      '',
      '   ',
      '{"series":"b","time":"2026-11-23T08:00:00Z","value":2,"unit":"mg/l"}\r',
    ].join('\n');
    expect(parseObservations(body, 'ndjson')).toEqual({
      rows: [
        { row: 0, line: 1, series: 'a', timeMs: T0, value: 1, unit: undefined },
        { row: 1, line: 4, series: 'b', timeMs: T0, value: 2, unit: 'mg/l' },
      ],
      problems: [],
    });
  });

  it('names bad lines and fields', () => {
    const body = [
      '{"series":"a","time":"2026-11-23T08:00:00Z","value":1}',
      '{"series":"a","time":"2026-11-23 08:00:00Z","value":"1"}',
      '',
      '{"series":"a", oops}',
      '[1]',
    ].join('\n');
    const result = parseObservations(body, 'ndjson');
    expect(result.rows).toHaveLength(1);
    expect(result.problems).toEqual([
      {
        row: 1,
        line: 2,
        field: 'time',
        reason: "expected ISO 8601 like 2026-11-23T08:00:00Z (use 'T' between date and time, not a space)",
      },
      { row: 1, line: 2, field: 'value', reason: 'value must be a JSON number, got string' },
      { row: 2, line: 4, reason: expect.stringMatching(/^invalid JSON at column 16: /) },
      { row: 3, line: 5, reason: 'expected an observation object, got array' },
    ]);
  });

  it('accepts an empty body as an empty batch', () => {
    expect(parseObservations('\n\n', 'ndjson')).toEqual({ rows: [], problems: [] });
  });
});

describe('parseObservations: CSV', () => {
  it('reads columns in any order and case, strips a BOM, and ignores unknown columns', () => {
    const body =
      '\uFEFFValue,comment,TIME,Series\r\n1.5,x,2026-11-23T08:00:00Z,s1\r\n-1.5e3,,2026-11-23T08:00:00Z,s2\r\n';
    expect(parseObservations(body, 'csv')).toEqual({
      rows: [
        { row: 0, line: 2, series: 's1', timeMs: T0, value: 1.5, unit: undefined },
        { row: 1, line: 3, series: 's2', timeMs: T0, value: -1500, unit: undefined },
      ],
      problems: [],
    });
  });

  it('reads quoted fields, and gives the physical line of rows after quoted line breaks', () => {
    const body = [
      'series,time,value,unit',
      '"river ""north""\nlevel",2026-11-23T08:00:00Z,1,"m"',
      '"a,b",2026-11-23T08:00:00Z,2,',
      'c,2026-11-23T08:00:00Z,oops,',
    ].join('\n');
    const result = parseObservations(body, 'csv');
    expect(result.rows).toEqual([
      { row: 0, line: 2, series: 'river "north"\nlevel', timeMs: T0, value: 1, unit: 'm' },
      { row: 1, line: 4, series: 'a,b', timeMs: T0, value: 2, unit: undefined },
    ]);
    expect(result.problems).toEqual([{ row: 2, line: 5, field: 'value', reason: 'value must be a number' }]);
  });

  it.each(['abc', '', 'NaN', 'Infinity', '-Infinity', '"1,5"', '0x10', '1e', '.', '1e999', '1 2'])(
    'refuses the value %j',
    (value) => {
      const result = parseObservations(`series,time,value\ns,2026-11-23T08:00:00Z,${value}\n`, 'csv');
      expect(result).toEqual({
        rows: [],
        problems: [{ row: 0, line: 2, field: 'value', reason: 'value must be a number' }],
      });
    },
  );

  it.each([
    ['-1.5e3', -1500],
    ['+2', 2],
    ['.5', 0.5],
    ['5.', 5],
    [' 007 ', 7],
    ['1E-2', 0.01],
  ])('reads the value %j', (text, value) => {
    const result = parseObservations(`series,time,value\ns,2026-11-23T08:00:00Z,${text}\n`, 'csv');
    expect(result.rows[0]?.value).toBe(value);
  });

  it('names each missing required column', () => {
    expect(parseObservations('Series,unit\ns,m\n', 'csv')).toEqual({
      rows: [],
      problems: [
        { row: -1, line: 1, field: 'time', reason: 'missing required column "time" in the header row' },
        { row: -1, line: 1, field: 'value', reason: 'missing required column "value" in the header row' },
      ],
    });
  });

  it('refuses a column named twice', () => {
    expect(parseObservations('series,time,value,Time\n', 'csv').problems).toEqual([
      { row: -1, line: 1, field: 'Time', reason: 'column "Time" appears more than once in the header' },
    ]);
  });

  it('reports an empty body', () => {
    expect(parseObservations('', 'csv').problems).toEqual([
      { row: -1, reason: 'the body is empty; expected a CSV header row such as series,time,value,unit' },
    ]);
  });

  it('reports every bad row, one problem per bad field, and rows of the wrong width', () => {
    const body = [
      'series,time,value',
      's,2026-11-23T08:00:00Z,1',
      ',2026-11-23T08:00:00,x',
      '',
      's,2026-11-23T08:00:00Z',
      's,2026-11-23T08:00:00Z,1,extra',
      's,2026-02-30T08:00:00Z,1',
    ].join('\n');
    const result = parseObservations(body, 'csv');
    expect(result.rows.map((r) => r.row)).toEqual([0]);
    expect(result.problems).toEqual([
      { row: 1, line: 3, field: 'series', reason: 'series is required' },
      { row: 1, line: 3, field: 'time', reason: 'time zone missing (add Z for UTC)' },
      { row: 1, line: 3, field: 'value', reason: 'value must be a number' },
      { row: 2, line: 5, reason: 'expected 3 columns as in the header, got 2' },
      { row: 3, line: 6, reason: 'expected 3 columns as in the header, got 4' },
      { row: 4, line: 7, field: 'time', reason: 'day 30 is out of range for 2026-02 (1-28)' },
    ]);
  });

  it('reports malformed quoting on its line and goes on reading the rows after it', () => {
    const body = [
      'series,time,value',
      's,2026-11-23T08:00:00Z,1',
      'a"b,2026-11-23T08:00:00Z,2',
      's,2026-11-23T08:00:00Z,3',
      '"unclosed,2026-11-23T08:00:00Z,4',
      's,2026-11-23T08:00:00Z,5',
    ].join('\n');
    const result = parseObservations(body, 'csv');
    expect(result.rows.map((r) => [r.row, r.line, r.value])).toEqual([
      [0, 2, 1],
      [2, 4, 3],
    ]);
    expect(result.problems).toEqual([
      { row: 1, line: 3, reason: expect.stringContaining('a double quote inside an unquoted field') },
      { row: 3, line: 5, reason: expect.stringContaining('is never closed') },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties

/** Text that survives trimming as at least one character; may hold commas, quotes and line breaks. */
const seriesText = fc
  .string({
    minLength: 1,
    maxLength: 12,
    unit: fc.constantFrom('a', 'Z', '7', '.', '-', ' ', ',', '"', '\n', '\r\n', 'é', '水'),
  })
  .filter((s) => s.trim() !== '');

const observationArbitrary = fc.record({
  series: fc.oneof(seriesText, fc.integer({ min: 0, max: 1_000_000 })),
  date: fc.date({
    min: new Date('1900-01-01T00:00:00Z'),
    max: new Date('2100-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  }),
  offsetMinutes: fc.constantFrom(0, 60, -330, 840),
  value: fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
  unit: fc.option(seriesText, { nil: undefined }),
});
type Generated = typeof observationArbitrary extends fc.Arbitrary<infer T> ? T : never;

function timeText({ date, offsetMinutes }: Generated): string {
  if (offsetMinutes === 0) return date.toISOString();
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const abs = Math.abs(offsetMinutes);
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function expected(generated: readonly Generated[]): Omit<ParsedObservation, 'line'>[] {
  return generated.map((g, row) => ({
    row,
    series: String(g.series).trim(),
    timeMs: g.date.getTime(),
    value: g.value,
    unit: g.unit?.trim(),
  }));
}

function withoutLines(rows: readonly ParsedObservation[]): Omit<ParsedObservation, 'line'>[] {
  return rows.map(({ line: _line, ...rest }) => rest);
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function toCsv(generated: readonly Generated[]): { body: string; lines: number[] } {
  let body = 'unit,VALUE,series,time\r\n';
  let line = 2;
  const lines: number[] = [];
  for (const g of generated) {
    const record = `${csvCell(g.unit ?? '')},${g.value},${csvCell(String(g.series))},${timeText(g)}\r\n`;
    lines.push(line);
    line += record.split('\n').length - 1;
    body += record;
  }
  return { body, lines };
}

describe('parseObservations: properties', () => {
  it('reads generated valid rows the same from JSON, NDJSON and CSV, with no problems', () => {
    fc.assert(
      fc.property(fc.array(observationArbitrary, { maxLength: 20 }), (generated) => {
        const records = generated.map((g) => ({
          series: g.series,
          time: timeText(g),
          value: g.value,
          unit: g.unit,
        }));
        const want = expected(generated);

        const json = parseObservations(JSON.stringify(records), 'json');
        expect(json).toEqual({ rows: want, problems: [] });

        const ndjson = parseObservations(records.map((r) => JSON.stringify(r)).join('\n'), 'ndjson');
        expect(ndjson.problems).toEqual([]);
        expect(withoutLines(ndjson.rows)).toEqual(want);
        expect(ndjson.rows.map((r) => r.line)).toEqual(generated.map((_, i) => i + 1));

        const csv = toCsv(generated);
        const parsed = parseObservations(csv.body, 'csv');
        expect(parsed.problems).toEqual([]);
        expect(withoutLines(parsed.rows)).toEqual(want);
        expect(parsed.rows.map((r) => r.line)).toEqual(csv.lines);
      }),
      { numRuns: 300 },
    );
  });

  it('names the physical line of a bad CSV row after quoted line breaks', () => {
    fc.assert(
      fc.property(
        fc.array(observationArbitrary, { minLength: 1, maxLength: 15 }),
        fc.nat(),
        (generated, pick) => {
          const bad = pick % generated.length;
          const csv = toCsv(generated.map((g, i) => (i === bad ? { ...g, value: Number.NaN } : g)));
          const result = parseObservations(csv.body, 'csv');
          expect(result.problems).toEqual([
            { row: bad, line: csv.lines[bad], field: 'value', reason: 'value must be a number' },
          ]);
          expect(result.rows).toHaveLength(generated.length - 1);
        },
      ),
    );
  });

  it('never throws on arbitrary text in any format', () => {
    const csvish = fc
      .array(
        fc.constantFrom(
          'series',
          'time',
          'value',
          ',',
          '"',
          '\n',
          '\r',
          '\r\n',
          ' ',
          'x',
          '1',
          '2026-11-23T08:00:00Z',
        ),
        {
          maxLength: 40,
        },
      )
      .map((parts) => parts.join(''));
    const jsonish = fc.oneof(
      fc.json(),
      fc
        .array(
          fc.constantFrom(
            '[',
            ']',
            '{',
            '}',
            ',',
            ':',
            '"series"',
            '"time"',
            '"value"',
            '1',
            'null',
            '\n',
            '"',
          ),
          { maxLength: 30 },
        )
        .map((p) => p.join('')),
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), csvish, jsonish, fc.string({ unit: 'binary' })), (text) => {
        for (const format of ['json', 'ndjson', 'csv'] as const) {
          const result = parseObservations(text, format);
          for (const problem of result.problems) expect(typeof problem.reason).toBe('string');
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// The shared readers of row-problem.ts, tested here because this parser is their first user.

describe('bodyFormatOf', () => {
  it.each([
    ['application/json', 'json'],
    ['Application/JSON; charset=utf-8', 'json'],
    ['application/x-ndjson', 'ndjson'],
    ['application/ndjson', 'ndjson'],
    ['application/jsonl', 'ndjson'],
    ['text/csv;charset=UTF-8', 'csv'],
    [' TEXT/CSV ', 'csv'],
    ['application/geo+json', 'geojson'],
    ['text/plain', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (contentType, format) => {
    expect(bodyFormatOf(contentType)).toBe(format);
  });
});

describe('locateJsonError', () => {
  it('finds where JSON goes wrong', () => {
    expect(locateJsonError('[1,]')).toBe(3);
    expect(locateJsonError('{"a":1,}')).toBe(7);
    expect(locateJsonError('[tru]')).toBe(4);
    expect(locateJsonError('"abc')).toBe(4);
    expect(locateJsonError('[1] x')).toBe(4);
    expect(locateJsonError('')).toBe(0);
    expect(locateJsonError('01')).toBe(1);
    expect(locateJsonError('"\\x"')).toBe(2);
    expect(locateJsonError('[[[[')).toBe(4);
  });

  it('survives deep nesting', () => {
    expect(locateJsonError(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)).toBeUndefined();
  });

  it('agrees with JSON.parse on what is valid', () => {
    const tokens = fc
      .array(
        fc.constantFrom(
          '[',
          ']',
          '{',
          '}',
          ',',
          ':',
          '"a"',
          '"\\u00e9"',
          '"\\q"',
          '-',
          '0',
          '1',
          '.',
          'e',
          '+',
          'true',
          'nul',
          ' ',
          '\n',
          '\t',
        ),
        {
          maxLength: 25,
        },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), tokens), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const offset = locateJsonError(text);
        expect(offset === undefined).toBe(valid);
        if (offset !== undefined) expect(offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseDecimal', () => {
  it('reads decimal numbers and refuses everything else', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(parseDecimal(String(value))).toBe(Number(String(value)));
      }),
    );
    for (const text of ['', '-', '+', '.', 'e5', '1e', '1e+', '1.2.3', '--1', '1_000', ' 1', 'Infinity']) {
      expect(parseDecimal(text)).toBeNaN();
    }
  });
});

describe('readCsvRecords', () => {
  /** csv-parse's own reading, with its (slow) line info: the reference the fast path must match. */
  function reference(body: string): { line: number; cells: string[] }[] | undefined {
    let rows: { record: string[]; info: { lines: number } }[];
    try {
      rows = csvParseReference(body, {
        bom: true,
        info: true,
        relax_column_count: true,
        record_delimiter: ['\r\n', '\n', '\r'],
      }) as unknown as typeof rows; // the typings do not model `info: true`
    } catch {
      return undefined;
    }
    const records: { line: number; cells: string[] }[] = [];
    let line = 1;
    for (const { record, info } of rows) {
      if (!(record.length === 1 && record[0]!.trim() === '')) records.push({ line, cells: record });
      line = info.lines + 1;
    }
    return records;
  }

  it('reads the records csv-parse reads, on the lines it gives when no CR is quoted', () => {
    const parts = fc.constantFrom(
      'a',
      'b,',
      ',',
      ' ',
      '\n',
      '\r\n',
      '\r',
      '"',
      '""',
      '"x"',
      '"\n"',
      ',"y,z"',
      '\uFEFF',
      'é',
    );
    fc.assert(
      fc.property(fc.array(parts, { maxLength: 30 }), (chosen) => {
        const body = chosen.join('');
        const want = reference(body);
        if (want === undefined) return; // malformed quoting: covered by the example tests
        const got = readCsvRecords(body);
        expect(got.map((r) => r.cells)).toEqual(want.map((r) => r.cells));
        // csv-parse counts a CRLF inside quotes as two lines (see below), so its lines are the reference only
        // when no quoted field can hold a CR.
        if (!(body.includes('"') && body.includes('\r'))) expect(got).toEqual(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('counts a CRLF inside a quoted field as one line, unlike csv-parse info.lines', () => {
    expect(readCsvRecords('a\r\n"x\r\ny"\r\nb\r\n')).toEqual([
      { line: 1, cells: ['a'] },
      { line: 2, cells: ['x\r\ny'] },
      { line: 4, cells: ['b'] },
    ]);
    expect(reference('a\r\n"x\r\ny"\r\nb\r\n')?.[2]?.line).toBe(5);
  });

  it('stops reading after MAX_CSV_SYNTAX_ERRORS bad quotes, keeping what came before and saying where it stopped', () => {
    // One line of 400 000 bad closing quotes: csv-parse would raise an Error for each.
    const flood = Array.from({ length: 400_000 }, () => '"a"b').join(',');
    const records = readCsvRecords(
      `s,t,v\n"ok","2026-01-01T00:00:00Z",1\n${flood}\nlater,2026-01-01T00:00:00Z,2\n`,
    );
    expect(records.slice(0, 2)).toEqual([
      { line: 1, cells: ['s', 't', 'v'] },
      { line: 2, cells: ['ok', '2026-01-01T00:00:00Z', '1'] },
    ]);
    expect(records.at(-1)?.error).toMatch(`stopped here after ${MAX_CSV_SYNTAX_ERRORS} syntax errors`);
    expect(records.length).toBeLessThanOrEqual(MAX_CSV_SYNTAX_ERRORS + 3);
    expect(records.some((r) => r.cells?.[0] === 'later')).toBe(false);

    // Many bad lines: each is named by its line until the limit.
    const badLines = Array.from({ length: 3000 }, (_, i) => `"s${i}"x,2026-01-01T00:00:00Z,1`).join('\n');
    const named = readCsvRecords(`s,t,v\n${badLines}\n`);
    expect(named[1]).toEqual({ line: 2, error: expect.stringMatching(/closing double quote/) });
    expect(named[2]).toEqual({ line: 3, error: expect.stringMatching(/closing double quote/) });
    expect(named.at(-1)?.error).toMatch(/stopped here/);
  });
});
