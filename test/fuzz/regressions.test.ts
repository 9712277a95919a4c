/** What the parser fuzzing found, kept as plain cases named after what broke. */
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../src/ingest/body-reader.ts';
import { readWdpaFeatures } from '../../src/nature/wdpa-record.ts';
import { parseBucket } from '../../src/query/downsampling.ts';
import { parseCapXml } from '../../src/warn/cap/cap-xml.ts';

describe('found by fuzzing', () => {
  it('a CSV field with many stray quotes is one refused record on its own line (csv-parse reported each quote)', () => {
    const records = readCsvRecords(`series,time,value\n${'x"'.repeat(20_000)}\na,b,c`);
    expect(records.map((r) => [r.line, r.error === undefined])).toEqual([
      [1, true],
      [2, false],
      [3, true],
    ]);
  });

  it('a record with two bad quotes is one problem, not a second on a line past the end', () => {
    const records = readCsvRecords('series,time,value,unit\n xml:base="javascript:alert(1)",1970,0,');
    expect(records).toHaveLength(2);
    expect(records[1]?.line).toBe(2);
  });

  it('CRLF bodies name no line past the last after a quoting error (csv-parse counts CR and LF apart)', () => {
    const body = 'h\r\n"a"\r\n"b"x\r\n"c"\r\nq';
    for (const record of readCsvRecords(body)) expect(record.line).toBeLessThanOrEqual(5);
  });

  it('CAP XML that fast-xml-parser refuses after its validator passed is a problem, not a throw', () => {
    const ns = 'urn:oasis:names:tc:emergency:cap:1.2';
    for (const xml of [
      `<?UTF-8"?>\n<alert xmlns="${ns}"><identifier>a</identifier></alert>`,
      `<alert xmlns="${ns}">${'<a>'.repeat(200)}${'</a>'.repeat(200)}</alert>`,
    ]) {
      const result = parseCapXml(xml);
      expect('problems' in result && result.problems[0]?.reason).toMatch(/^malformed XML/);
    }
  });

  it('a bucket of hundreds of digits is refused, not Infinity seconds', () => {
    expect(parseBucket(`PT${'9'.repeat(400)}H`)).toEqual({ reason: 'bucket is too long' });
  });

  it('a WDPAID past 2^53 is refused: it would be stored rounded (found by the 10⁶-case bench)', () => {
    const reading = readWdpaFeatures(
      {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { WDPAID: 9007199254740994, NAME: 'a', STATUS: 'Designated', MARINE: '0' },
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [0, 0],
                  [1, 0],
                  [1, 1],
                  [0, 0],
                ],
              ],
            },
          },
        ],
      },
      2026,
    );
    expect(reading.sites).toEqual([]);
    expect(reading.problems.map((p) => p.field)).toEqual(['WDPAID']);
  });
});
