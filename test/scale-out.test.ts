/**
 * Scale-out over NATS JetStream on PostgreSQL, with real processes: an ingest process and detect workers on a
 * private nats-server. A worker killed -9 while holding hints: after redelivery every series is detected to
 * its end and the signals equal those of one in-process run over the same data (none lost, none doubled).
 * NATS killed and restarted during ingest: processing resumes and every series reaches its last observation.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { DETECT_CONSUMER, OBSERVATION_STREAM } from '../src/bus/observation-stream.ts';
import { DetectionService } from '../src/detect/detection-service.ts';
import { DETECTORS } from '../src/detect/detectors.ts';
import { type Database, openDatabase } from '../src/store/database.ts';
import { startPrivateNats } from './support/private-nats.ts';
import { startServerProcess } from './support/server-process.ts';
import { adminQuery, BACKENDS, freshDatabase, postgresUrlFor } from './support/test-database.ts';
import { ADMIN_KEY } from './support/test-platform.ts';

const MINUTE = 60_000;
/** Minutes of data per batch; each batch is a time slice over every series, as gateways send them. */
const SLICE = 360;
/** Three days ending yesterday: the ensemble learns a day, and the rules' look-back (7 days) covers it. */
const T0 = Math.floor(Date.now() / 86_400_000 - 4) * 86_400_000;
const MINUTES = 3 * 1440;
const LAST_TIME_MS = T0 + (MINUTES - 1) * MINUTE;

/** A PM2.5-like daily cycle with deterministic noise and, per series, a smoke spike at its own hour of day 2. */
function pm25(series: number, i: number): number {
  const spikeAt = 1440 + 60 * ((series * 7) % 24);
  if (i >= spikeAt && i < spikeAt + 4) return 450;
  const hour = (i % 1440) / 60;
  return 40 + 15 * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + Math.sin((i + series * 31) * 12.9898) * 0.8;
}

function slice(seriesIds: readonly number[], from: number, minutes: number): string {
  const rows = ['series,time,value'];
  for (let i = from; i < Math.min(from + minutes, MINUTES); i++)
    for (let s = 0; s < seriesIds.length; s++)
      rows.push(`${seriesIds[s]},${new Date(T0 + i * MINUTE).toISOString()},${pm25(s, i).toFixed(2)}`);
  return rows.join('\n');
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function call(base: string, method: string, url: string, body?: string, contentType?: string) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': contentType ?? 'application/json' }),
    },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Stations 1° apart so that each spike is its own episode; one PM2.5 series each, and a rule over them all. */
async function registerSeries(base: string, count: number): Promise<number[]> {
  const source = await call(
    base,
    'POST',
    '/v1/sources',
    JSON.stringify({ code: 'so', name: 'S', provider: 'P', licence: 'CC0-1.0', provenance: 'test' }),
  );
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const station = await call(
      base,
      'POST',
      '/v1/stations',
      JSON.stringify({
        source_id: source.id,
        code: `st${i}`,
        name: `Station ${i}`,
        sense: 'ground_station',
        lon: 10 + (i % 10),
        lat: 40 + Math.floor(i / 10),
        expected_cadence_s: 60,
      }),
    );
    ids.push(
      (await call(base, 'POST', '/v1/series', JSON.stringify({ station_id: station.id, variable: 'pm25' })))
        .id,
    );
  }
  await call(
    base,
    'POST',
    '/v1/rules',
    JSON.stringify({
      name: 'PM2.5 above 300',
      definition: {
        kind: 'threshold',
        select: { variable: 'pm25' },
        when: 'above',
        level: 300,
        clearAt: 200,
      },
    }),
  );
  return ids;
}

/** (series, detector) checkpoints at the last observation. */
async function finishedCheckpoints(db: Database): Promise<number> {
  const row = await db.db
    .selectFrom('detector_state')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('last_time', '=', new Date(LAST_TIME_MS))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

interface StoredSignal {
  dedupe_key: string;
  kind: string;
  state: string;
  start_time: Date;
  score: number;
  observed: number | null;
  expected: number | null;
  sentence: string;
}

async function signalsOf(db: Database): Promise<StoredSignal[]> {
  const result = await sql<StoredSignal>`
    select dedupe_key, kind, state, start_time, score, observed, expected, sentence
    from signal order by dedupe_key`.execute(db.db);
  return result.rows;
}

/** The observation stream as NATS sees it: hints stored and not yet acknowledged, and the consumer's counts. */
async function watchStream(url: string) {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const jsm = await jetstreamManager(nc);
  return {
    state: async () => {
      const stream = await jsm.streams.info(OBSERVATION_STREAM);
      const consumer = await jsm.consumers.info(OBSERVATION_STREAM, DETECT_CONSUMER);
      return { stored: stream.state.messages, unacknowledged: consumer.num_ack_pending };
    },
    close: () => nc.close(),
  };
}

describe.skipIf(!BACKENDS.includes('postgres'))('scale-out over NATS JetStream on postgres', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  });

  async function setUp() {
    const nats = await startPrivateNats();
    cleanups.push(() => nats.dispose());
    const testDatabase = await freshDatabase('postgres');
    cleanups.push(() => testDatabase.dispose());
    const env = {
      DATABASE_URL: (testDatabase.location as { databaseUrl: string }).databaseUrl,
      EW4E_ADMIN_KEY: ADMIN_KEY,
      EW4E_NATS_URL: nats.url,
      // A dead worker's hints go to another after 3 s (30 s in production).
      EW4E_NATS_ACK_WAIT_MS: '3000',
      // the last day of all series in one batch, so that a worker is surely busy with it when killed
      EW4E_MAX_BATCH_ROWS: '100000',
    };
    const start = async (role: string) => {
      const process = await startServerProcess(env, ['--role', role]);
      cleanups.push(() => process.stop(0));
      return process;
    };
    return { nats, testDatabase, env, start };
  }

  it('loses and doubles no signal when a detect worker is killed -9 holding hints', async () => {
    const { nats, testDatabase, start } = await setUp();
    const [ingest, workerA, workerB] = await Promise.all([start('ingest'), start('detect'), start('detect')]);
    const seriesIds = await registerSeries(ingest.base, 40);
    const db = testDatabase.database;
    const stream = await watchStream(nats.url);
    cleanups.push(() => stream.close());
    // Two days in six-hour slices, shared by both workers.
    for (let from = 0; from < 2 * 1440; from += SLICE)
      await call(ingest.base, 'POST', '/v1/observations', slice(seriesIds, from, SLICE), 'text/csv');
    await waitFor(async () => (await stream.state()).stored === 0, 30_000, 'the first two days');

    // B leaves (gracefully); the last day goes to A alone, which is killed -9 while it works on it.
    await workerB.stop();
    await call(ingest.base, 'POST', '/v1/observations', slice(seriesIds, 2 * 1440, 1440), 'text/csv');
    await waitFor(async () => (await stream.state()).unacknowledged > 0, 10_000, 'A to take the hints');
    workerA.child.kill('SIGKILL');
    const atKill = await stream.state();
    expect(atKill.stored).toBeGreaterThan(0); // A held hints it never acknowledged
    expect(await finishedCheckpoints(db)).toBeLessThan(seriesIds.length * DETECTORS.length);

    // A comes back. Its hints are handed out again after the ack wait; a hint leaves the work queue only
    // when a worker acknowledges it, so the stream draining proves the redelivery.
    const restartedA = await start('detect');
    await waitFor(
      async () => (await finishedCheckpoints(db)) === seriesIds.length * DETECTORS.length,
      30_000,
      'every series detected to its last observation',
    );
    await waitFor(async () => (await stream.state()).stored === 0, 15_000, 'the redelivered hints');
    const threaded = await db.db
      .selectFrom('warning_thread_signal')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    // signals.raised crossed from the detect workers to the warning stage over the signals stream
    expect(Number(threaded.n)).toBeGreaterThan(0);
    const signals = await signalsOf(db);

    // The yardstick: one in-process run, from fresh checkpoints, over a copy of the same observations.
    await Promise.all([ingest.stop(), restartedA.stop()]);
    const copy = `${(testDatabase.location as { databaseUrl: string }).databaseUrl.split('/').at(-1)}_copy`;
    await testDatabase.database.close();
    await adminQuery(`create database ${copy} template ${copy.replace(/_copy$/, '')}`);
    cleanups.push(() => adminQuery(`drop database if exists ${copy} with (force)`));
    const reference = await openDatabase({ databaseUrl: postgresUrlFor(copy) });
    cleanups.push(() => reference.close());
    await sql`truncate signal, detector_state, rule_state cascade`.execute(reference.db);
    const organisations = await reference.db
      .selectFrom('series')
      .select('organisation_id')
      .distinct()
      .execute();
    await new DetectionService(reference.db, DETECTORS).detect(
      seriesIds,
      organisations.map((o) => o.organisation_id),
    );
    const expected = await signalsOf(reference);
    expect(expected.filter((s) => s.dedupe_key.startsWith('rule:')).length).toBe(2 * seriesIds.length);
    expect(expected.some((s) => s.dedupe_key.startsWith('detector:ensemble:'))).toBe(true);
    expect(signals).toEqual(expected);
  });

  it('resumes processing when NATS is killed and restarted during ingest', async () => {
    const { nats, testDatabase, start } = await setUp();
    // One process of role all, over NATS: it publishes the hints and consumes them.
    const ingest = await start('all');
    const seriesIds = await registerSeries(ingest.base, 20);
    const slices = Array.from({ length: MINUTES / SLICE }, (_, k) => k * SLICE);
    const half = slices.length / 2;
    for (const from of slices.slice(0, half))
      await call(ingest.base, 'POST', '/v1/observations', slice(seriesIds, from, SLICE), 'text/csv');
    const db = testDatabase.database;
    const stream = await watchStream(nats.url);
    cleanups.push(() => stream.close());
    await waitFor(async () => (await stream.state()).stored === 0, 30_000, 'the first half');

    await nats.kill();
    // Ingest goes on: the data is committed and acknowledged; the hints wait in the ingest process.
    for (const from of slices.slice(half))
      await call(ingest.base, 'POST', '/v1/observations', slice(seriesIds, from, SLICE), 'text/csv');
    expect(await finishedCheckpoints(db)).toBe(0);
    await nats.start();

    await waitFor(
      async () => (await finishedCheckpoints(db)) === seriesIds.length * DETECTORS.length,
      30_000,
      'every series detected to its last observation after NATS came back',
    );
    await waitFor(async () => (await stream.state()).stored === 0, 10_000, 'the stream to drain');
    const rules = await db.db
      .selectFrom('signal')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('origin', '=', 'rule')
      .executeTakeFirstOrThrow();
    expect(Number(rules.n)).toBe(2 * seriesIds.length);
  });
});
