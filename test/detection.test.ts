/** Detection behind ingest on every backend: the ensemble and rules raise explained signals, and a restart resumes detector state exactly. */
import { afterAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../src/app.ts';
import { openDatabase } from '../src/store/database.ts';
import { BACKENDS, freshDatabase, type TestDatabase } from './support/test-database.ts';
import {
  ADMIN_KEY,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
  testConfig,
} from './support/test-platform.ts';

const MINUTE = 60_000;
/** Ten days ago at midnight UTC, so that the data lies in the past and spans several days. */
const T0 = Math.floor(Date.now() / 86_400_000 - 10) * 86_400_000;
const SPIKE_AT = 5 * 1440 + 600; // day 5, 10:00 UTC

/** A PM2.5-like daily cycle with a little deterministic noise, and one smoke spike. */
function pm25(i: number): number {
  const hour = (i % 1440) / 60;
  const noise = Math.sin(i * 12.9898) * 0.8;
  const value = 40 + 15 * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + noise;
  return i >= SPIKE_AT && i < SPIKE_AT + 3 ? 450 : value;
}

function csv(seriesId: number, from: number, to: number): string {
  const rows = ['series,time,value'];
  for (let i = from; i < to; i++)
    rows.push(`${seriesId},${new Date(T0 + i * MINUTE).toISOString()},${pm25(i).toFixed(2)}`);
  return rows.join('\n');
}

describe.each(BACKENDS)('detection on %s', (backend) => {
  const opened: (TestPlatform | TestDatabase)[] = [];
  afterAll(async () => {
    for (const o of opened.reverse()) await ('platform' in o ? o.close() : o.dispose());
  });

  it('raises one explained signal at the spike after a day of learning, and a rule signal, behind the ingest reply', async () => {
    const t = await startTestPlatform(backend);
    opened.push(t);
    const f = await registerFixture(t, 'dd', 'BD');
    const rule = await t.request('POST', '/v1/rules', {
      key: f.key,
      body: {
        name: 'PM2.5 above 300',
        definition: {
          kind: 'threshold',
          select: { variable: 'pm25' },
          when: 'above',
          level: 300,
          clearAt: 200,
        },
      },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    for (let day = 0; day < 7; day++) {
      const r = await t.request('POST', '/v1/observations', {
        key: f.key,
        body: csv(f.seriesId, day * 1440, (day + 1) * 1440),
        contentType: 'text/csv',
      });
      expect(r.statusCode, r.body).toBe(200);
    }
    await t.platform.services.detection.flush();
    const signals = (
      await t.request('GET', `/v1/signals?series_id=${f.seriesId}&limit=1000`, { key: f.key })
    ).json().items;
    // After a first day of learning the daily cycle, the spike is the only thing the ensemble reports.
    const learnt = T0 + 1440 * MINUTE;
    const detector = signals.filter(
      (s: { origin: string; start_time: string }) =>
        s.origin === 'detector' && Date.parse(s.start_time) >= learnt,
    );
    expect(detector.map((s: { start_time: string }) => s.start_time)).toEqual([
      new Date(T0 + SPIKE_AT * MINUTE).toISOString(),
    ]);
    expect(detector[0].sentence).toMatch(/^Particulate matter PM2\.5 at Dhaka Agargaon: 450 µg\/m³.*10:00/);
    const fromRule = signals.filter((s: { origin: string }) => s.origin === 'rule');
    expect(fromRule.map((s: { state: string; start_time: string }) => [s.state, s.start_time])).toEqual([
      ['cleared', new Date(T0 + (SPIKE_AT + 3) * MINUTE).toISOString()],
      ['firing', new Date(T0 + SPIKE_AT * MINUTE).toISOString()],
    ]);
    expect(fromRule[1]).toMatchObject({ rule_id: rule.json().id, rule_version: 1, kind: 'threshold' });
    // back-testing replays the same rule over history and finds the same episode
    const replay = await t.platform.services.detection.backtest(f.seriesId, T0, T0 + 7 * 1440 * MINUTE);
    expect(replay.filter((r) => r.detector.startsWith('rule ')).map((r) => [r.reason, r.timeMs])).toEqual([
      ['firing', T0 + SPIKE_AT * MINUTE],
      ['cleared', T0 + (SPIKE_AT + 3) * MINUTE],
    ]);
  });

  it('forecasts a threshold crossing hours ahead: a predictive signal with its lead time, before the rule fires', async () => {
    const t = await startTestPlatform(backend);
    opened.push(t);
    const f = await registerFixture(t, 'ff', 'NP');
    const rule = await t.request('POST', '/v1/rules', {
      key: f.key,
      body: {
        name: 'PM2.5 above 50',
        definition: {
          kind: 'threshold',
          select: { variable: 'pm25' },
          when: 'above',
          level: 50,
          clearAt: 45,
        },
      },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const rising = (i: number) =>
      10 + i * 0.01 + 3 * Math.sin((i / 1440) * 2 * Math.PI) + Math.sin(i * 12.9898) * 0.3;
    // four days ago: within the week a new rule looks back over
    const start = Math.floor(Date.now() / 86_400_000 - 4) * 86_400_000;
    const rows = ['series,time,value'];
    for (let i = 0; i < 4300; i++)
      rows.push(`${f.seriesId},${new Date(start + i * MINUTE).toISOString()},${rising(i).toFixed(3)}`);
    expect(
      (
        await t.request('POST', '/v1/observations', {
          key: f.key,
          body: rows.join('\n'),
          contentType: 'text/csv',
        })
      ).statusCode,
    ).toBe(200);
    await t.platform.services.detection.flush();
    const signals = (
      await t.request('GET', `/v1/signals?series_id=${f.seriesId}&limit=100`, { key: f.key })
    ).json().items;
    const predictive = signals.filter((s: { kind: string }) => s.kind === 'forecast_exceedance');
    const firing = signals.find(
      (s: { origin: string; state: string }) => s.origin === 'rule' && s.state === 'firing',
    );
    expect(predictive).toHaveLength(1);
    expect(firing).toBeDefined();
    expect(Date.parse(predictive[0].start_time)).toBeLessThan(Date.parse(firing.start_time));
    expect(predictive[0].lead_time_s).toBeGreaterThan(0);
    expect(predictive[0].details).toMatchObject({ ruleId: rule.json().id, level: 50, when: 'above' });
    expect(predictive[0].sentence).toMatch(
      /is forecast to go above 50 µg\/m³ \(rule "PM2.5 above 50"\) in about [\d.]+ h/,
    );
  });

  it('resumes detector state after a restart: the same signals as an uninterrupted run', async () => {
    const db = await freshDatabase(backend);
    opened.push(db);
    const first = await createPlatform(testConfig(), false, db.database);
    const inject = (p: typeof first, body: string, key: string) =>
      p.server.inject({
        method: 'POST',
        url: '/v1/observations',
        payload: body,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      });
    const registered = await registerFixture(
      {
        request: async (method, url, options = {}) => {
          const r = await first.server.inject({
            method,
            url,
            headers: {
              authorization: `Bearer ${options.key ?? ADMIN_KEY}`,
              'content-type': 'application/json',
            },
            ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
          });
          return { statusCode: r.statusCode, json: () => r.json(), body: r.body, headers: r.headers };
        },
      },
      'rr',
      'KE',
    );
    // the first half, detected and checkpointed, then the process goes away
    expect((await inject(first, csv(registered.seriesId, 0, 4 * 1440), registered.key)).statusCode).toBe(200);
    await first.services.detection.flush();
    first.services.detection.stop();
    await first.server.close();
    await db.database.close();

    const reopened = await openDatabase(db.location);
    const second = await createPlatform(testConfig(), false, reopened);
    try {
      expect(
        (await inject(second, csv(registered.seriesId, 4 * 1440, 7 * 1440), registered.key)).statusCode,
      ).toBe(200);
      await second.services.detection.flush();
      const stored = await reopened.db
        .selectFrom('signal')
        .select(['start_time', 'score'])
        .where('series_id', '=', registered.seriesId)
        .where('origin', '=', 'detector')
        .orderBy('start_time')
        .execute();
      const uninterrupted = await second.services.detection.backtest(
        registered.seriesId,
        T0,
        T0 + 7 * 1440 * MINUTE,
      );
      expect(stored.map((s) => s.start_time.getTime())).toEqual(uninterrupted.map((f) => f.timeMs));
      expect(stored.map((s) => s.score)).toEqual(uninterrupted.map((f) => f.score));
      expect(stored.length).toBeGreaterThan(0);
      // a replay stores nothing twice
      await second.services.detection.catchUp([registered.seriesId]);
      const again = await reopened.db
        .selectFrom('signal')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(again.n)).toBe(stored.length);
    } finally {
      second.services.detection.stop();
      await second.server.close();
      await reopened.close();
    }
  });
});
