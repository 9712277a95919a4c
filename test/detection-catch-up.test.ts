/**
 * Catching up several series at once on every backend: each series' observations are read once for all its
 * detectors, from checkpoints that stand at different times, across read chunks, by two services racing on
 * the same series; the signals equal one uninterrupted pass and every checkpoint reaches the last observation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DetectionService } from '../src/detect/detection-service.ts';
import { DETECTORS, ENSEMBLE_DETECTOR } from '../src/detect/detectors.ts';
import { BACKENDS } from './support/test-database.ts';
import { registerFixture, startTestPlatform, type TestPlatform } from './support/test-platform.ts';

const MINUTE = 60_000;
/** Eight days ago at midnight UTC: the longer series (more than one read chunk of 10 000) ends in the past. */
const T0 = Math.floor(Date.now() / 86_400_000 - 8) * 86_400_000;
/** Beyond one read chunk, with a spike in each chunk. */
const LONG = 10_500;
const SHORT = 3 * 1440;
const SPIKES = [7_800, 10_200];

/** A slow rise over a daily cycle (the forecast sees the level coming), with deterministic noise and smoke spikes. */
function pm25(i: number): number {
  if (SPIKES.some((s) => i >= s && i < s + 3)) return 450;
  return 10 + i * 0.01 + 3 * Math.sin((i / 1440) * 2 * Math.PI) + Math.sin(i * 12.9898) * 0.3;
}

function csv(seriesId: number, from: number, to: number): string {
  const rows = ['series,time,value'];
  for (let i = from; i < to; i++)
    rows.push(`${seriesId},${new Date(T0 + i * MINUTE).toISOString()},${pm25(i).toFixed(3)}`);
  return rows.join('\n');
}

describe.each(BACKENDS)('catching up series in groups on %s', (backend) => {
  const opened: TestPlatform[] = [];
  afterAll(async () => {
    for (const t of opened.reverse()) await t.close();
  });

  it('matches one uninterrupted pass from uneven checkpoints, across chunks, with two services racing', async () => {
    // Detection behind ingest is put off for an hour: the test drives it.
    const t = await startTestPlatform(backend, { detectionGatherMs: 3_600_000 });
    opened.push(t);
    const long = await registerFixture(t, 'gl', 'BD');
    const short = await registerFixture(t, 'gs', 'NP');
    for (const f of [long, short]) {
      const rule = await t.request('POST', '/v1/rules', {
        key: f.key,
        body: {
          name: 'PM2.5 above 90',
          definition: {
            kind: 'threshold',
            select: { variable: 'pm25' },
            when: 'above',
            level: 90,
            clearAt: 80,
          },
        },
      });
      expect(rule.statusCode, rule.body).toBe(201);
    }
    const ingest = async (f: typeof long, from: number, to: number) => {
      const r = await t.request('POST', '/v1/observations', {
        key: f.key,
        body: csv(f.seriesId, from, to),
        contentType: 'text/csv',
      });
      expect(r.statusCode, r.body).toBe(200);
    };
    const db = t.platform.services.database.db;
    const series = [long.seriesId, short.seriesId];

    // The ensemble alone runs over the first two days: its checkpoint stands ahead of the forecast's (none).
    await ingest(long, 0, 2 * 1440);
    await ingest(short, 0, 2 * 1440);
    await new DetectionService(db, [ENSEMBLE_DETECTOR]).catchUp(series);
    await ingest(long, 2 * 1440, LONG);
    await ingest(short, 2 * 1440, SHORT);
    // Two services (two workers) catch the same series up at once: checkpoints are compared-and-set.
    await Promise.all([
      new DetectionService(db, DETECTORS).catchUp(series),
      new DetectionService(db, DETECTORS).catchUp(series),
    ]);

    const checkpoints = await db
      .selectFrom('detector_state')
      .select(['series_id', 'detector', 'last_time'])
      .orderBy('series_id')
      .orderBy('detector')
      .execute();
    expect(checkpoints.map((c) => [c.series_id, c.detector, c.last_time.getTime()])).toEqual([
      [long.seriesId, 'ensemble', T0 + (LONG - 1) * MINUTE],
      [long.seriesId, 'forecast', T0 + (LONG - 1) * MINUTE],
      [short.seriesId, 'ensemble', T0 + (SHORT - 1) * MINUTE],
      [short.seriesId, 'forecast', T0 + (SHORT - 1) * MINUTE],
    ]);

    const reference = new DetectionService(db, DETECTORS);
    for (const [f, rows] of [
      [long, LONG],
      [short, SHORT],
    ] as const) {
      const stored = await db
        .selectFrom('signal')
        .select(['detector', 'start_time', 'score', 'dedupe_key'])
        .where('series_id', '=', f.seriesId)
        .where('origin', '=', 'detector')
        .orderBy('start_time')
        .orderBy('detector')
        .execute();
      const uninterrupted = (await reference.backtest(f.seriesId, T0, T0 + rows * MINUTE))
        .filter((firing) => firing.detector === 'ensemble' || firing.detector === 'forecast')
        .sort((a, b) => a.timeMs - b.timeMs || a.detector.localeCompare(b.detector));
      expect(stored.map((s) => [s.detector, s.start_time.getTime(), s.score])).toEqual(
        uninterrupted.map((f) => [f.detector, f.timeMs, Math.min(1, Math.max(0, f.score))]),
      );
      expect(new Set(stored.map((s) => s.dedupe_key)).size).toBe(stored.length);
    }
    const longSignals = await db
      .selectFrom('signal')
      .select(['detector', 'start_time'])
      .where('series_id', '=', long.seriesId)
      .execute();
    // both detector kinds spoke, and the ensemble on both sides of the read chunk's end
    expect(longSignals.some((s) => s.detector === 'forecast')).toBe(true);
    const chunkEnd = T0 + 10_000 * MINUTE;
    expect(longSignals.some((s) => s.detector === 'ensemble' && s.start_time.getTime() < chunkEnd)).toBe(
      true,
    );
    expect(longSignals.some((s) => s.detector === 'ensemble' && s.start_time.getTime() > chunkEnd)).toBe(
      true,
    );
  });

  it('answers every caller after one follow-up pass while new data keeps coming', async () => {
    const t = await startTestPlatform(backend, { detectionGatherMs: 3_600_000 });
    opened.push(t);
    const f = await registerFixture(t, 'gk', 'KE');
    const post = async (from: number, to: number) => {
      const r = await t.request('POST', '/v1/observations', {
        key: f.key,
        body: csv(f.seriesId, from, to),
        contentType: 'text/csv',
      });
      expect(r.statusCode, r.body).toBe(200);
    };
    await post(0, 2 * 1440);
    const service = new DetectionService(t.platform.services.database.db, DETECTORS);

    // A first caller starts a pass; others keep storing a row and asking while passes run. Each caller must
    // be answered after at most the pass that follows its request, not when the requests stop.
    let firstAnswered = false;
    const first = service.catchUp([f.seriesId]).then(() => {
      firstAnswered = true;
    });
    const later: Promise<void>[] = [];
    let row = 2 * 1440;
    const BOUND = 60;
    while (!firstAnswered && later.length < BOUND) {
      await post(row, row + 1);
      row++;
      later.push(service.catchUp([f.seriesId]));
    }
    expect(later.length).toBeLessThan(BOUND);
    await first;
    await Promise.all(later);

    const checkpoints = await t.platform.services.database.db
      .selectFrom('detector_state')
      .select(['detector', 'last_time'])
      .where('series_id', '=', f.seriesId)
      .execute();
    expect(checkpoints.map((c) => c.last_time.getTime())).toEqual(
      checkpoints.map(() => T0 + (row - 1) * MINUTE),
    );
  });
});
