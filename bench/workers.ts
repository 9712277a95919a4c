/**
 * @module Detect workers over NATS JetStream: the same backlog (series × rows stored first, then one hint per
 * series published to the observation stream, as an ingesting process would) drained by one, then by two
 * `ew4e serve --role detect` processes on PostgreSQL; once with the rows carried in the messages, once with bare
 * hints (the workers read the rows back). The yardstick of two workers is one worker's rate: ratio 2 would be
 * perfect scaling. Beside the rates it prints the CPU seconds of the workers, of their PostgreSQL backends, of
 * NATS and of this process, how busy the whole machine was, and how long the workers waited for a core; first, a
 * plain CPU-bound loop in one and in two processes, to show what the machine itself gives a second process.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { sql } from 'kysely';
import { createServices, type Services } from '../src/app.ts';
import type { CarriedRows } from '../src/bus/observation-hint.ts';
import { ObservationStream } from '../src/bus/observation-stream.ts';
import { configFromEnv } from '../src/config.ts';
import { DETECTORS } from '../src/detect/detectors.ts';
import type { ObservationColumns } from '../src/store/observation.repository.ts';
import { startPrivateNats } from '../test/support/private-nats.ts';
import { type ServerProcess, startServerProcess } from '../test/support/server-process.ts';
import { type Bench, benchResult } from './bench.ts';
import { registerPm25Stations } from './bench-stations.ts';
import { withScratchDatabase } from './scratch-database.ts';

const MINUTE = 60_000;
const ADMIN_KEY = 'bench-workers-admin-key-0123456789';
/** The workers' PostgreSQL sessions carry this name, so that their backends' CPU can be told from the bench's own. */
const WORKER_APPLICATION = 'ew4e-bench-worker';
/**
 * How the rows reach the workers: carried in the stream's messages (what the ingest publishes for a batch of up
 * to 32 768 rows per series), or read back from PostgreSQL after a bare hint (bigger batches, the sweep).
 */
const HAND_OVERS = ['carried', 'read'] as const;
type HandOver = (typeof HAND_OVERS)[number];
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
      options: { series: { type: 'string', default: '800' }, rows: { type: 'string', default: '5000' } },
      strict: true,
    });
    const seriesCount = Number(options.series);
    const rows = Number(options.rows);
    // The machine's own answer to the same question, with nothing shared between the two: how many more
    // iterations two CPU-bound processes get through than one (first, while the machine is quiet).
    const alone = await plainLoops(1);
    const paired = await plainLoops(2);
    context.log(`plain loop: ${alone} iterations in one process, ${paired} in two side by side`);
    context.report(
      benchResult({
        bench: 'workers',
        case: '2-plain-loops',
        value: paired,
        unit: 'iterations',
        yardstick: alone,
        better: 'higher',
      }),
    );
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
          for (const handOver of HAND_OVERS) {
            const rates: number[] = [];
            for (const workers of [1, 2]) {
              // Each case has series of its own, so that nothing is detected before its hints go out.
              const prefix = `${handOver}${workers}`;
              const warmUpIds = await registerSeries(services, WARM_UP_SERIES, `${prefix}warm`);
              const seriesIds = await registerSeries(services, seriesCount, prefix);
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
                await drain(services, stream, await storeBacklog(services, warmUpIds, rows), handOver);
                const backlog = await storeBacklog(services, seriesIds, rows);
                const cpu = await CpuMeter.start(
                  services,
                  processes.map((p) => p.child.pid ?? -1),
                  nats.pid ?? -1,
                );
                const started = performance.now();
                await drain(services, stream, backlog, handOver, () => cpu.sample());
                const seconds = (performance.now() - started) / 1000;
                const used = await cpu.stop();
                const rate = (seriesIds.length * rows) / seconds;
                rates.push(rate);
                const cores = (t: KindTimes) =>
                  `${t.cpuS.toFixed(2)} s = ${(t.cpuS / seconds).toFixed(2)} cores (waited ${t.waitS.toFixed(2)} s for a core)`;
                context.log(
                  `workers: ${workers} worker(s), rows ${handOver}, detected ${seriesIds.length} series × ${rows} rows in ` +
                    `${seconds.toFixed(2)} s (${Math.round(rate)} obs/s); CPU: workers ${cores(used.workers)}, their ` +
                    `postgres backends ${cores(used.postgres)}, NATS ${used.nats.cpuS.toFixed(2)} s, this bench ${used.benchS.toFixed(2)} s; ` +
                    `the machine was busy ${used.machineBusyS.toFixed(2)} of ${(2 * seconds).toFixed(2)} core-seconds; load average ${loadAverage()}`,
                );
                context.report({
                  bench: 'workers',
                  case: `${workers}-worker-${handOver}-cpu`,
                  wallS: round2(seconds),
                  workersCpuS: round2(used.workers.cpuS),
                  workersWaitS: round2(used.workers.waitS),
                  postgresCpuS: round2(used.postgres.cpuS),
                  postgresWaitS: round2(used.postgres.waitS),
                  natsCpuS: round2(used.nats.cpuS),
                  benchCpuS: round2(used.benchS),
                  machineBusyS: round2(used.machineBusyS),
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
            const suffix = handOver === 'carried' ? '' : `-${handOver}`;
            context.report({
              bench: 'workers',
              case: `1-worker${suffix}`,
              value: Math.round(one),
              unit: 'obs/s',
              yardstick: Math.round(one),
              ratio: 1,
            });
            context.report(
              benchResult({
                bench: 'workers',
                case: `2-workers${suffix}`,
                value: two,
                unit: 'obs/s',
                yardstick: one,
                better: 'higher',
              }),
            );
          }
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

/** Two seconds of arithmetic over a 512 KiB array in each of `processes` node processes at once: iterations in all. */
async function plainLoops(processes: number): Promise<number> {
  // In a function: V8 optimises locals better than the top-level bindings of a `-e` script.
  const program = `(() => {
    const a = new Float64Array(1 << 16); let n = 0, s = 0; const end = Date.now() + 2000;
    while (Date.now() < end) {
      for (let i = 0; i < 100000; i++) { const j = (i * 2654435761) & 0xffff; a[j] = a[j] * 0.5 + Math.sin(i); s += a[j]; }
      n++;
    }
    process.stdout.write(String(n + (s === 0.5 ? 1 : 0)));
  })()`;
  const counts = await Promise.all(
    Array.from(
      { length: processes },
      () =>
        new Promise<number>((resolve, reject) =>
          execFile(process.execPath, ['-e', program], (error, stdout) =>
            error ? reject(error) : resolve(Number(stdout)),
          ),
        ),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

async function registerSeries(services: Services, count: number, prefix: string): Promise<number[]> {
  const stations = await registerPm25Stations(
    services.database.db,
    services.globalOrganisationId,
    prefix,
    count,
    (i) => ({
      lon: -170 + (i % 300),
      lat: -60 + Math.floor(i / 300),
    }),
  );
  return stations.map((s) => s.seriesId);
}

/** A stored backlog: what each series' batch would carry on the stream, and the newest time of all. */
interface Backlog {
  readonly lastTimeMs: number;
  readonly rows: ReadonlyMap<number, CarriedRows>;
}

/** Minute data ending an hour ago, a daily cycle with noise, written by COPY: no hint, no detection yet. */
async function storeBacklog(
  services: Services,
  seriesIds: readonly number[],
  rows: number,
): Promise<Backlog> {
  const lastTimeMs = Math.floor(Date.now() / MINUTE) * MINUTE - 3_600_000;
  const firstTimeMs = lastTimeMs - (rows - 1) * MINUTE;
  await services.observations.ensurePartitions(firstTimeMs, lastTimeMs);
  const carried = new Map<number, CarriedRows>();
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
    carried.set(seriesId, {
      timeMs: Float64Array.from(columns.timeMs),
      value: Float64Array.from(columns.value),
      revision: 0,
    });
  }
  // Autovacuum, and the checkpointer writing the new pages out, would otherwise work at a moment of their
  // choosing, perhaps inside the timed part.
  await sql`vacuum (analyze) observation`.execute(services.database.db);
  await sql`checkpoint`.execute(services.database.db);
  return { lastTimeMs, rows: carried };
}

/**
 * Publishes one hint per series, as the ingest would after committing the backlog as one batch per series
 * (`carried`: with its rows; `read`: a bare hint, as for an import too big to carry), and waits until every
 * detector of every series has reached the newest time.
 */
async function drain(
  services: Services,
  stream: ObservationStream,
  backlog: Backlog,
  handOver: HandOver,
  meanwhile: () => Promise<void> = async () => undefined,
): Promise<void> {
  stream.publish(
    [...backlog.rows].map(([seriesId, rows]) => ({
      seriesId,
      organisationId: services.globalOrganisationId,
      newestMs: backlog.lastTimeMs,
      ...(handOver === 'carried' ? { rows } : {}),
    })),
  );
  await stream.settled();
  await untilDetected(services, [...backlog.rows.keys()], backlog.lastTimeMs, meanwhile);
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
    private readonly natsPid: number,
    private readonly benchStart: NodeJS.CpuUsage,
    private readonly machineStartS: number,
  ) {}

  static async start(services: Services, workerPids: readonly number[], natsPid: number): Promise<CpuMeter> {
    const meter = new CpuMeter(services, workerPids, natsPid, process.cpuUsage(), machineBusyS());
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
    for (const pid of [...this.workerPids, this.natsPid, ...this.#backends]) {
      const times = timesOf(pid);
      if (times !== undefined) this.#latest.set(pid, times);
    }
  }

  async stop(): Promise<{
    workers: KindTimes;
    postgres: KindTimes;
    nats: KindTimes;
    benchS: number;
    machineBusyS: number;
  }> {
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
      nats: used([this.natsPid]),
      benchS: (bench.user + bench.system) / 1e6,
      machineBusyS: machineBusyS() - this.machineStartS,
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

/** CPU seconds the whole machine has spent busy since boot, all cores (/proc/stat: all but idle and iowait). */
function machineBusyS(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
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
