/**
 * PostgreSQL killed and restarted under a real `ew4e serve` during ingest: clients get only 2xx or 503 with
 * Retry-After (no 500, no hang), the pool recovers by itself, and every batch acknowledged with a 2xx is
 * stored, whole; no batch is ever stored in part. A sensor publishing over MQTT meanwhile loses nothing: what
 * the broker accepted is stored once the database is back. On a private PostgreSQL: the shared one is never
 * stopped; the MQTT topics are this run's own on the machine's Mosquitto.
 */
import { randomBytes } from 'node:crypto';
import { connectAsync } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivatePostgres, startPrivatePostgres } from './support/private-postgres.ts';
import { type ServerProcess, startServerProcess } from './support/server-process.ts';
import { BACKENDS } from './support/test-database.ts';
import { ADMIN_KEY } from './support/test-platform.ts';

const CLIENTS = 3;
const BROKER = 'mqtt://127.0.0.1:1883';
/** The MQTT sensor's rows go after the HTTP clients' (client number 3 in rowOf). */
const SENSOR = CLIENTS;
const ROWS_PER_BATCH = 50;
/** A request still unanswered after this long counts as a hang. */
const REQUEST_BOUND_MS = 15_000;

interface Outcome {
  readonly client: number;
  readonly batch: number;
  readonly status: number;
  readonly retryAfter: string | null;
  readonly code: string | null;
  readonly atMs: number;
}

/** The time and value of row `row` of batch `batch` of client `client`: distinct times, values that say where they came from. */
function rowOf(t0: number, client: number, batch: number, row: number): { timeMs: number; value: number } {
  const index = (client * 20_000 + batch) * ROWS_PER_BATCH + row;
  return { timeMs: t0 + index * 1000, value: ((client * 7 + batch * 13 + row) % 400) + 0.5 };
}

describe.skipIf(!BACKENDS.includes('postgres'))('PostgreSQL restarted during ingest', () => {
  let database: PrivatePostgres | undefined;
  let server: ServerProcess | undefined;
  const prefix = `ew4e-test-${randomBytes(6).toString('hex')}/in`;
  const ingestClientId = `ew4e-test-restart-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    database = await startPrivatePostgres();
    server = await startServerProcess({
      DATABASE_URL: database.url,
      EW4E_ADMIN_KEY: ADMIN_KEY,
      EW4E_MQTT_INGEST_URL: BROKER,
      EW4E_MQTT_INGEST_PREFIX: prefix,
      EW4E_MQTT_INGEST_CLIENT_ID: ingestClientId,
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
    // End the ingest client's persistent session on the shared broker.
    const cleaner = await connectAsync(BROKER, {
      clientId: ingestClientId,
      protocolVersion: 5,
      clean: true,
      properties: { sessionExpiryInterval: 0 },
    });
    await cleaner.endAsync();
  });

  it('answers 2xx or 503 with Retry-After, recovers, and loses no acknowledged batch', async () => {
    const base = server!.base;
    const post = async (url: string, body: unknown) => {
      const r = await fetch(`${base}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
      return (await r.json()) as { id: number };
    };
    const source = await post('/v1/sources', {
      code: 'restart',
      name: 'Restart',
      provider: 'P',
      licence: 'CC0-1.0',
      provenance: 'test',
    });
    const station = await post('/v1/stations', {
      source_id: source.id,
      code: 'st',
      name: 'St',
      sense: 'ground_station',
      lon: 36.8,
      lat: -1.3,
      expected_cadence_s: 60,
    });
    const series = await post('/v1/series', { station_id: station.id, variable: 'pm25' });
    // Three clients of 20 000 batches of 50 one-second rows: 35 days, all in the past.
    const t0 = Math.floor(Date.now() / 86_400_000 - 40) * 86_400_000;

    const outcomes: Outcome[] = [];
    let stopping = false;
    const clientLoop = async (client: number) => {
      for (let batch = 0; !stopping; batch++) {
        const csv = ['series,time,value'];
        for (let row = 0; row < ROWS_PER_BATCH; row++) {
          const { timeMs, value } = rowOf(t0, client, batch, row);
          csv.push(`${series.id},${new Date(timeMs).toISOString()},${value}`);
        }
        const r = await fetch(`${base}/v1/observations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/csv' },
          body: csv.join('\n'),
          signal: AbortSignal.timeout(REQUEST_BOUND_MS),
        });
        const text = await r.text();
        const code = r.headers.get('content-type')?.includes('problem')
          ? ((JSON.parse(text) as { code?: string }).code ?? null)
          : null;
        outcomes.push({
          client,
          batch,
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          code,
          atMs: Date.now(),
        });
        // A client that is told to retry later waits a little (less than Retry-After, to keep the test short).
        if (r.status === 503) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => clientLoop(c));
    // One reading per message, QoS 1: `published` counts those the broker acknowledged to the sensor.
    const sensor = await connectAsync(BROKER, { protocolVersion: 5 });
    let published = 0;
    const sensorLoop = (async () => {
      for (let message = 0; !stopping; message++) {
        const { timeMs, value } = rowOf(t0, SENSOR, 0, message);
        await sensor.publishAsync(
          `${prefix}/global/st/observations`,
          `series,time,value\n${series.id},${new Date(timeMs).toISOString()},${value}\n`,
          { qos: 1 },
        );
        published = message + 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const okCount = () => outcomes.filter((o) => o.status === 200).length;
    const waitUntil = async (what: string, done: () => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    try {
      await waitUntil('batches before the fault', () => okCount() >= 20, 10_000);
      await database!.stopImmediately();
      const stoppedAt = Date.now();
      await waitUntil(
        'a 503 while PostgreSQL is down',
        () => outcomes.some((o) => o.status === 503 && o.atMs >= stoppedAt),
        10_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await database!.start();
      const restartedAt = Date.now();
      await waitUntil(
        'batches after the restart',
        () => outcomes.filter((o) => o.status === 200 && o.atMs > restartedAt).length >= 20,
        15_000,
      );
    } finally {
      stopping = true;
      await Promise.all([...clients, sensorLoop]);
      await sensor.endAsync();
    }

    expect(server!.child.exitCode).toBeNull();
    const unexpected = outcomes.filter((o) => o.status !== 200 && o.status !== 503);
    expect(unexpected).toEqual([]);
    const unavailable = outcomes.filter((o) => o.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const o of unavailable) {
      expect(o.code).toBe('EW4E_UNAVAILABLE');
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
    }

    // Every batch is stored whole or not at all; every acknowledged one whole, with the values sent.
    const reader = new pg.Client({ connectionString: database!.url });
    await reader.connect();
    try {
      const { rows } = await reader.query<{ t: string; value: number }>(
        `select (extract(epoch from time) * 1000)::bigint::text as t, value from observation
         where series_id = $1 and time < $2`,
        [series.id, new Date(rowOf(t0, SENSOR, 0, 0).timeMs)],
      );
      const stored = new Map(rows.map((r) => [Number(r.t), r.value]));
      let acknowledgedRows = 0;
      for (const o of outcomes) {
        let present = 0;
        let sameValues = 0;
        for (let row = 0; row < ROWS_PER_BATCH; row++) {
          const { timeMs, value } = rowOf(t0, o.client, o.batch, row);
          if (stored.has(timeMs)) present++;
          if (stored.get(timeMs) === value) sameValues++;
        }
        expect([0, ROWS_PER_BATCH], `client ${o.client} batch ${o.batch} (${o.status})`).toContain(present);
        if (o.status === 200) {
          expect(sameValues, `client ${o.client} batch ${o.batch}`).toBe(ROWS_PER_BATCH);
          acknowledgedRows += ROWS_PER_BATCH;
        }
      }
      expect(acknowledgedRows).toBeGreaterThanOrEqual(40 * ROWS_PER_BATCH);
      // Nothing stored that no client sent: the stored rows are the whole batches counted above.
      const storedBatches = outcomes.filter((o) => stored.has(rowOf(t0, o.client, o.batch, 0).timeMs)).length;
      expect(stored.size).toBe(storedBatches * ROWS_PER_BATCH);

      // Every message the broker accepted is stored, those held while PostgreSQL was down included.
      expect(published).toBeGreaterThan(0);
      const sensorStored = async () =>
        (
          await reader.query<{ n: string }>(
            'select count(*) as n from observation where series_id = $1 and time >= $2',
            [series.id, new Date(rowOf(t0, SENSOR, 0, 0).timeMs)],
          )
        ).rows[0]!.n;
      const deadline = Date.now() + 15_000;
      while (Number(await sensorStored()) < published && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const { rows: sensorRows } = await reader.query<{ t: string; value: number }>(
        `select (extract(epoch from time) * 1000)::bigint::text as t, value from observation
         where series_id = $1 and time >= $2 order by time`,
        [series.id, new Date(rowOf(t0, SENSOR, 0, 0).timeMs)],
      );
      expect(sensorRows.map((r) => [Number(r.t), r.value])).toEqual(
        Array.from({ length: published }, (_, m) => {
          const { timeMs, value } = rowOf(t0, SENSOR, 0, m);
          return [timeMs, value];
        }),
      );
    } finally {
      await reader.end();
    }
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
  }, 60_000);
});
