/**
 * @module Ingest benchmark: observations POSTed as CSV over loopback HTTP to the real server, against raw COPY of the
 * same rows into the same table, on every storage backend.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pino from 'pino';
import { createPlatform, type Platform } from '../src/app.ts';
import { type Config, configFromEnv, DEFAULTS } from '../src/config.ts';
import type { Backend } from '../src/store/database.ts';
import { type Bench, type BenchContext, benchResult } from './bench.ts';
import { withScratchDatabase } from './scratch-database.ts';

const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const COLUMNS = ['series_id', 'time', 'value', 'qc_flag', 'qc_rule'] as const;
/** One reading a minute, the cadence of a typical air-quality monitor's raw feed. */
const CADENCE_MS = 60_000;

export interface IngestOptions {
  readonly rows: number;
  readonly stations: number;
  readonly batchRows: number;
  /** Each round runs both phases; the best round of each phase is reported. */
  readonly rounds: number;
  readonly backends: readonly Backend[];
  /** A database on the server where the benchmark may create (and drop) its own database. */
  readonly postgresUrl: string;
}

export const ingestBench: Bench = {
  name: 'ingest',
  summary:
    'observations POSTed as CSV over loopback HTTP, against COPY of the same rows (PGlite, PostgreSQL)',
  run: async (context) => {
    const options = ingestOptionsOf(context.args, context.env);
    context.log(
      `ingest: ${options.rows} rows, ${options.stations} series, batches of ${options.batchRows}, ` +
        `${options.rounds} rounds, backends ${options.backends.join(', ')}`,
    );
    // One backend at a time, each closed before the next opens, to keep memory in check.
    for (const backend of options.backends) {
      const m = await measureBackend(backend, options, context);
      context.report(
        benchResult({
          bench: 'ingest',
          case: backend,
          value: m.httpRowsPerS,
          unit: 'rows/s',
          yardstick: m.copyRowsPerS,
          better: 'higher',
        }),
      );
    }
  },
};

export function ingestOptionsOf(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): IngestOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rows: { type: 'string', default: '200000' },
      stations: { type: 'string', default: '100' },
      batch: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '3' },
      backends: { type: 'string', default: 'pglite,postgres' },
    },
    strict: true,
    allowPositionals: false,
  });
  const backends = values.backends.split(',').map((b) => b.trim());
  for (const b of backends) {
    if (b !== 'pglite' && b !== 'postgres')
      throw new Error(`--backends: unknown backend "${b}" (pglite, postgres)`);
  }
  return {
    rows: positiveInteger(values.rows, '--rows'),
    stations: positiveInteger(values.stations, '--stations'),
    batchRows: positiveInteger(values.batch, '--batch'),
    rounds: positiveInteger(values.rounds, '--rounds'),
    backends: backends as Backend[],
    postgresUrl: env.EW4E_BENCH_DATABASE_URL || DEFAULT_POSTGRES_URL,
  };
}

function positiveInteger(text: string, name: string): number {
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return n;
}

/** The rows of the run, time-major (every series at one minute, then the next minute), as text shared by both phases. */
interface Dataset {
  readonly seriesIds: Int32Array;
  /** ISO 8601 instants, one per row. */
  readonly times: string[];
  /** Values as sent, one decimal, so that CSV and TSV carry the same text. */
  readonly values: string[];
}

/**
 * PM2.5 that wanders like a city's air: a bounded random walk per station between 20 and 60 µg/m³,
 * well inside the soft limits, from a fixed seed so that every run sends the same values.
 * The last minute is an hour before `nowMs`, clear of the future-time check.
 */
function generateDataset(seriesIds: readonly number[], rows: number, nowMs: number): Dataset {
  const n = seriesIds.length;
  // storedQc reads rows back ordered by (time, series_id): that is the generated order only if ids ascend.
  for (let s = 1; s < n; s++) {
    if (!(seriesIds[s]! > seriesIds[s - 1]!)) throw new Error('series ids must ascend in registration order');
  }
  const minutes = Math.ceil(rows / n);
  const t0 = Math.floor(nowMs / 3_600_000) * 3_600_000 - 3_600_000 - minutes * CADENCE_MS;
  const random = mulberry32(0x45573445);
  const level = seriesIds.map(() => 20 + 40 * random());
  const ids = new Int32Array(rows);
  const times = new Array<string>(rows);
  const values = new Array<string>(rows);
  let i = 0;
  for (let m = 0; m < minutes && i < rows; m++) {
    const time = new Date(t0 + m * CADENCE_MS).toISOString();
    for (let s = 0; s < n && i < rows; s++, i++) {
      let v = level[s]! + (random() - 0.5) * 2;
      if (v < 20) v = 40 - v;
      if (v > 60) v = 120 - v;
      level[s] = v;
      ids[i] = seriesIds[s]!;
      times[i] = time;
      values[i] = v.toFixed(1);
    }
  }
  return { seriesIds: ids, times, values };
}

/** A small seeded PRNG (Tommy Ettinger's Mulberry32): same data on every run and every backend. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csvBatches(data: Dataset, batchRows: number): string[] {
  const bodies: string[] = [];
  for (let start = 0; start < data.times.length; start += batchRows) {
    const end = Math.min(start + batchRows, data.times.length);
    const lines = ['series,time,value'];
    for (let i = start; i < end; i++) lines.push(`${data.seriesIds[i]},${data.times[i]},${data.values[i]}`);
    bodies.push(`${lines.join('\n')}\n`);
  }
  return bodies;
}

/** COPY text format chunks with the QC columns the platform computed for each row over HTTP. */
function tsvChunks(data: Dataset, qc: { flags: Int16Array; rules: Int16Array }, batchRows: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < data.times.length; start += batchRows) {
    const end = Math.min(start + batchRows, data.times.length);
    const lines: string[] = [];
    for (let i = start; i < end; i++) {
      lines.push(`${data.seriesIds[i]}\t${data.times[i]}\t${data.values[i]}\t${qc.flags[i]}\t${qc.rules[i]}`);
    }
    chunks.push(`${lines.join('\n')}\n`);
  }
  return chunks;
}

interface BackendMeasurement {
  readonly httpRowsPerS: number;
  readonly copyRowsPerS: number;
}

async function measureBackend(
  backend: Backend,
  options: IngestOptions,
  context: BenchContext,
): Promise<BackendMeasurement> {
  return withScratchDatabase(backend, options.postgresUrl, async ({ dataDir, databaseUrl }) => {
    const adminKey = `bench-${randomBytes(16).toString('hex')}`;
    const config: Config = {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl,
      adminKey,
      logLevel: 'silent',
      maxBatchRows: DEFAULTS.maxBatchRows,
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      publicUrl: 'http://localhost',
      delivery: configFromEnv({}).delivery,
      detectionGatherMs: DEFAULTS.detectionGatherMs,
    };
    // Only errors, on stderr: a 500 during the run then says why, and logging costs nothing otherwise.
    const platform = await createPlatform(config, pino({ level: 'error' }, pino.destination(2)));
    try {
      const base = await platform.server.listen({ host: '127.0.0.1', port: 0 });
      const api = apiClient(base);
      const { key, seriesIds } = await registerNetwork(api, adminKey, options.stations);
      const data = generateDataset(seriesIds, options.rows, Date.now());

      const bodies = csvBatches(data, options.batchRows);
      const db = platform.services.database.db;
      let chunks: string[] | undefined;
      let stored: string | undefined;
      let best = {
        httpS: Number.POSITIVE_INFINITY,
        copyS: Number.POSITIVE_INFINITY,
        batchMs: [] as number[],
      };
      // Rounds alternate the two phases, and the best of each counts: other work on a shared machine only ever
      // slows a phase down, so the fastest round is the one least disturbed.
      for (let round = 1; round <= options.rounds; round++) {
        // Phase 1: the platform's ingest path over HTTP, one batch at a time like one sensor gateway.
        await sql`truncate observation`.execute(db);
        await checkpoint(platform);
        const batchMs: number[] = [];
        const httpStart = performance.now();
        for (const body of bodies) {
          const t = performance.now();
          const response = await fetch(`${base}/v1/observations`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
            body,
          });
          const reply = await response.text();
          if (response.status !== 200) throw new Error(`POST /v1/observations: ${response.status} ${reply}`);
          batchMs.push(performance.now() - t);
        }
        const httpS = (performance.now() - httpStart) / 1000;
        const afterHttp = await fingerprint(platform, options.rows, `${backend} round ${round} after HTTP`);
        if (stored !== undefined && afterHttp !== stored) {
          throw new Error(
            `${backend} round ${round}: HTTP stored other rows than before\n  ${stored}\n  ${afterHttp}`,
          );
        }
        stored = afterHttp;

        // Phase 2, the yardstick: the same rows, with the QC columns the platform computed, by COPY into the same table.
        chunks ??= tsvChunks(data, await storedQc(platform, options.rows), options.batchRows);
        await sql`truncate observation`.execute(db);
        await fingerprint(platform, 0, `${backend} round ${round} after TRUNCATE`);
        await checkpoint(platform);
        const copyStart = performance.now();
        let copied = 0;
        for (const chunk of chunks) {
          copied += await platform.services.database.copyFrom('observation', COLUMNS, chunk);
        }
        const copyS = (performance.now() - copyStart) / 1000;
        if (copied !== options.rows) {
          throw new Error(
            `${backend} round ${round}: COPY reported ${copied} rows, expected ${options.rows}`,
          );
        }
        const afterCopy = await fingerprint(platform, options.rows, `${backend} round ${round} after COPY`);
        if (afterCopy !== stored) {
          throw new Error(
            `${backend}: COPY stored other rows than HTTP\n  HTTP: ${stored}\n  COPY: ${afterCopy}`,
          );
        }
        context.log(
          `${backend} round ${round}: HTTP ${httpS.toFixed(2)} s = ${Math.round(options.rows / httpS)} rows/s, ` +
            `COPY ${copyS.toFixed(2)} s = ${Math.round(options.rows / copyS)} rows/s`,
        );
        if (httpS < best.httpS) best = { ...best, httpS, batchMs };
        if (copyS < best.copyS) best = { ...best, copyS };
      }

      const httpRowsPerS = options.rows / best.httpS;
      const copyRowsPerS = options.rows / best.copyS;
      const batchMs = best.batchMs.sort((a, b) => a - b);
      context.log(
        `${backend}, best of ${options.rounds}: HTTP ${options.rows} rows in ${bodies.length} batches, ` +
          `${best.httpS.toFixed(2)} s = ${Math.round(httpRowsPerS)} rows/s (batch p50 ${quantile(batchMs, 0.5).toFixed(0)} ms, ` +
          `p95 ${quantile(batchMs, 0.95).toFixed(0)} ms, max ${batchMs[batchMs.length - 1]!.toFixed(0)} ms); ` +
          `COPY ${best.copyS.toFixed(2)} s = ${Math.round(copyRowsPerS)} rows/s; ` +
          `HTTP/COPY ${(httpRowsPerS / copyRowsPerS).toFixed(2)}`,
      );
      return { httpRowsPerS, copyRowsPerS };
    } finally {
      await platform.close();
    }
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Flushes the WAL of the previous phase so that neither phase pays for the other's checkpoint. */
async function checkpoint(platform: Platform): Promise<void> {
  await sql`checkpoint`.execute(platform.services.database.db);
}

/**
 * What is stored, summed exactly (numeric), so that the two phases can be compared row for row in aggregate;
 * throws unless `observation` holds exactly `expectedRows` rows.
 */
async function fingerprint(platform: Platform, expectedRows: number, phase: string): Promise<string> {
  const result = await sql<{ n: number; text: string }>`
    select count(*)::int8 as n,
      concat_ws(' | ', count(*), sum(series_id::int8), sum(value::numeric), min(time), max(time),
        sum(qc_flag::int8), sum(qc_rule::int8), count(distinct series_id)) as text
    from observation`.execute(platform.services.database.db);
  const row = result.rows[0];
  if (row === undefined || Number(row.n) !== expectedRows) {
    throw new Error(`${phase}: observation holds ${row?.n} rows, expected ${expectedRows}`);
  }
  return row.text;
}

/** The QC flag and rule stored for every row, in the dataset's order (time, then series, as generated). */
async function storedQc(platform: Platform, rows: number): Promise<{ flags: Int16Array; rules: Int16Array }> {
  const result = await sql<{ qc_flag: number; qc_rule: number }>`
    select qc_flag, qc_rule from observation order by time, series_id`.execute(platform.services.database.db);
  if (result.rows.length !== rows) throw new Error(`read back ${result.rows.length} rows, expected ${rows}`);
  const flags = new Int16Array(rows);
  const rules = new Int16Array(rows);
  result.rows.forEach((r, i) => {
    flags[i] = r.qc_flag;
    rules[i] = r.qc_rule;
  });
  return { flags, rules };
}

type Api = (key: string, url: string, body: unknown) => Promise<Record<string, unknown>>;

/** POSTs JSON and expects 201 Created, as every registration does. */
function apiClient(base: string): Api {
  return async (key, url, body) => {
    const response = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`POST ${url}: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
}

/** An organisation with an analyst key, a source, and `stations` stations with one PM2.5 series each, all through the API. */
async function registerNetwork(
  api: Api,
  adminKey: string,
  stations: number,
): Promise<{ key: string; seriesIds: number[] }> {
  const org = await api(adminKey, '/v1/organisations', {
    kind: 'country',
    code: 'bd',
    name: 'Bangladesh',
    iso_code: 'BD',
  });
  const created = await api(adminKey, '/v1/keys', {
    name: 'gateway',
    role: 'analyst',
    organisation_id: org.id,
  });
  const key = String(created.key);
  const source = await api(key, '/v1/sources', {
    code: 'doe',
    name: 'Department of Environment',
    provider: 'DoE',
    licence: 'CC-BY-4.0',
    provenance: 'CAMS network, benchmark',
  });
  const seriesIds: number[] = [];
  for (let s = 0; s < stations; s++) {
    // A grid over Dhaka, about 1 km apart.
    const station = await api(key, '/v1/stations', {
      source_id: source.id,
      code: `st${String(s).padStart(4, '0')}`,
      name: `Station ${s}`,
      sense: 'ground_station',
      lon: 90.3 + (s % 10) * 0.01,
      lat: 23.7 + Math.floor(s / 10) * 0.01,
      expected_cadence_s: CADENCE_MS / 1000,
    });
    const series = await api(key, '/v1/series', { station_id: station.id, variable: 'pm25' });
    seriesIds.push(Number(series.id));
  }
  return { key, seriesIds };
}
