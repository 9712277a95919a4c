/** Hostile input on the ingestion routes: whatever the body, the reply is 2xx or 4xx with a problem body — never a 5xx, never a crash. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const CONTENT_TYPES = [
  'application/json',
  'application/x-ndjson',
  'text/csv',
  'application/geo+json',
  'text/plain',
];
const RUNS = Number(process.env.EW4E_FUZZ_RUNS ?? 300);

/** Bodies shaped like the real thing, then broken: right columns with wrong cells, JSON of the wrong shape, noise. */
function bodies(f: Fixture): fc.Arbitrary<string> {
  const cell = fc.oneof(
    fc.constantFrom(
      String(f.seriesId),
      f.seriesCode,
      '2026-11-20T08:00:00Z',
      '2026-11-20 08:00',
      '12.5',
      '-0',
      'NaN',
      '1e400',
      '',
      '"',
      'µg/m³',
      'furlongs',
    ),
    fc.string({ maxLength: 12 }),
  );
  const csv = fc
    .array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 20 })
    .map((rows) => ['series,time,value,unit', ...rows.map((r) => r.join(','))].join('\n'));
  const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v));
  const records = fc
    .array(
      fc.record(
        {
          series: fc.oneof(fc.constant(f.seriesId), fc.constant(f.seriesCode), fc.jsonValue()),
          time: fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            fc.jsonValue(),
          ),
          value: fc.oneof(fc.double(), fc.jsonValue()),
          unit: fc.oneof(fc.constantFrom('µg/m³', 'mg/m3', '°C'), fc.string()),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 20 },
    )
    .map((rs) => JSON.stringify(rs));
  return fc.oneof(
    csv,
    json,
    records,
    fc.string({ maxLength: 200 }),
    fc.constantFrom('', '[', '{"type":"FeatureCollection","features":[{}]}', '\uFEFFseries,time,value\n'),
  );
}

describe('ingestion routes under fuzzing (PGlite)', () => {
  let t: TestPlatform;
  let f: Fixture;

  beforeAll(async () => {
    t = await startTestPlatform('pglite');
    f = await registerFixture(t, 'fz', 'BD');
  });
  afterAll(async () => {
    await t?.close();
  });

  for (const route of ['/v1/observations', '/v1/events']) {
    it(`${route} answers 2xx or 4xx to any body`, async () => {
      await fc.assert(
        fc.asyncProperty(bodies(f), fc.constantFrom(...CONTENT_TYPES), async (body, contentType) => {
          const r = await t.request('POST', route, { key: f.key, body, contentType });
          expect(
            r.statusCode,
            `${contentType}: ${body.slice(0, 200)} → ${r.body.slice(0, 300)}`,
          ).toBeGreaterThanOrEqual(200);
          expect(
            r.statusCode,
            `${contentType}: ${body.slice(0, 200)} → ${r.body.slice(0, 300)}`,
          ).toBeLessThan(500);
          if (r.statusCode >= 400) expect(r.json().code).toMatch(/^EW4E_/);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('query parameters of the reads answer 2xx or 4xx', async () => {
    const param = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        'PT1H',
        'auto',
        'P1M',
        '2026-11-20T00:00:00Z',
        '-1',
        '0',
        '1e9',
        '170,-20,-170,-10',
        '1,2,3',
      ),
    );
    await fc.assert(
      fc.asyncProperty(param, param, param, async (a, b, c) => {
        const q = (s: string) => encodeURIComponent(s);
        for (const url of [
          `/v1/series/${f.seriesId}/observations?from=${q(a)}&bucket=${q(b)}&agg=${q(c)}`,
          `/v1/stations?bbox=${q(a)}&limit=${q(b)}&sense=${q(c)}`,
          `/v1/events?bbox=${q(a)}&from=${q(b)}&kind=${q(c)}`,
          `/v1/areas?bbox=${q(a)}&after=${q(b)}&q=${q(c)}`,
        ]) {
          const r = await t.request('GET', url, { key: f.key });
          expect(r.statusCode, `${url} → ${r.body.slice(0, 300)}`).toBeLessThan(500);
        }
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
