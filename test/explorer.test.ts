import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2024, 2, 1);
const DAYS = 3;
/** A daily cycle of PM2.5 peaking at 06:00 UTC, with a small deterministic wobble. */
const truth = (ms: number) => 50 + 20 * Math.sin((2 * Math.PI * (ms % 86_400_000)) / 86_400_000);
const wobble = (i: number) => (((i * 7919) % 11) - 5) * 0.1;
/** A bucket of 15 minutes holding one value QC rejects (above pm25's hard maximum) and one it suspects. */
const REJECTED_AT = Date.UTC(2024, 2, 2, 12, 3);
const SUSPECT_AT = Date.UTC(2024, 2, 2, 12, 7);

function series(): { timeMs: number; value: number }[] {
  const rows: { timeMs: number; value: number }[] = [];
  for (let i = 0; i < DAYS * 1440; i++) {
    const timeMs = START + i * MINUTE;
    const value =
      timeMs === REJECTED_AT
        ? 2500
        : timeMs === SUSPECT_AT
          ? 600
          : Math.round((truth(timeMs) + wobble(i)) * 100) / 100;
    rows.push({ timeMs, value });
  }
  return rows;
}

describe.each(BACKENDS)('series explorer on %s', (backend) => {
  let t: TestPlatform;
  let f: Fixture;
  const rows = series();
  beforeAll(async () => {
    t = await startTestPlatform(backend);
    f = await registerFixture(t, 'ex', 'BD');
    const csv = `series,time,value\n${rows.map((r) => `${f.seriesCode},${new Date(r.timeMs).toISOString()},${r.value}`).join('\n')}`;
    const ingest = await t.request('POST', '/v1/observations', {
      key: f.key,
      body: csv,
      contentType: 'text/csv',
    });
    expect(ingest.statusCode, ingest.body).toBe(200);
    expect(ingest.json().flagged).toEqual({ suspect: 1, rejected: 1 });
    // Detection runs behind the ingest reply; catching up now makes its checkpoints (and signals) certain.
    await t.platform.services.detection.catchUp([f.seriesId]);
  }, 120_000);
  afterAll(async () => t?.close());

  const explorer = (query: string, key = f.key) =>
    t.request('GET', `/v1/series/${f.seriesId}/explorer?${query}`, { key });

  it('downsamples three days to at most `points` aligned buckets, with QC counts and a hand-checkable average', async () => {
    const r = await explorer(
      `from=${new Date(START).toISOString()}&to=${new Date(START + DAYS * 86_400_000).toISOString()}&points=600`,
    );
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.series).toEqual({
      id: f.seriesId,
      code: f.seriesCode,
      variable: 'pm25',
      unit: 'µg/m³',
      station_name: 'Dhaka Agargaon',
    });
    // 4320 minutes do not fit 600 points in 1- or 5-minute buckets; 15 minutes give 288.
    expect(body.bucket_s).toBe(900);
    expect(body.observations.length).toBeLessThanOrEqual(600);
    expect(body.observations).toHaveLength(288);

    const bucketStart = Date.UTC(2024, 2, 2, 12, 0);
    const inBucket = rows.filter((r) => r.timeMs >= bucketStart && r.timeMs < bucketStart + 15 * MINUTE);
    const usable = inBucket.filter((r) => r.timeMs !== REJECTED_AT).map((r) => r.value);
    const bucket = body.observations.find((o: { t: string }) => o.t === new Date(bucketStart).toISOString());
    expect(bucket).toMatchObject({ n: 14, rejected: 1, suspect: 1, min: Math.min(...usable), max: 600 });
    expect(bucket.avg).toBeCloseTo(usable.reduce((a, b) => a + b, 0) / usable.length, 9);
    const quiet = body.observations[0];
    expect(quiet).toMatchObject({ t: new Date(START).toISOString(), n: 15, rejected: 0, suspect: 0 });

    expect(body.qc).toEqual([
      { t: new Date(REJECTED_AT).toISOString(), value: 2500, flag: 'rejected', rule: 'hard_max' },
      { t: new Date(SUSPECT_AT).toISOString(), value: 600, flag: 'suspect', rule: 'soft_max' },
    ]);
    expect(body.qc_truncated).toBe(false);
  });

  it("draws the seasonal baseline's band from the detector's snapshot, and it holds the daily cycle", async () => {
    const from = Date.UTC(2024, 2, 3);
    const r = await explorer(
      `from=${new Date(from).toISOString()}&to=${new Date(from + 86_400_000).toISOString()}&points=48`,
    );
    expect(r.statusCode, r.body).toBe(200);
    const { baseline, bucket_s } = r.json();
    expect(bucket_s).toBe(1800);
    // One band point per bucket start, even where a bucket holds no data.
    expect(baseline).toHaveLength(48);
    for (const b of baseline as { t: string; expected: number; lower: number; upper: number }[]) {
      expect(b.lower).toBeLessThan(b.expected);
      expect(b.upper).toBeGreaterThan(b.expected);
      // The cycle the data were drawn from lies inside the band; the slot's location follows it closely.
      const expected = truth(Date.parse(b.t));
      expect(expected).toBeGreaterThan(b.lower);
      expect(expected).toBeLessThan(b.upper);
      expect(Math.abs(b.expected - expected)).toBeLessThan(6);
    }
    // 06:00 is the peak of the cycle, 18:00 its trough.
    const at = (hour: number) =>
      baseline.find((b: { t: string }) => b.t === new Date(from + hour * HOUR).toISOString());
    expect(at(6).expected).toBeGreaterThan(at(18).expected + 25);
  });

  it('forecasts six hours beyond the last observation with a band that widens', async () => {
    const from = Date.UTC(2024, 2, 3, 18);
    const r = await explorer(
      `from=${new Date(from).toISOString()}&to=${new Date(from + 12 * HOUR).toISOString()}`,
    );
    expect(r.statusCode, r.body).toBe(200);
    const { forecast } = r.json() as {
      forecast: { t: string; mean: number; lower: number; upper: number }[];
    };
    expect(forecast).toHaveLength(360);
    expect(forecast[0]?.t).toBe(new Date(START + DAYS * 86_400_000).toISOString());
    expect(forecast.at(-1)?.t).toBe(new Date(START + DAYS * 86_400_000 + 6 * HOUR - MINUTE).toISOString());
    for (const p of forecast) expect(p.lower < p.mean && p.mean < p.upper).toBe(true);
    const width = (p: { lower: number; upper: number } | undefined) => (p ? p.upper - p.lower : 0);
    expect(width(forecast.at(-1))).toBeGreaterThan(width(forecast[0]));
    // The model has learnt the cycle: three hours ahead it is still near it.
    const ahead = forecast[179]!;
    expect(Math.abs(ahead.mean - truth(Date.parse(ahead.t)))).toBeLessThan(5);
    // A range that does not hold the forecast's origin gets none.
    const old = await explorer(
      `from=${new Date(START).toISOString()}&to=${new Date(START + HOUR).toISOString()}`,
    );
    expect(old.json().forecast).toEqual([]);
  });

  it('sends raw points when the range holds no more than `points`, and the signals in the range', async () => {
    const from = Date.UTC(2024, 2, 2, 12);
    const r = await explorer(
      `from=${new Date(from).toISOString()}&to=${new Date(from + 30 * MINUTE).toISOString()}`,
    );
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.bucket_s).toBeNull();
    expect(body.observations).toHaveLength(30);
    const rejected = body.observations.find(
      (o: { t: string }) => o.t === new Date(REJECTED_AT).toISOString(),
    );
    expect(rejected).toEqual({
      t: new Date(REJECTED_AT).toISOString(),
      avg: null,
      min: null,
      max: null,
      n: 0,
      rejected: 1,
      suspect: 0,
    });
    // The suspect spike is far beyond anything seen: the ensemble raised a signal at it.
    expect(body.signals).toContainEqual(
      expect.objectContaining({
        kind: 'anomaly',
        start: new Date(SUSPECT_AT).toISOString(),
        state: 'firing',
      }),
    );
    for (const s of body.signals) {
      expect(s.score).toBeGreaterThanOrEqual(0.5);
      expect(typeof s.sentence).toBe('string');
    }
  });

  it('refuses bad ranges naming the field, and hides other organisations’ series', async () => {
    const backwards = await explorer('from=2024-03-02T00:00:00Z&to=2024-03-01T00:00:00Z');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].field).toBe('from');
    const garbled = await explorer('from=yesterday');
    expect(garbled.statusCode).toBe(400);
    expect(garbled.json().errors[0].field).toBe('querystring.from');
    const tiny = await explorer('points=1');
    expect(tiny.statusCode).toBe(400);
    expect(tiny.json().errors[0].field).toBe('querystring.points');
    const other = await registerFixture(t, 'ex2', 'NP');
    expect((await explorer('', other.key)).statusCode).toBe(404);
  });
});
