/**
 * @module Detect workers over NATS JetStream: the same backlog (series × rows stored first, then one hint per
 * series published to the observation stream) drained by one, then by two `ew4e serve --role detect`
 * processes on PostgreSQL. The yardstick of two workers is one worker's rate: ratio 2 would be perfect scaling.
 * Beside the rates it prints the CPU seconds of the workers and of their PostgreSQL backends, and how long they
 * waited for a core: two workers cannot go twice as fast on a machine without the cores for them.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { createServices, type Services } from '../src/app.ts';
import { ObservationStream } from '../src/bus/observation-stream.ts';
import { configFromEnv } from '../src/config.ts';
import { DETECTORS } from '../src/detect/detectors.ts';
import type { ObservationColumns } from '../src/store/observation.repository.ts';
import { startPrivateNats } from '../test/support/private-nats.ts';
import { type ServerProcess, startServerProcess } from '../test/support/server-process.ts';
import { type Bench, benchResult } from './bench.ts';
import { withScratchDatabase } from './scratch-database.ts';

const MINUTE = 60_000;
const ADMIN_KEY = 'bench-workers-admin-key-0123456789';
/** The workers' PostgreSQL sessions carry this name, so that their backends' CPU can be told from the bench's own. */
const WORKER_APPLICATION = 'ew4e-bench-worker';
/** Series each case drains before it is timed. */
const WARM_UP_SERIES = 32;
/** Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat (100 on every mainstream architecture). */
const CLOCK_TICKS_PER_S = 100;

export const workersBench: Bench = {
  name: 'workers',
  summary:
    'obs/s detected from a stored backlog by 1 and by 2 detect worker processes (NATS JetStream, PostgreSQL)',
  run: async (context) => {
    const { values: options } = parseArgs({
      args: [...context.args],
      options: { series: { type: 'string', default: '200' }, rows: { type: 'string', default: '5000' } },
      strict: true,
    });
    const seriesCount = Number(options.series);
    const rows = Number(options.rows);
    const postgresUrl = context.env.EW4E_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const nats = await startPrivateNats();
    try {
      await withScratchDatabase('postgres', postgresUrl, async ({ databaseUrl }) => {
        if (databaseUrl === undefined) throw new Error('a PostgreSQL scratch database has a URL');
        const services = await createServices({
          ...configFromEnv({}),
          databaseUrl,
          adminKey: ADMIN_KEY,
          logLevel: 'silent',
        });
        const nc = await connect({ servers: nats.url });
        const stream = await ObservationStream.open(nc, { ackWaitMs: 30_000, batch: 16 }, (e) =>
          context.log(`NATS: ${String(e)}`),
        );
        try {
          const rates: number[] = [];
          for (const workers of [1, 2]) {
            // Each case has series of its own, so that nothing is detected before its hints go out.
            const warmUpIds = await registerSeries(services, WARM_UP_SERIES, `w${workers}warm`);
            const seriesIds = await registerSeries(services, seriesCount, `w${workers}`);
            const workerUrl = new URL(databaseUrl);
            workerUrl.searchParams.set('application_name', WORKER_APPLICATION);
            const processes = await Promise.all(
              Array.from({ length: workers }, () =>
                startServerProcess(
                  {
                    DATABASE_URL: workerUrl.toString(),
                    EW4E_NATS_URL: nats.url,
                    EW4E_ADMIN_KEY: ADMIN_KEY,
                  },
                  ['--role', 'detect'],
                ),
              ),
            );
            try {
              await new Promise((r) => setTimeout(r, 1_000)); // the workers' start-up sweep finds nothing
              // A few series first, so that every worker has compiled its hot code (V8's JIT) before the
              // clock starts: the rate a worker sustains, not its first second.
              await drain(services, stream, warmUpIds, await storeBacklog(services, warmUpIds, rows));
              const lastTimeMs = await storeBacklog(services, seriesIds, rows);
              const cpu = await CpuMeter.start(
                services,
                processes.map((p) => p.child.pid ?? -1),
              );
              const started = performance.now();
              await drain(services, stream, seriesIds, lastTimeMs, () => cpu.sample());
              const seconds = (performance.now() - started) / 1000;
              const used = await cpu.stop();
              const rate = (seriesIds.length * rows) / seconds;
              rates.push(rate);
              const cores = (t: KindTimes) =>
                `${t.cpuS.toFixed(2)} s = ${(t.cpuS / seconds).toFixed(2)} cores (waited ${t.waitS.toFixed(2)} s for a core)`;
              context.log(
                `workers: ${workers} worker(s) detected ${seriesIds.length} series × ${rows} rows in ${seconds.toFixed(2)} s ` +
                  `(${Math.round(rate)} obs/s); CPU: workers ${cores(used.workers)}, their postgres backends ` +
                  `${cores(used.postgres)}, this bench ${used.benchS.toFixed(2)} s; load average ${loadAverage()}`,
              );
              context.report({
                bench: 'workers',
                case: `${workers}-worker-cpu`,
                wallS: round2(seconds),
                workersCpuS: round2(used.workers.cpuS),
                workersWaitS: round2(used.workers.waitS),
                postgresCpuS: round2(used.postgres.cpuS),
                postgresWaitS: round2(used.postgres.waitS),
                benchCpuS: round2(used.benchS),
                cpuPerMillionObsS: round2(
                  ((used.workers.cpuS + used.postgres.cpuS) * 1e6) / (seriesIds.length * rows),
                ),
                loadAverage: loadAverage(),
              });
            } finally {
              await Promise.all(processes.map((p: ServerProcess) => p.stop()));
            }
          }
          const [one, two] = rates as [number, number];
          context.report({
            bench: 'workers',
            case: '1-worker',
            value: Math.round(one),
            unit: 'obs/s',
            yardstick: Math.round(one),
            ratio: 1,
          });
          context.report(
            benchResult({
              bench: 'workers',
              case: '2-workers',
              value: two,
              unit: 'obs/s',
              yardstick: one,
              better: 'higher',
            }),
          );
        } finally {
          await stream.close();
          await nc.close();
          await services.database.close();
        }
      });
    } finally {
      await nats.dispose();
    }
  },
};

async function registerSeries(services: Services, count: number, prefix: string): Promise<number[]> {
  const db = services.database.db;
  const organisationId = services.globalOrganisationId;
  const source = await db
    .insertInto('source')
    .values({
      organisation_id: organisationId,
      code: prefix,
      name: prefix,
      provider: 'bench',
      licence: 'CC0',
      provenance: 'generated',
      url: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const station = await db
      .insertInto('station')
      .values({
        organisation_id: organisationId,
        source_id: source.id,
        code: `${prefix}s${i}`,
        name: `Station ${prefix} ${i}`,
        sense: 'ground_station',
        lon: -170 + (i % 300),
        lat: -60 + Math.floor(i / 300),
        elevation_m: null,
        expected_cadence_s: 60,
        properties: '{}',
        time_zone: 'UTC',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const series = await db
      .insertInto('series')
      .values({
        organisation_id: organisationId,
        station_id: station.id,
        variable_code: 'pm25',
        code: `${prefix}s${i}:pm25`,
        unit: 'µg/m³',
        qc_override: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(series.id);
  }
  return ids;
}

/** Minute data ending an hour ago, a daily cycle with noise, written by COPY: no hint, no detection yet. */
async function storeBacklog(services: Services, seriesIds: readonly number[], rows: number): Promise<number> {
  const lastTimeMs = Math.floor(Date.now() / MINUTE) * MINUTE - 3_600_000;
  const firstTimeMs = lastTimeMs - (rows - 1) * MINUTE;
  await services.observations.ensurePartitions(firstTimeMs, lastTimeMs);
  for (const seriesId of seriesIds) {
    const columns: ObservationColumns = { seriesId: [], timeMs: [], value: [], qcFlag: [], qcRule: [] };
    for (let i = 0; i < rows; i++) {
      const timeMs = firstTimeMs + i * MINUTE;
      const hour = (timeMs % 86_400_000) / 3_600_000;
      columns.seriesId.push(seriesId);
      columns.timeMs.push(timeMs);
      columns.value.push(
        40 + 15 * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + Math.sin(i * 12.9898 + seriesId) * 0.8,
      );
      columns.qcFlag.push(0);
      columns.qcRule.push(0);
    }
    await services.observations.copy(columns);
  }
  return lastTimeMs;
}

/** Publishes one hint per series and waits until every detector of every series has reached `lastTimeMs`. */
async function drain(
  services: Services,
  stream: ObservationStream,
  seriesIds: readonly number[],
  lastTimeMs: number,
  meanwhile: () => Promise<void> = async () => undefined,
): Promise<void> {
  stream.publish(
    seriesIds.map((seriesId) => ({
      seriesId,
      organisationId: services.globalOrganisationId,
      newestMs: lastTimeMs,
    })),
  );
  await stream.settled();
  await untilDetected(services, seriesIds, lastTimeMs, meanwhile);
}

async function untilDetected(
  services: Services,
  seriesIds: readonly number[],
  lastTimeMs: number,
  meanwhile: () => Promise<void>,
): Promise<void> {
  const expected = seriesIds.length * DETECTORS.length;
  for (;;) {
    const row = await services.database.db
      .selectFrom('detector_state')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('series_id', 'in', [...seriesIds])
      .where('last_time', '=', new Date(lastTimeMs))
      .executeTakeFirstOrThrow();
    if (Number(row.n) === expected) return;
    await meanwhile();
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a process has used so far: CPU seconds of all its threads, and its main thread's wait for a CPU. */
interface ProcessTimes {
  readonly cpuS: number;
  readonly waitS: number;
}

/** CPU and run-queue time of a kind of process over a run, in seconds. */
export interface KindTimes {
  readonly cpuS: number;
  /** Time runnable but not running (another process had the core): the machine, not the code, held it back. */
  readonly waitS: number;
}

/**
 * CPU seconds (user + system) spent during a run by the worker processes, by the PostgreSQL backends serving
 * them, and by this process (publishing, polling): what says how many cores one worker really needs; and the
 * time they waited for a core, which says how much other load on the machine slowed them. Backends come and
 * go with the workers' pools, so they are sampled while the run lasts; one first seen after the start counts
 * from zero. Linux only (/proc).
 */
class CpuMeter {
  readonly #baseline = new Map<number, ProcessTimes>();
  readonly #latest = new Map<number, ProcessTimes>();
  readonly #backends = new Set<number>();
  #lastSample = 0;

  private constructor(
    private readonly services: Services,
    private readonly workerPids: readonly number[],
    private readonly benchStart: NodeJS.CpuUsage,
  ) {}

  static async start(services: Services, workerPids: readonly number[]): Promise<CpuMeter> {
    const meter = new CpuMeter(services, workerPids, process.cpuUsage());
    await meter.sample(true);
    for (const [pid, times] of meter.#latest) meter.#baseline.set(pid, times);
    return meter;
  }

  /** Reads every process's times now (at most every 200 ms), finding the workers' backends first. */
  async sample(force = false): Promise<void> {
    if (!force && performance.now() - this.#lastSample < 200) return;
    this.#lastSample = performance.now();
    const backends = await sql<{ pid: number }>`
      select pid from pg_stat_activity where application_name = ${WORKER_APPLICATION}`.execute(
      this.services.database.db,
    );
    for (const { pid } of backends.rows) this.#backends.add(pid);
    for (const pid of [...this.workerPids, ...this.#backends]) {
      const times = timesOf(pid);
      if (times !== undefined) this.#latest.set(pid, times);
    }
  }

  async stop(): Promise<{ workers: KindTimes; postgres: KindTimes; benchS: number }> {
    await this.sample(true);
    const used = (pids: readonly number[]): KindTimes => {
      let cpuS = 0;
      let waitS = 0;
      for (const pid of pids) {
        cpuS += (this.#latest.get(pid)?.cpuS ?? 0) - (this.#baseline.get(pid)?.cpuS ?? 0);
        waitS += (this.#latest.get(pid)?.waitS ?? 0) - (this.#baseline.get(pid)?.waitS ?? 0);
      }
      return { cpuS, waitS };
    };
    const bench = process.cpuUsage(this.benchStart);
    return {
      workers: used(this.workerPids),
      postgres: used([...this.#backends]),
      benchS: (bench.user + bench.system) / 1e6,
    };
  }
}

/** utime + stime of a process (/proc/<pid>/stat) and its main thread's run-queue wait (schedstat); undefined once it has gone. */
function timesOf(pid: number): ProcessTimes | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // schedstat: time on a CPU, time waiting on a run queue (both ns), timeslices.
    const schedstat = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ');
    return {
      cpuS: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S,
      waitS: Number(schedstat[1]) / 1e9,
    };
  } catch {
    return undefined;
  }
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
