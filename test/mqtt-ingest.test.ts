/**
 * MQTT ingestion against the machine's Mosquitto (127.0.0.1:1883), on every backend: each test has its own
 * topic prefix and client id, so runs side by side do not meet on the shared broker.
 */
import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MqttIngest, startMqttIngest } from '../src/ingest/mqtt-ingest.ts';
import { StationDirectory } from '../src/store/station-ingest.repository.ts';
import { BACKENDS } from './support/test-database.ts';
import {
  type Fixture,
  registerFixture,
  startTestPlatform,
  type TestPlatform,
} from './support/test-platform.ts';

const BROKER = 'mqtt://127.0.0.1:1883';

interface Report {
  readonly topic: string;
  readonly body: {
    code: string;
    detail: string;
    topic: string;
    errors?: { row?: number; line?: number; field?: string; reason: string }[];
  };
}

describe.each(BACKENDS)('MQTT ingestion on %s', (backend) => {
  let t: TestPlatform;
  let dhaka: Fixture;
  let other: Fixture;
  let prefix: string;
  let clientId: string;
  let ingest: MqttIngest | undefined;
  let sensor: MqttClient;
  let reports: Report[];

  const start = async () => {
    ingest = startMqttIngest(
      { url: BROKER, clientId, prefix, maxPayloadBytes: 1024 * 1024, retryDelayMs: 200 },
      {
        ingest: t.platform.services.observationIngest,
        stations: new StationDirectory(t.platform.services.database.db),
        log: { warn: () => undefined, error: () => undefined },
      },
    );
    await ingest.ready;
  };

  const publish = (topic: string, payload: string, contentType?: string) =>
    sensor.publishAsync(`${prefix}/${topic}`, payload, {
      qos: 1,
      ...(contentType === undefined ? {} : { properties: { contentType } }),
    });

  /** The values stored in a series on `day` (each test writes its own day), in time order. */
  const storedValues = async (seriesId: number, day: number): Promise<number[]> => {
    const rows = await t.platform.services.database.db
      .selectFrom('observation')
      .select('value')
      .where('series_id', '=', seriesId)
      .where('time', '>=', new Date(day))
      .where('time', '<', new Date(day + 86_400_000))
      .orderBy('time')
      .execute();
    return rows.map((r) => r.value);
  };

  const waitFor = async (what: string, done: () => Promise<boolean> | boolean) => {
    const deadline = Date.now() + 10_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  beforeAll(async () => {
    t = await startTestPlatform(backend);
    dhaka = await registerFixture(t, 'bd-doe', 'BD');
    other = await registerFixture(t, 'np-doe', 'NP');
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(async () => {
    prefix = `ew4e-test-${randomBytes(6).toString('hex')}/in`;
    clientId = `ew4e-test-ingest-${randomBytes(6).toString('hex')}`;
    reports = [];
    sensor = await connectAsync(BROKER, {
      clientId: `ew4e-test-sensor-${randomBytes(4).toString('hex')}`,
      protocolVersion: 5,
    });
    sensor.on('message', (topic, payload) => reports.push({ topic, body: JSON.parse(payload.toString()) }));
    await sensor.subscribeAsync(`${prefix}/+/+/errors`, { qos: 1 });
    await start();
  });

  afterEach(async () => {
    await ingest?.stop();
    // The broker keeps a persistent session for a week: end it (clean start, expiry 0) so none is left behind.
    const cleaner = await connectAsync(BROKER, {
      clientId,
      protocolVersion: 5,
      clean: true,
      properties: { sessionExpiryInterval: 0 },
    });
    await cleaner.endAsync();
    await sensor.endAsync();
  });

  it('stores JSON, NDJSON and CSV messages naming the series by variable, code or id', async () => {
    const t0 = Date.UTC(2026, 0, 10);
    const at = (i: number) => new Date(t0 + i * 60_000).toISOString();
    await publish(
      'bd-doe/agargaon/observations',
      JSON.stringify([
        { series: 'pm25', time: at(0), value: 41 },
        { series: dhaka.seriesCode, time: at(1), value: 42 },
      ]),
    );
    await publish(
      'bd-doe/agargaon/observations',
      `{"series":"${dhaka.seriesId}","time":"${at(2)}","value":43}\n{"series":"pm25","time":"${at(3)}","value":0.044,"unit":"mg/m3"}`,
      'application/x-ndjson',
    );
    await publish('bd-doe/agargaon/observations', `series,time,value\npm25,${at(4)},45\n`, 'text/csv');
    await waitFor('five stored rows', async () => (await storedValues(dhaka.seriesId, t0)).length === 5);
    // The NDJSON row sent in mg/m3 is stored in the series unit, µg/m3.
    expect(await storedValues(dhaka.seriesId, t0)).toEqual([41, 42, 43, 44, 45]);
    expect(reports).toEqual([]);
  });

  it('refuses a bad payload whole, reports it on the errors topic, and goes on with the next message', async () => {
    const day = Date.UTC(2026, 0, 11);
    const time = new Date(day).toISOString();
    await publish(
      'bd-doe/agargaon/observations',
      `series,time,value\npm25,${time},12\npm25,2026-01-11T00:01:00Z,twelve\n`,
    );
    await publish('bd-doe/agargaon/observations', `series,time,value\npm25,${time},13\n`);
    await waitFor('the report', () => reports.length === 1);
    await waitFor('the good message', async () => (await storedValues(dhaka.seriesId, day)).length === 1);
    expect(reports[0]!.topic).toBe(`${prefix}/bd-doe/agargaon/errors`);
    expect(reports[0]!.body).toMatchObject({
      code: 'EW4E_INVALID_ROWS',
      topic: `${prefix}/bd-doe/agargaon/observations`,
      errors: [{ row: 1, line: 3, field: 'value' }],
    });
    expect(await storedValues(dhaka.seriesId, day)).toEqual([13]);
  });

  it("refuses an unknown station and another organisation's station or series", async () => {
    const day = Date.UTC(2026, 0, 12);
    const time = new Date(day).toISOString();
    await publish('bd-doe/nowhere/observations', `series,time,value\npm25,${time},1\n`);
    // np-doe's gateway names its own series, but under bd-doe's station in the topic…
    await publish('bd-doe/agargaon/observations', `series,time,value\n${other.seriesId},${time},2\n`);
    // …or bd-doe's series under its own station: neither reaches the other's data.
    await publish('np-doe/agargaon/observations', `series,time,value\n${dhaka.seriesId},${time},3\n`);
    await publish('nobody/agargaon/observations', `series,time,value\npm25,${time},4\n`);
    await waitFor('four reports', () => reports.length === 4);
    expect(reports.map((r) => [r.topic.slice(prefix.length), r.body.code])).toEqual([
      ['/bd-doe/nowhere/errors', 'EW4E_NOT_FOUND'],
      ['/bd-doe/agargaon/errors', 'EW4E_INVALID_ROWS'],
      ['/np-doe/agargaon/errors', 'EW4E_INVALID_ROWS'],
      ['/nobody/agargaon/errors', 'EW4E_NOT_FOUND'],
    ]);
    expect(reports[1]!.body.errors?.[0]?.reason).toContain('has no series');
    expect(await storedValues(dhaka.seriesId, day)).toEqual([]);
    expect(await storedValues(other.seriesId, day)).toEqual([]);
  });

  it('receives what was published while EW4E was down once it reconnects (persistent session)', async () => {
    await ingest!.stop();
    ingest = undefined;
    const t0 = Date.UTC(2026, 0, 13);
    for (let i = 0; i < 3; i++) {
      await publish(
        'bd-doe/agargaon/observations',
        `series,time,value\npm25,${new Date(t0 + i * 60_000).toISOString()},${20 + i}\n`,
      );
    }
    expect(await storedValues(dhaka.seriesId, t0)).toEqual([]);
    await start();
    await waitFor(
      'the messages sent while down',
      async () => (await storedValues(dhaka.seriesId, t0)).length === 3,
    );
    expect(await storedValues(dhaka.seriesId, t0)).toEqual([20, 21, 22]);
    expect(reports).toEqual([]);
  });
});
