/**
 * @module Dissemination throughput: one published warning's deliveries to N webhook subscribers (each its own
 * endpoint URL on one local receiver that checks every signature) drained by the dispatcher — claim, sign, POST,
 * record each attempt. Yardstick in the same run: the same number of signed POSTs of the same body to the same
 * receiver from a plain loop with as many in flight as the dispatcher's batch, no database.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createPlatform } from '../src/app.ts';
import { configFromEnv } from '../src/config.ts';
import type { Backend } from '../src/store/database.ts';
import { insertSignals } from '../src/store/signal.repository.ts';
import { responderSubscriptions } from '../test/support/responders.ts';
import { fixtureSignal } from '../test/support/test-platform.ts';
import { startWebhookReceiver } from '../test/support/webhook-receiver.ts';
import { type Bench, benchResult } from './bench.ts';
import { withScratchDatabase } from './scratch-database.ts';

/** The dispatcher's claim batch: the yardstick keeps as many POSTs in flight. */
const IN_FLIGHT = 200;

export const dispatchBench: Bench = {
  name: 'dispatch',
  summary:
    'one warning to N webhook subscribers through the dispatcher, vs the same signed POSTs from a loop',
  run: async (context) => {
    const { values: options } = parseArgs({
      args: [...context.args],
      options: {
        deliveries: { type: 'string', default: '5000' },
        backends: { type: 'string', default: 'pglite,postgres' },
      },
      strict: true,
    });
    const deliveries = Number(options.deliveries);
    const postgresUrl = context.env.EW4E_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    for (const backend of options.backends.split(',') as Backend[]) {
      await withScratchDatabase(backend, postgresUrl, async (location) => {
        const ours = await dispatchThroughput(location, deliveries);
        const yardstick = await plainPostThroughput(deliveries, ours.body);
        context.report(
          benchResult({
            bench: 'dispatch',
            case: backend,
            value: ours.perSecond,
            unit: 'deliveries/s',
            yardstick,
            better: 'higher',
          }),
        );
        context.log(
          `${backend}: ${deliveries} deliveries in ${(deliveries / ours.perSecond).toFixed(1)} s; ` +
            `the loop ${(deliveries / yardstick).toFixed(1)} s`,
        );
      });
    }
  },
};

async function dispatchThroughput(
  location: { dataDir: string; databaseUrl: string | undefined },
  n: number,
): Promise<{ perSecond: number; body: string }> {
  const receiver = await startWebhookReceiver();
  const adminKey = `bench-${randomBytes(12).toString('hex')}`;
  const platform = await createPlatform(
    {
      ...configFromEnv({}),
      port: 0,
      host: '127.0.0.1',
      dataDir: location.dataDir,
      databaseUrl: location.databaseUrl,
      adminKey,
      logLevel: 'silent',
    },
    false,
  );
  try {
    const call = async (url: string, payload: unknown, key = adminKey) => {
      const r = await platform.server.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${key}` },
        payload: payload as Record<string, unknown>,
      });
      if (r.statusCode >= 300) throw new Error(`POST ${url}: ${r.statusCode} ${r.body}`);
      return r.json();
    };
    const org = await call('/v1/organisations', {
      kind: 'country',
      code: 'dsp',
      name: 'Dispatch',
      iso_code: 'BD',
    });
    const { key } = await call('/v1/keys', { name: 'bench', role: 'approver', organisation_id: org.id });
    const source = await call(
      '/v1/sources',
      { code: 'dsp', name: 'D', provider: 'P', licence: 'CC0-1.0', provenance: 'bench' },
      key,
    );
    const station = await call(
      '/v1/stations',
      {
        source_id: source.id,
        code: 'dhaka',
        name: 'Dhaka',
        sense: 'ground_station',
        lon: 90.4,
        lat: 23.75,
        expected_cadence_s: 3600,
      },
      key,
    );
    const series = await call('/v1/series', { station_id: station.id, variable: 'pm25' }, key);
    const rule = await call(
      '/v1/rules',
      {
        name: 'PM2.5 above 75',
        definition: {
          kind: 'threshold',
          select: { series: series.code },
          when: 'above',
          level: 75,
          severity: 'Severe',
          warning: { autoPublish: ['Severe'], radiusKm: 30 },
        },
      },
      key,
    );

    // N responders around Dhaka, each with an endpoint of its own (written in bulk).
    const db = platform.services.database.db;
    const secret = await platform.services.webhookSecretFor(`${receiver.url}/0`);
    receiver.setSecret(secret);
    const rows = responderSubscriptions(org.id, n, (i) => `${receiver.url}/${i}`, secret);
    for (let i = 0; i < rows.length; i += 1000)
      await db
        .insertInto('subscription')
        .values(rows.slice(i, i + 1000))
        .execute();
    const now = Date.now();
    const signalIds = await insertSignals(db, [
      fixtureSignal(
        { orgId: org.id, seriesId: series.id, stationId: station.id },
        {
          raisedBy: { origin: 'rule', ruleId: rule.id, ruleVersion: rule.version },
          startMs: now,
          dedupeKey: 'dispatch-bench',
        },
      ),
    ]);
    await platform.services.warnings.process(signalIds, now);

    const started = performance.now();
    const sent = await platform.services.dispatcher.drain();
    const seconds = (performance.now() - started) / 1000;
    const verified = receiver.received.filter((r) => r.verified).length;
    if (sent !== n || verified !== n)
      throw new Error(`expected ${n} deliveries, ${sent} were attempted and ${verified} received signed`);
    return { perSecond: n / seconds, body: receiver.received[0]?.body ?? '' };
  } finally {
    await platform.close();
    await receiver.close();
  }
}

/** The same signed POSTs from a loop: IN_FLIGHT at a time, each to its own URL, signature per Standard Webhooks. */
async function plainPostThroughput(n: number, body: string): Promise<number> {
  const receiver = await startWebhookReceiver();
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  receiver.setSecret(secret);
  const key = Buffer.from(secret.slice(6), 'base64');
  try {
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      for (let i = next++; i < n; i = next++) {
        const id = `msg_${i}`;
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
        const r = await fetch(`${receiver.url}/${i}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': timestamp,
            'webhook-signature': `v1,${signature}`,
          },
          body,
        });
        await r.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const seconds = (performance.now() - started) / 1000;
    if (receiver.received.filter((r) => r.verified).length !== n) throw new Error('the loop lost POSTs');
    return n / seconds;
  } finally {
    await receiver.close();
  }
}
