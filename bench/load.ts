/**
 * @module Load harness: sustained ingest at a target rate for a set time against `ew4e serve` running as
 * separate processes on a scratch PostgreSQL database, driven over loopback HTTP (keep-alive). Every sample
 * (5 s): achieved obs/s, request latency p50/p99, detection backlog and the RSS of each server process; at the
 * end a result (achieved obs/s against the target) with p99, RSS first/last/max and the backlog's trend.
 *
 * Backlog: observations acknowledged but not yet read by detection — per series, the usable rows (not rejected
 * by QC) after its oldest detector checkpoint (all of them before its first), summed; lag: the largest time
 * span such rows cover in one series. Flat backlog = detection keeps up.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPrivateNats } from '../test/support/private-nats.ts';
import { type ServerProcess, startServerProcess } from '../test/support/server-process.ts';
import { type Bench, type BenchContext, benchResult } from './bench.ts';
import { withScratchDatabase } from './scratch-database.ts';

const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Bounds: the harness cannot be asked for more than an hour, 200 000 obs/s or 100 000 series. */
const MAX_DURATION_S = 3600;
const MAX_RATE = 200_000;
const MAX_SERIES = 100_000;
/** After the load, how long the backlog may take to drain before the harness gives up waiting. */
const DRAIN_BOUND_MS = 60_000;

export interface LoadOptions {
  readonly rate: number;
  readonly durationS: number;
  readonly batchRows: number;
  readonly series: number;
  readonly sampleS: number;
  /** Requests in flight at most; a batch due while all are busy is skipped (and counted), not queued. */
  readonly concurrency: number;
  /** `all`, or process roles (`ingest,detect,notify`) run as one process each over NATS. */
  readonly roles: readonly string[];
  readonly postgresUrl: string;
  /** A NATS server to use; by default the bench starts a private one with an empty store. */
  readonly natsUrl: string | undefined;
}

export function loadOptionsOf(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): LoadOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rate: { type: 'string', default: env.EW4E_LOAD_RATE ?? '10000' },
      duration: { type: 'string', default: env.EW4E_LOAD_DURATION_S ?? '60' },
      batch: { type: 'string', default: env.EW4E_LOAD_BATCH ?? '1000' },
      series: { type: 'string', default: env.EW4E_LOAD_SERIES ?? '1000' },
      sample: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '32' },
      roles: { type: 'string', default: env.EW4E_LOAD_ROLES ?? 'all' },
      'postgres-url': { type: 'string', default: env.EW4E_BENCH_DATABASE_URL ?? DEFAULT_POSTGRES_URL },
      'nats-url': {
        type: 'string',
        ...(env.EW4E_NATS_URL === undefined ? {} : { default: env.EW4E_NATS_URL }),
      },
    },
    strict: true,
  });
  const bounded = (name: string, text: string, max: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new Error(`--${name} must be an integer in 1..${max}`);
    return n;
  };
  const options: LoadOptions = {
    rate: bounded('rate', values.rate, MAX_RATE),
    durationS: bounded('duration', values.duration, MAX_DURATION_S),
    batchRows: bounded('batch', values.batch, 50_000),
    series: bounded('series', values.series, MAX_SERIES),
    sampleS: bounded('sample', values.sample, 600),
    concurrency: bounded('concurrency', values.concurrency, 1024),
    roles: values.roles.split(',').map((r) => r.trim()),
    postgresUrl: values['postgres-url'],
    natsUrl: values['nats-url'],
  };
  for (const url of [options.postgresUrl, ...(options.natsUrl === undefined ? [] : [options.natsUrl])]) {
    if (!LOOPBACK.has(new URL(url).hostname)) throw new Error(`loopback only: ${url}`);
  }
  return options;
}

export const loadBench: Bench = {
  name: 'load',
  summary:
    'sustained ingest at a target rate (default 10 000 obs/s, 60 s) into `ew4e serve` processes on PostgreSQL: rate, p99, backlog, RSS',
  run: async (context) => {
    const options = loadOptionsOf(context.args, context.env);
    context.log(
      `load: ${options.rate} obs/s for ${options.durationS} s, batches of ${options.batchRows}, ` +
        `${options.series} series, roles ${options.roles.join(',')}`,
    );
    // A private NATS by default: a shared server's stream may hold other runs' messages, which the workers
    // would drain first, and this run's messages are left to nobody afterwards.
    const privateNats =
      options.roles.includes('all') || options.natsUrl !== undefined ? undefined : await startPrivateNats();
    const natsUrl = options.natsUrl ?? privateNats?.url;
    try {
      await withScratchDatabase('postgres', options.postgresUrl, async ({ databaseUrl }) => {
        const processes = await startProcesses(options, databaseUrl!, natsUrl, context);
        const reader = new pg.Client({ connectionString: databaseUrl });
        await reader.connect();
        try {
          await runLoad(options, processes, reader, context);
        } finally {
          await reader.end();
          for (const p of [...processes].reverse()) await p.server.stop(10_000);
        }
      });
    } finally {
      await privateNats?.dispose();
    }
  },
};

interface RunningProcess {
  readonly role: string;
  readonly server: ServerProcess;
}

const ADMIN_KEY = `load-${randomBytes(16).toString('hex')}`;

/** One `serve --role all`, or one process per role over NATS, the ingesting one first (it migrates the database). */
async function startProcesses(
  options: LoadOptions,
  databaseUrl: string,
  natsUrl: string | undefined,
  context: BenchContext,
): Promise<RunningProcess[]> {
  const env = {
    DATABASE_URL: databaseUrl,
    EW4E_ADMIN_KEY: ADMIN_KEY,
    // The harness is one client sending far more than any gateway would: never throttle it.
    EW4E_RATE_LIMIT_PER_MINUTE: '100000000',
  };
  if (options.roles.length === 1 && options.roles[0] === 'all') {
    return [{ role: 'all', server: await startServerProcess(env, ['--role', 'all']) }];
  }
  const ordered = [...options.roles].sort(
    (a, b) => Number(b === 'ingest' || b === 'api') - Number(a === 'ingest' || a === 'api'),
  );
  if (ordered[0] !== 'ingest' && ordered[0] !== 'api') throw new Error('--roles needs ingest or api');
  const started: RunningProcess[] = [];
  try {
    for (const role of ordered) {
      started.push({
        role,
        server: await startServerProcess({ ...env, EW4E_NATS_URL: natsUrl }, ['--role', role]),
      });
      context.log(`load: ${role} running (pid ${started[started.length - 1]!.server.child.pid})`);
    }
  } catch (error) {
    for (const p of started) await p.server.stop();
    throw error;
  }
  return started;
}

async function runLoad(
  options: LoadOptions,
  processes: readonly RunningProcess[],
  reader: pg.Client,
  context: BenchContext,
): Promise<void> {
  const base = processes[0]!.server.base;
  const call = async (url: string, body: unknown) => {
    const r = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`POST ${url}: ${r.status} ${text}`);
    return JSON.parse(text) as { id: number };
  };

  const setupStarted = performance.now();
  const source = await call('/v1/sources', {
    code: 'load',
    name: 'Load',
    provider: 'bench',
    licence: 'CC0-1.0',
    provenance: 'bench/load.ts',
  });
  const seriesIds: number[] = new Array(options.series);
  // Stations over the API, 16 at a time, spread over a 1° grid so that none shares a place.
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < options.series; i = next++) {
        const station = await call('/v1/stations', {
          source_id: source.id,
          code: `load-${i}`,
          name: `Load ${i}`,
          sense: 'ground_station',
          lon: -170 + (i % 340),
          lat: -60 + (Math.floor(i / 340) % 120),
          expected_cadence_s: 1,
        });
        seriesIds[i] = (await call('/v1/series', { station_id: station.id, variable: 'pm25' })).id;
      }
    }),
  );
  context.log(
    `load: ${options.series} stations and series in ${Math.round((performance.now() - setupStarted) / 1000)} s`,
  );

  // Each series reads every `spacingMs` of the sensors' clock, which runs at the target rate.
  const spacingMs = Math.max(1, Math.round((options.series * 1000) / options.rate));
  const sequence = new Array<number>(options.series).fill(0);
  let rowCursor = 0;
  const startedMs = Date.now();
  const batchCsv = (): string => {
    const lines = ['series,time,value'];
    for (let k = 0; k < options.batchRows; k++) {
      const s = rowCursor++ % options.series;
      const n = sequence[s]!++;
      const timeMs = startedMs + n * spacingMs;
      // A daily-looking wave with noise: PM2.5 in µg/m³, well inside the QC limits.
      const value = 30 + 10 * Math.sin((timeMs / 3_600_000) * Math.PI + s) + Math.random() * 4;
      lines.push(`${seriesIds[s]},${new Date(timeMs).toISOString()},${value.toFixed(2)}`);
    }
    return lines.join('\n');
  };

  let inFlight = 0;
  let skipped = 0;
  let failed = 0;
  let acceptedInWindow = 0;
  let acceptedTotal = 0;
  let windowLatencies: number[] = [];
  const allLatencies: number[] = [];
  const send = async (body: string) => {
    inFlight++;
    const sentAt = performance.now();
    try {
      const r = await fetch(`${base}/v1/observations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/csv' },
        body,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await r.text();
      const latencyMs = performance.now() - sentAt;
      if (r.ok) {
        const accepted = (JSON.parse(text) as { accepted: number }).accepted;
        acceptedInWindow += accepted;
        acceptedTotal += accepted;
        windowLatencies.push(latencyMs);
        allLatencies.push(latencyMs);
      } else {
        failed++;
        if (failed <= 5) context.log(`load: ${r.status} ${text.slice(0, 300)}`);
      }
    } catch (error) {
      failed++;
      if (failed <= 5) context.log(`load: request failed: ${(error as Error).message}`);
    } finally {
      inFlight--;
    }
  };

  const samples: Sample[] = [];
  const sample = async (windowMs: number) => {
    const latencies = windowLatencies.sort((a, b) => a - b);
    windowLatencies = [];
    const backlog = await backlogOf(reader);
    const rss = await Promise.all(processes.map((p) => rssMbOf(p.server.child.pid!)));
    const s: Sample = {
      atS: Math.round((Date.now() - startedMs) / 100) / 10,
      obsPerS: Math.round((acceptedInWindow / windowMs) * 1000),
      p50Ms: round1(quantile(latencies, 0.5)),
      p99Ms: round1(quantile(latencies, 0.99)),
      backlogRows: backlog.rows,
      lagS: backlog.lagS,
      rssMb: Object.fromEntries(processes.map((p, i) => [p.role, rss[i]!])),
      skipped,
      failed,
    };
    acceptedInWindow = 0;
    samples.push(s);
    context.report({ bench: 'load', case: 'sample', ...s });
  };

  // Open loop: batches leave on the target's schedule, whatever the replies do; latency is not hidden by waiting.
  const intervalMs = (options.batchRows / options.rate) * 1000;
  const endMs = startedMs + options.durationS * 1000;
  const pending = new Set<Promise<void>>();
  let loading = true;
  // The sampler runs beside the sender, so that its queries never hold a batch back.
  const sampler = (async () => {
    let lastSampleMs = startedMs;
    for (let k = 1; loading; k++) {
      const waitMs = startedMs + k * options.sampleS * 1000 - Date.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      if (!loading) break;
      const now = Date.now();
      await sample(now - lastSampleMs);
      lastSampleMs = now;
    }
    return lastSampleMs;
  })();
  for (let tick = 0; ; tick++) {
    const dueMs = startedMs + tick * intervalMs;
    if (dueMs >= endMs) break;
    const waitMs = dueMs - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    if (inFlight >= options.concurrency) {
      skipped++;
      continue;
    }
    const request = send(batchCsv());
    pending.add(request);
    void request.finally(() => pending.delete(request));
  }
  await Promise.all(pending);
  loading = false;
  const lastSampleMs = await sampler;
  const loadEndMs = Date.now();
  await sample(loadEndMs - lastSampleMs);
  const achieved = (acceptedTotal / (loadEndMs - startedMs)) * 1000;

  // How long detection needs to catch up once the load stops (bounded).
  let drainS: number | null = null;
  while (Date.now() - loadEndMs < DRAIN_BOUND_MS) {
    const { rows } = await backlogOf(reader);
    if (rows === 0) {
      drainS = Math.round((Date.now() - loadEndMs) / 100) / 10;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  const loadSamples = samples;
  // RSS swings by a few hundred MB between major GCs, so single samples say little about growth: the median of
  // the minute after the warm-up is set against the median of the last minute (windows shrink for short runs).
  const windowS = Math.max(options.sampleS * 3, Math.min(60, options.durationS / 5));
  const medianRss = (role: string, fromS: number, toS: number) =>
    median(loadSamples.filter((s) => s.atS > fromS && s.atS <= toS).map((s) => s.rssMb[role]!));
  const rssOf = (role: string) => {
    const values = loadSamples.map((s) => s.rssMb[role]!);
    const early = medianRss(role, windowS, 2 * windowS);
    const late = medianRss(role, options.durationS - windowS, Number.POSITIVE_INFINITY);
    return {
      first: values[0]!,
      last: values[values.length - 1]!,
      max: Math.max(...values),
      earlyMedian: early,
      lateMedian: late,
      growthPct: Math.round(((late - early) / early) * 1000) / 10,
    };
  };
  // The first sample is the warm-up (JIT, pools, caches): the trends are taken from the second on.
  const steady = loadSamples.length > 2 ? loadSamples.slice(1) : loadSamples;
  allLatencies.sort((a, b) => a - b);
  const result = benchResult({
    bench: 'load',
    case: `postgres ${options.roles.join('+')}`,
    value: achieved,
    unit: 'obs/s',
    yardstick: options.rate,
    better: 'higher',
  });
  context.report({
    ...result,
    durationS: options.durationS,
    series: options.series,
    batchRows: options.batchRows,
    p50Ms: round1(quantile(allLatencies, 0.5)),
    p99Ms: round1(quantile(allLatencies, 0.99)),
    rssMb: Object.fromEntries(processes.map((p) => [p.role, rssOf(p.role)])),
    backlogRows: {
      first: steady[0]?.backlogRows ?? 0,
      last: steady[steady.length - 1]?.backlogRows ?? 0,
      max: Math.max(...loadSamples.map((s) => s.backlogRows)),
      slopePerS: round1(slope(steady.map((s) => [s.atS, s.backlogRows]))),
    },
    maxLagS: Math.max(...loadSamples.map((s) => s.lagS)),
    drainS,
    skipped,
    failed,
  });
}

interface Sample {
  readonly atS: number;
  readonly obsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly backlogRows: number;
  readonly lagS: number;
  readonly rssMb: Record<string, number>;
  readonly skipped: number;
  readonly failed: number;
}

/** The backlog as defined in the module comment: one index range count per series. */
async function backlogOf(reader: pg.Client): Promise<{ rows: number; lagS: number }> {
  const { rows } = await reader.query<{ backlog: string; lag_s: string | null }>(`
    select coalesce(sum(x.n), 0)::bigint as backlog,
           max(extract(epoch from x.newest - x.oldest))::float8 as lag_s
    from series s
    cross join lateral (
      select count(*) as n, min(o.time) as oldest, max(o.time) as newest
      from observation o
      where o.series_id = s.id and o.qc_flag < 2
        and o.time > coalesce((select min(d.last_time) from detector_state d where d.series_id = s.id), '-infinity')
    ) x`);
  return { rows: Number(rows[0]!.backlog), lagS: round1(Number(rows[0]!.lag_s ?? 0)) };
}

/** Resident set size of a process from /proc (Linux), in MB. */
async function rssMbOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Math.round(Number(kb) / 102.4) / 10;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Least-squares slope of y over x: the backlog's trend, in rows per second. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
