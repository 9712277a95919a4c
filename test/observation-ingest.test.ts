/** Ingestion and query of observations through HTTP, on every storage backend. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe.each(BACKENDS)('observations on %s', (backend) => {
  let t: TestPlatform;
  let a: Fixture;
  let b: Fixture;

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    a = await registerFixture(t, 'aa', 'BD');
    b = await registerFixture(t, 'bb', 'KE');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function stored(
    seriesId: number,
    key = a.key,
  ): Promise<{ time: string; value: number; qc: string }[]> {
    const r = await t.request(
      'GET',
      `/v1/series/${seriesId}/observations?from=2000-01-01T00:00:00Z&to=2030-01-01T00:00:00Z&include_rejected=true`,
      { key },
    );
    expect(r.statusCode).toBe(200);
    return r.json().points;
  }

  async function count(): Promise<number> {
    const row = await t.platform.services.database.db
      .selectFrom('observation')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('accepts a JSON array, NDJSON and CSV, by id or code, and reads them back in order', async () => {
    const json = [0, 1, 2].map((m) => ({ series: a.seriesId, time: iso(m), value: 20 + m }));
    const r1 = await t.request('POST', '/v1/observations', { key: a.key, body: json });
    expect(r1.statusCode, r1.body).toBe(200);
    expect(r1.json()).toMatchObject({ accepted: 3, series: 1, from: iso(0), to: iso(2) });

    const ndjson = [3, 4]
      .map((m) => JSON.stringify({ series: a.seriesCode, time: iso(m), value: 20 + m }))
      .join('\n');
    const r2 = await t.request('POST', '/v1/observations', {
      key: a.key,
      body: ndjson,
      contentType: 'application/x-ndjson',
    });
    expect(r2.statusCode, r2.body).toBe(200);

    const csv = `series,time,value\n${a.seriesCode},${iso(5)},25\n${a.seriesId},${iso(6)},26\n`;
    const r3 = await t.request('POST', '/v1/observations', {
      key: a.key,
      body: csv,
      contentType: 'text/csv',
    });
    expect(r3.statusCode, r3.body).toBe(200);

    const points = await stored(a.seriesId);
    expect(points.map((p) => p.value)).toEqual([20, 21, 22, 23, 24, 25, 26]);
    expect(points.map((p) => p.time)).toEqual([0, 1, 2, 3, 4, 5, 6].map(iso));
  });

  it('re-sending a batch does not duplicate, and the latest value for a (series, time) wins', async () => {
    const before = await count();
    const batch = [{ series: a.seriesId, time: iso(0), value: 20 }];
    expect((await t.request('POST', '/v1/observations', { key: a.key, body: batch })).statusCode).toBe(200);
    expect(await count()).toBe(before);
    const corrected = [{ series: a.seriesId, time: iso(0), value: 19.5 }];
    expect((await t.request('POST', '/v1/observations', { key: a.key, body: corrected })).statusCode).toBe(
      200,
    );
    expect(await count()).toBe(before);
    expect((await stored(a.seriesId))[0]?.value).toBe(19.5);
  });

  it('converts known units to the series unit', async () => {
    const body = [
      { series: a.seriesId, time: iso(10), value: 0.042, unit: 'mg/m³' },
      { series: a.seriesId, time: iso(11), value: 43, unit: 'ug/m3' },
    ];
    const r = await t.request('POST', '/v1/observations', { key: a.key, body });
    expect(r.statusCode, r.body).toBe(200);
    const points = await stored(a.seriesId);
    expect(points.find((p) => p.time === iso(10))?.value).toBeCloseTo(42, 9);
    expect(points.find((p) => p.time === iso(11))?.value).toBe(43);
  });

  it('flags values outside the QC limits and keeps hard-limit rejects out of normal reads', async () => {
    const body = [{ series: a.seriesId, time: iso(20), value: 5000 }];
    const r = await t.request('POST', '/v1/observations', { key: a.key, body });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().flagged.rejected).toBe(1);
    const all = await stored(a.seriesId);
    expect(all.find((p) => p.time === iso(20))?.qc).toBe('rejected');
    const normal = await t.request(
      'GET',
      `/v1/series/${a.seriesId}/observations?from=${iso(0)}&to=${iso(30)}`,
      { key: a.key },
    );
    expect(normal.json().points.some((p: { time: string }) => p.time === iso(20))).toBe(false);
  });

  it('downsamples on the server: hourly averages, minima and counts', async () => {
    const rows = Array.from({ length: 180 }, (_, m) => ({ series: b.seriesId, time: iso(m), value: m % 60 }));
    expect((await t.request('POST', '/v1/observations', { key: b.key, body: rows })).statusCode).toBe(200);
    const q = `/v1/series/${b.seriesId}/observations?from=${iso(0)}&to=${iso(180)}&bucket=PT1H`;
    const avg = await t.request('GET', `${q}&agg=avg`, { key: b.key });
    expect(avg.statusCode, avg.body).toBe(200);
    expect(avg.json().points).toEqual([0, 60, 120].map((m) => ({ time: iso(m), value: 29.5, count: 60 })));
    const min = await t.request('GET', `${q}&agg=max`, { key: b.key });
    expect(min.json().points.map((p: { value: number }) => p.value)).toEqual([59, 59, 59]);
    const auto = await t.request(
      'GET',
      `/v1/series/${b.seriesId}/observations?from=${iso(0)}&to=${iso(180)}&bucket=auto&points=4`,
      { key: b.key },
    );
    expect(auto.json().bucket).toBe('PT1H');
  });

  it('aggregates a variable over the stations inside an area', async () => {
    const bd = await t.request('GET', '/v1/areas?kind=country&q=Bangladesh', { key: a.key });
    const areaId = bd.json().features[0].id;
    const r = await t.request(
      'GET',
      `/v1/areas/${areaId}/observations?variable=pm25&from=${iso(0)}&to=${iso(60)}&bucket=PT1H`,
      { key: b.key },
    );
    expect(r.statusCode, r.body).toBe(200);
    // both fixtures' stations stand in Dhaka, but b's key reads only b's series
    expect(r.json().series_count).toBe(1);
    expect(r.json().points[0]).toMatchObject({ value: 29.5, count: 60 });
  });

  describe('bad input gets a 4xx naming row and field, and nothing is written', () => {
    async function rejects(
      body: string,
      contentType: string,
      expected: { status: number; errors?: object[] },
      key = a.key,
    ) {
      const before = await count();
      const r = await t.request('POST', '/v1/observations', { key, body, contentType });
      expect(r.statusCode, r.body).toBe(expected.status);
      expect(r.headers['content-type']).toContain('application/problem+json');
      if (expected.errors)
        expect(r.json().errors).toEqual(expected.errors.map((e) => expect.objectContaining(e)));
      expect(await count()).toBe(before);
      return r.json();
    }
    const good = (m: number) => `${a.seriesId},${iso(100 + m)},10`;

    it('malformed CSV', async () => {
      const body = `series,time,value\n${good(0)}\n${a.seriesId},"${iso(101)},11\n`;
      const problem = await rejects(body, 'text/csv', { status: 422 });
      expect(problem.code).toBe('EW4E_INVALID_ROWS');
      expect(problem.errors[0].line).toBeGreaterThanOrEqual(3);
    });

    it('unknown series', async () => {
      await rejects(`series,time,value\n${good(0)}\nno-such-series,${iso(101)},1\n`, 'text/csv', {
        status: 422,
        errors: [{ line: 3, field: 'series' }],
      });
    });

    it('unknown unit', async () => {
      const body = JSON.stringify([
        { series: a.seriesId, time: iso(100), value: 1 },
        { series: a.seriesId, time: iso(101), value: 1, unit: 'furlongs' },
      ]);
      await rejects(body, 'application/json', {
        status: 422,
        errors: [{ pointer: '/1/unit', field: 'unit' }],
      });
    });

    it('a unit of another dimension', async () => {
      const body = JSON.stringify([{ series: a.seriesId, time: iso(100), value: 1, unit: '°C' }]);
      await rejects(body, 'application/json', {
        status: 422,
        errors: [{ pointer: '/0/unit', field: 'unit' }],
      });
    });

    it('timestamps that are not ISO 8601', async () => {
      const body = [
        `{"series":${a.seriesId},"time":"${iso(100)}","value":1}`,
        `{"series":${a.seriesId},"time":"2026-11-20 08:00:00","value":1}`,
        `{"series":${a.seriesId},"time":"yesterday","value":1}`,
      ].join('\n');
      await rejects(body, 'application/x-ndjson', {
        status: 422,
        errors: [
          { line: 2, field: 'time' },
          { line: 3, field: 'time' },
        ],
      });
    });

    it('text where numbers belong', async () => {
      await rejects(`series,time,value\n${good(0)}\n${a.seriesId},${iso(101)},high\n`, 'text/csv', {
        status: 422,
        errors: [{ line: 3, field: 'value' }],
      });
      await rejects(
        JSON.stringify([{ series: a.seriesId, time: iso(100), value: '12' }]),
        'application/json',
        {
          status: 422,
          errors: [{ pointer: '/0/value', field: 'value' }],
        },
      );
    });

    it("another organisation's series", async () => {
      const body = JSON.stringify([
        { series: a.seriesId, time: iso(100), value: 1 },
        { series: b.seriesId, time: iso(101), value: 1 },
      ]);
      await rejects(body, 'application/json', {
        status: 422,
        errors: [{ pointer: '/1/series', field: 'series' }],
      });
    });

    it('an oversized body', async () => {
      const small = await startTestPlatform(backend, { maxBodyBytes: 10_000, maxBatchRows: 100 });
      try {
        const fixture = await registerFixture(small, 'cc', 'NP');
        const rows = Array.from({ length: 500 }, (_, m) => `${fixture.seriesId},${iso(m)},1`).join('\n');
        const r = await small.request('POST', '/v1/observations', {
          key: fixture.key,
          body: `series,time,value\n${rows}`,
          contentType: 'text/csv',
        });
        expect(r.statusCode).toBe(413);
        expect(r.json().code).toBe('EW4E_BATCH_TOO_LARGE');
        const tooMany = Array.from({ length: 101 }, (_, m) => ({
          series: fixture.seriesId,
          time: iso(m),
          value: 1,
        }));
        const r2 = await small.request('POST', '/v1/observations', { key: fixture.key, body: tooMany });
        expect(r2.statusCode).toBe(413);
        const n = await small.platform.services.database.db
          .selectFrom('observation')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        expect(Number(n.n)).toBe(0);
      } finally {
        await small.close();
      }
    });

    it('a wrong content type, no key, a viewer key', async () => {
      await rejects('x', 'application/xml', { status: 415 });
      const noKey = await t.platform.server.inject({
        method: 'POST',
        url: '/v1/observations',
        payload: '[]',
        headers: { 'content-type': 'application/json' },
      });
      expect(noKey.statusCode).toBe(401);
      const viewer = await t.request('POST', '/v1/keys', {
        body: { name: 'v', role: 'viewer', organisation_id: a.orgId },
      });
      await rejects(
        JSON.stringify([{ series: a.seriesId, time: iso(100), value: 1 }]),
        'application/json',
        { status: 403 },
        viewer.json().key,
      );
    });

    it('a future timestamp', async () => {
      const body = JSON.stringify([{ series: a.seriesId, time: '2099-01-01T00:00:00Z', value: 1 }]);
      await rejects(body, 'application/json', {
        status: 422,
        errors: [{ pointer: '/0/time', field: 'time' }],
      });
    });
  });
});
