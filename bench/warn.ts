/** @module Warning-stage throughput: signals threaded and judged per second, beside storing the same signals (the stage's own input cost). */
import { parseArgs } from 'node:util';
import { createServices } from '../src/app.ts';
import { configFromEnv, DEFAULTS } from '../src/config.ts';
import type { SignalDraft } from '../src/detect/signal.ts';
import type { Backend } from '../src/store/database.ts';
import { insertSignals } from '../src/store/signal.repository.ts';
import { type Bench, benchResult } from './bench.ts';
import { registerPm25Stations, type StationSeries } from './bench-stations.ts';
import { withScratchDatabase } from './scratch-database.ts';

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export const warnBench: Bench = {
  name: 'warn',
  summary: 'signals/s threaded into warnings (PGlite, PostgreSQL), beside storing the same signals',
  run: async (context) => {
    const { values: options } = parseArgs({
      args: [...context.args],
      options: {
        signals: { type: 'string', default: '20000' },
        stations: { type: 'string', default: '50' },
        batch: { type: 'string', default: '1000' },
        backends: { type: 'string', default: 'pglite,postgres' },
        'postgres-url': { type: 'string', default: context.env.EW4E_TEST_DATABASE_URL ?? POSTGRES_URL },
      },
      strict: true,
    });
    const n = Number(options.signals);
    const stations = Number(options.stations);
    const batch = Number(options.batch);
    for (const backend of options.backends.split(',') as Backend[]) {
      await withScratchDatabase(backend, options['postgres-url'], async (location) => {
        const services = await createServices({
          port: 0,
          host: '127.0.0.1',
          dataDir: location.dataDir,
          databaseUrl: location.databaseUrl,
          adminKey: undefined,
          logLevel: 'silent',
          maxBatchRows: DEFAULTS.maxBatchRows,
          maxBodyBytes: DEFAULTS.maxBodyBytes,
          publicUrl: 'http://localhost',
          delivery: configFromEnv({}).delivery,
          detectionGatherMs: DEFAULTS.detectionGatherMs,
        });
        try {
          const series = await network(services.database.db, services.globalOrganisationId, stations);
          const t0 = Date.now() - n * 1000;
          // One episode per station: anomalies every second, as a detector storm would raise them.
          const drafts = (salt: string): SignalDraft[] =>
            Array.from({ length: n }, (_, i) => {
              const s = series[i % series.length]!;
              return {
                organisationId: s.organisationId,
                seriesId: s.seriesId,
                stationId: s.stationId,
                areaId: null,
                raisedBy: { origin: 'detector', detector: 'ensemble' },
                kind: 'anomaly',
                state: 'firing',
                startMs: t0 + i * 1000,
                endMs: null,
                score: 0.95,
                observed: 120,
                expected: 40,
                spread: 8,
                unit: 'µg/m³',
                leadTimeS: null,
                sentence: 'bench',
                details: {},
                dedupeKey: `${salt}:${i}`,
              };
            });
          // Yardstick: storing the signals, in the same batches.
          const yardstickDrafts = drafts('yardstick');
          let started = performance.now();
          for (let i = 0; i < n; i += batch)
            await insertSignals(services.database.db, yardstickDrafts.slice(i, i + batch));
          const storeRate = n / ((performance.now() - started) / 1000);
          await services.database.db.deleteFrom('signal').execute();

          const ours = drafts('warn');
          const ids: number[] = [];
          for (let i = 0; i < n; i += batch)
            ids.push(...(await insertSignals(services.database.db, ours.slice(i, i + batch))));
          // The population index loads once per process (≈ 0.8 s); the first batch pays it outside the clock.
          await services.warnings.process(ids.slice(0, batch), Date.now());
          started = performance.now();
          for (let i = batch; i < n; i += batch)
            await services.warnings.process(ids.slice(i, i + batch), Date.now());
          const warnRate = (n - batch) / ((performance.now() - started) / 1000);
          const threads = await services.database.db
            .selectFrom('warning_thread')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          context.log(`${backend}: ${n} signals → ${Number(threads.n)} threads (one per station)`);
          context.report(
            benchResult({
              bench: 'warn',
              case: backend,
              value: warnRate,
              unit: 'signals/s',
              yardstick: storeRate,
              better: 'higher',
            }),
          );
        } finally {
          await services.database.close();
        }
      });
    }
  },
};

interface BenchSeries extends StationSeries {
  readonly organisationId: number;
}

/** A country organisation with `count` PM2.5 stations about 55 km apart: one separate episode each. */
async function network(
  db: Awaited<ReturnType<typeof createServices>>['database']['db'],
  parentId: number,
  count: number,
): Promise<BenchSeries[]> {
  const org = await db
    .insertInto('organisation')
    .values({ parent_id: parentId, kind: 'country', code: 'xb', name: 'Bench country', iso_code: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const stations = await registerPm25Stations(db, org.id, 'bench', count, (i) => ({
    lon: 10 + i * 0.5,
    lat: 5,
  }));
  return stations.map((s) => ({ ...s, organisationId: org.id }));
}
