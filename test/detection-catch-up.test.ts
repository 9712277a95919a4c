/**
 * Catching up several series at once on every backend: each series' observations are read once for all its
 * detectors, from checkpoints that stand at different times, across read chunks, by two services racing on
 * the same series; the signals equal one uninterrupted pass and every checkpoint reaches the last observation.
 * Rows carried by the observation stream give what reading them would, and are taken only when nothing else is
 * stored after the checkpoint.
 */
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { ObservationHint } from '../src/bus/observation-hint.ts';
import { carriedBySeries } from '../src/detect/carried-rows.ts';
import { DetectionService } from '../src/detect/detection-service.ts';
import { DETECTORS, ENSEMBLE_DETECTOR } from '../src/detect/detectors.ts';
import { ObservationIngest } from '../src/ingest/observation-ingest.ts';
import { parseObservations } from '../src/ingest/observation-parser.ts';
import { SeriesDirectory } from '../src/store/series.repository.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

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

/** Rows `from` ≤ i < `to` of the series as CSV; `shift` is added to every value (a corrected calibration). */
function csv(seriesId: number, from: number, to: number, shift = 0): string {
  const rows = ['series,time,value'];
  for (let i = from; i < to; i++)
    rows.push(`${seriesId},${new Date(T0 + i * MINUTE).toISOString()},${(pm25(i) + shift).toFixed(3)}`);
  return rows.join('\n');
}

/** Posts rows `from` ≤ i < `to` of the series as CSV over HTTP, and expects them stored. */
async function postCsv(t: TestPlatform, f: Fixture, from: number, to: number, shift = 0): Promise<void> {
  const r = await t.request('POST', '/v1/observations', {
    key: f.key,
    body: csv(f.seriesId, from, to, shift),
    contentType: 'text/csv',
  });
  expect(r.statusCode, r.body).toBe(200);
}

/** Counts the statements that read observations back for detectors (the lateral read after checkpoints). */
class ObservationReads implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (node.kind === 'RawNode' && node.sqlFragments.join('?').includes('cross join lateral')) this.count++;
    return node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** The series' checkpoints as [detector, last time, state], by detector: equal means detection saw the same. */
async function detectorStates(t: TestPlatform, f: Fixture): Promise<[string, number, unknown][]> {
  const rows = await t.platform.services.database.db
    .selectFrom('detector_state')
    .select(['detector', 'last_time', 'state'])
    .where('series_id', '=', f.seriesId)
    .orderBy('detector')
    .execute();
  return rows.map((s) => [s.detector, s.last_time.getTime(), s.state]);
}

/**
 * An ingesting process as a detect worker sees it: `streamed` stores rows `from` ≤ i < `to` through the ingest
 * service (with `shift` added to each value, and a value beyond the hard QC limit at `rejectedAt`), and
 * `published` collects the hints it hands to the observation stream.
 */
function streamingIngest(t: TestPlatform) {
  const published: ObservationHint[] = [];
  const ingest = new ObservationIngest(
    t.platform.services.observations,
    new SeriesDirectory(t.platform.services.database.db),
    { maxBatchRows: 100_000, maxFutureMs: 3_600_000 },
    (stored) => published.push(...stored),
  );
  const streamed = async (
    f: Fixture,
    from: number,
    to: number,
    { shift = 0, rejectedAt }: { shift?: number; rejectedAt?: number } = {},
  ) => {
    let body = csv(f.seriesId, from, to, shift);
    if (rejectedAt !== undefined)
      body += `\n${f.seriesId},${new Date(T0 + rejectedAt * MINUTE).toISOString()},5000`;
    const caller = await t.platform.services.access.callerOfKey(f.key);
    if (caller === undefined) throw new Error('the fixture key is known');
    await ingest.ingest(caller, parseObservations(body, 'csv'));
  };
  return { published, streamed };
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
    const ingest = (f: Fixture, from: number, to: number) => postCsv(t, f, from, to);
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
    const post = (from: number, to: number) => postCsv(t, f, from, to);
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

  it('takes rows carried by the observation stream when they are all a series has after its checkpoint, else reads', async () => {
    const t = await startTestPlatform(backend, { detectionGatherMs: 3_600_000 });
    opened.push(t);
    const db = t.platform.services.database.db;
    const read = await registerFixture(t, 'cr', 'BD');
    const carried = await registerFixture(t, 'cc', 'NP');
    const gapped = await registerFixture(t, 'cg', 'KE');
    const behind = await registerFixture(t, 'cb', 'PK');
    const post = (f: Fixture, from: number, to: number) => postCsv(t, f, from, to);
    // What an ingesting process hands to the observation stream after each batch.
    const { published, streamed } = streamingIngest(t);
    const reads = new ObservationReads();
    const service = new DetectionService(db.withPlugin(reads), DETECTORS);
    const END = 2 * 1440 + 600;

    // Two days read from the database: every series has checkpoints to follow on from.
    const all = [read, carried, gapped, behind];
    for (const f of all) await post(f, 0, 2 * 1440);
    await service.catchUp(all.map((f) => f.seriesId));
    // The next ten hours: by HTTP for the reference; in one streamed batch; partly stored unannounced (a batch
    // whose message is still on its way) and the rest streamed; or streamed, then more stored before the
    // worker gets to the message (a worker behind the stream).
    await post(read, 2 * 1440, END);
    // a value beyond the hard QC limit: stored as rejected, so neither read nor carried for detection
    await streamed(carried, 2 * 1440, END - 1, { rejectedAt: END - 1 });
    await post(gapped, 2 * 1440, END - 120);
    await streamed(gapped, END - 120, END);
    await streamed(behind, 2 * 1440, END - 120);
    await post(behind, END - 120, END);
    expect(published.map((h) => [h.seriesId, h.rows?.timeMs.length])).toEqual([
      [carried.seriesId, 600 - 1],
      [gapped.seriesId, 120],
      [behind.seriesId, 600 - 120],
    ]);
    // the rejected minute is stored but does not travel
    expect(published[0]!.rows!.timeMs.at(-1)).toBe(T0 + (END - 2) * MINUTE);
    const carriedFor = (f: Fixture) => carriedBySeries(published.filter((h) => h.seriesId === f.seriesId));

    reads.count = 0;
    await service.catchUp([read.seriesId]);
    expect(reads.count).toBe(1);
    reads.count = 0;
    await service.catchUp([carried.seriesId], carriedFor(carried));
    expect(reads.count, 'the carried rows are all there is after the checkpoint: nothing is read back').toBe(
      0,
    );
    await service.catchUp([gapped.seriesId], carriedFor(gapped));
    expect(reads.count, 'rows stored before the carried ones were not carried: the series is read').toBe(1);
    await service.catchUp([behind.seriesId], carriedFor(behind));
    expect(reads.count, 'rows stored after the carried ones: the series is read, all of it at once').toBe(2);
    // The last minute of `carried` replaces the rejected value; a catch-up without rows (a bare hint) reads it.
    await post(carried, END - 1, END);
    await service.catchUp([carried.seriesId]);

    const reference = await detectorStates(t, read);
    expect(reference.map(([, lastMs]) => lastMs)).toEqual([T0 + (END - 1) * MINUTE, T0 + (END - 1) * MINUTE]);
    for (const f of [carried, gapped, behind]) expect(await detectorStates(t, f)).toEqual(reference);
    const signals = async (f: Fixture) =>
      (
        await db
          .selectFrom('signal')
          .select(['detector', 'start_time', 'score'])
          .where('series_id', '=', f.seriesId)
          .orderBy('start_time')
          .orderBy('detector')
          .execute()
      ).map((s) => [s.detector, s.start_time.getTime(), s.score]);
    for (const f of [carried, gapped, behind]) expect(await signals(f)).toEqual(await signals(read));
  });

  it('reads, not the carried rows, when a correction replaced them before the worker took their message', async () => {
    const t = await startTestPlatform(backend, { detectionGatherMs: 3_600_000 });
    opened.push(t);
    const db = t.platform.services.database.db;
    const reference = await registerFixture(t, 'rr', 'BD');
    const corrected = await registerFixture(t, 'rc', 'NP');
    const { published, streamed } = streamingIngest(t);
    const reads = new ObservationReads();
    const service = new DetectionService(db.withPlugin(reads), DETECTORS);
    const END = 2 * 1440 + 600;
    for (const f of [reference, corrected]) await postCsv(t, f, 0, 2 * 1440);
    await service.catchUp([reference.seriesId, corrected.seriesId]);

    // Ten hours stream in; a station then re-sends them recalibrated (+40 µg/m³) before any worker has taken
    // the first message. The reference gets the recalibrated values only.
    await streamed(corrected, 2 * 1440, END);
    const original = published.splice(0);
    expect(original[0]?.rows?.revision).toBe(0);
    await streamed(corrected, 2 * 1440, END, { shift: 40 });
    expect(published, 'the re-send replaced stored values: its hint is bare').toEqual([
      expect.not.objectContaining({ rows: expect.anything() }),
    ]);
    const series = await db
      .selectFrom('series')
      .select('revision')
      .where('id', '=', corrected.seriesId)
      .executeTakeFirstOrThrow();
    expect(series.revision).toBe(1);
    await postCsv(t, reference, 2 * 1440, END, 40);

    // The worker takes the first message: its rows are stale, so the series is read.
    reads.count = 0;
    await service.catchUp([corrected.seriesId], carriedBySeries(original));
    expect(reads.count).toBe(1);
    await service.catchUp([reference.seriesId]);
    expect(await detectorStates(t, corrected)).toEqual(await detectorStates(t, reference));
  });
});
