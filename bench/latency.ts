/**
 * @module End-to-end latency: an observation crossing a rule's level, accepted by the API → the warning's
 * webhook received, p50 and p99, while 1 000 background observations a second arrive. The yardstick is
 * the target (1 s): ratio = target / ours, so above 1 means within it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createPlatform } from '../src/app.ts';
import { configFromEnv } from '../src/config.ts';
import { startWebhookReceiver } from '../test/support/webhook-receiver.ts';
import { type Bench, benchResult } from './bench.ts';

const TARGET_MS = 1000;

export const latencyBench: Bench = {
  name: 'latency',
  summary:
    'observation accepted → webhook received, p50 and p99 under 1 000 obs/s of background load (PGlite)',
  run: async (context) => {
    const { values: options } = parseArgs({
      args: [...context.args],
      options: { samples: { type: 'string', default: '40' }, load: { type: 'string', default: '1000' } },
      strict: true,
    });
    const samples = Number(options.samples);
    const loadPerSecond = Number(options.load);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ew4e-latency-'));
    const receiver = await startWebhookReceiver();
    const adminKey = `bench-${randomBytes(12).toString('hex')}`;
    const platform = await createPlatform(
      {
        ...configFromEnv({}),
        port: 0,
        host: '127.0.0.1',
        dataDir,
        databaseUrl: undefined,
        adminKey,
        logLevel: 'silent',
      },
      false,
    );
    try {
      const base = await platform.server.listen({ host: '127.0.0.1', port: 0 });
      const call = async (method: string, url: string, body: unknown, contentType = 'application/json') => {
        const r = await fetch(`${base}${url}`, {
          method,
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': contentType },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        const text = await r.text();
        if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text}`);
        return text === '' ? {} : JSON.parse(text);
      };
      const source = await call('POST', '/v1/sources', {
        code: 'lat',
        name: 'L',
        provider: 'P',
        licence: 'CC0-1.0',
        provenance: 'bench',
      });
      // One station per probe, 1° apart, so each crossing opens its own warning; ten background stations.
      const stations: string[] = [];
      for (let i = 0; i < samples + 10; i++) {
        const station = await call('POST', '/v1/stations', {
          source_id: source.id,
          code: `s${i}`,
          name: `Station ${i}`,
          sense: 'ground_station',
          lon: 5 + (i % 30),
          lat: -20 + Math.floor(i / 30) * 2,
          expected_cadence_s: 1,
        });
        stations.push((await call('POST', '/v1/series', { station_id: station.id, variable: 'pm25' })).code);
      }
      const probes = stations.slice(0, samples);
      const background = stations.slice(samples);
      await call('POST', '/v1/rules', {
        name: 'PM2.5 above 300',
        definition: {
          kind: 'threshold',
          select: { variable: 'pm25' },
          when: 'above',
          level: 300,
          severity: 'Severe',
          warning: { autoPublish: ['Minor', 'Moderate', 'Severe', 'Extreme'] },
        },
      });
      const subscription = await call('POST', '/v1/subscriptions', {
        channel: 'webhook',
        target: receiver.url,
        area: {
          kind: 'polygon',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, -30],
                [40, -30],
                [40, 30],
                [0, 30],
                [0, -30],
              ],
            ],
          },
        },
      });
      receiver.setSecret(subscription.webhook_secret);
      platform.services.dispatcher.start();

      // Background load: every 100 ms a CSV batch of load/10 rows over the background stations.
      let stop = false;
      const started = Date.now();
      const loadLoop = (async () => {
        for (let tick = 0; !stop; tick++) {
          const at = started + tick * 100;
          const rows = ['series,time,value'];
          for (let k = 0; k < loadPerSecond / 10; k++) {
            rows.push(
              `${background[k % background.length]},${new Date(at + k).toISOString()},${20 + (k % 7)}`,
            );
          }
          await call('POST', '/v1/observations', rows.join('\n'), 'text/csv').catch(() => undefined);
          const wait = started + (tick + 1) * 100 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      })();
      await new Promise((r) => setTimeout(r, 3000)); // the load settles first

      const latencies: number[] = [];
      for (const probe of probes) {
        const before = receiver.received.length;
        await call(
          'POST',
          '/v1/observations',
          `series,time,value\n${probe},${new Date().toISOString()},450`,
          'text/csv',
        );
        const acceptedAt = Date.now();
        while (receiver.received.length === before && Date.now() - acceptedAt < 30_000)
          await new Promise((r) => setTimeout(r, 5));
        if (receiver.received.length === before) throw new Error(`no webhook within 30 s for ${probe}`);
        latencies.push((receiver.received[before]?.receivedAtMs ?? Date.now()) - acceptedAt);
        await new Promise((r) => setTimeout(r, 300));
      }
      stop = true;
      await loadLoop;
      latencies.sort((a, b) => a - b);
      const pick = (q: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
      context.log(
        `latency: ${samples} warnings under ${loadPerSecond} obs/s; sorted: ${latencies.join(' ')} ms`,
      );
      for (const [name, q] of [
        ['p50', 0.5],
        ['p99', 0.99],
      ] as const) {
        context.report(
          benchResult({
            bench: 'latency',
            case: `pglite ${name}`,
            value: pick(q),
            unit: 'ms',
            yardstick: TARGET_MS,
            better: 'lower',
          }),
        );
      }
    } finally {
      await platform.services.dispatcher.stop();
      await platform.close();
      await receiver.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
