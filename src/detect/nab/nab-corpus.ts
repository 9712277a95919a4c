/** @module Reads the Numenta Anomaly Benchmark from disk: data CSVs, `labels/combined_windows.json`, `config/profiles.json` and NAB-format detector results (numenta/NAB nab/corpus.py, nab/labeler.py, nab/util.py). */

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ew4eError, type ProblemDetail } from '../../errors.ts';
import {
  NAB_PROFILE_NAMES,
  type NabProfile,
  type NabProfileName,
  type NabWindow,
  type ScoredFile,
  windowRowIndices,
} from './nab-scorer.ts';
import { parseNabTimestamp } from './nab-time.ts';

/** One data file of the corpus with its labelled windows. Rows stay in file order (timestamps may repeat). */
export interface NabDataFile {
  /** `<category>/<file>.csv`, the key of `combined_windows.json`. */
  readonly path: string;
  /** UTC milliseconds. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  readonly windows: readonly NabWindow[];
}

export interface NabCorpus {
  /** Data files sorted by path. */
  readonly files: readonly NabDataFile[];
  readonly profiles: { readonly [K in NabProfileName]: NabProfile & { readonly name: K } };
}

/** A NAB results CSV. `values` and `labels` are present when the file has those columns. */
export interface NabResultsFile {
  readonly timestamps: readonly number[];
  readonly anomalyScores: readonly number[];
  readonly values?: readonly number[];
  readonly labels?: readonly number[];
}

/** `timestamp,value` rows of a NAB data file. */
export function parseNabDataCsv(text: string, source: string): { timestamps: number[]; values: number[] } {
  const { header, rows } = splitCsv(text, source);
  if (header.length !== 2 || header[0] !== 'timestamp' || header[1] !== 'value') {
    throw inputError(source, `header is '${header.join(',')}', expected 'timestamp,value'`, { line: 1 });
  }
  const timestamps: number[] = [];
  const values: number[] = [];
  for (const { line, fields } of rows) {
    if (fields.length !== 2) {
      throw inputError(source, `${fields.length} fields, expected 2`, { line });
    }
    timestamps.push(readTimestamp(fields[0]!, source, line));
    values.push(readNumber(fields[1]!, source, line, 'value'));
  }
  return { timestamps, values };
}

/**
 * A NAB results CSV, read as NAB's scorer reads it: the first column is the timestamp, `anomaly_score` is
 * required, `value` and `label` are kept if present, and other columns (`raw_score`, `S(t)_*`, …) are ignored.
 */
export function parseNabResultsCsv(text: string, source: string): NabResultsFile {
  const { header, rows } = splitCsv(text, source);
  const scoreColumn = header.indexOf('anomaly_score');
  if (scoreColumn < 0) throw inputError(source, "no 'anomaly_score' column", { line: 1 });
  if (scoreColumn === 0) throw inputError(source, 'the first column must be the timestamp', { line: 1 });
  const valueColumn = header.indexOf('value');
  const labelColumn = header.indexOf('label');
  const timestamps: number[] = [];
  const anomalyScores: number[] = [];
  const values: number[] = [];
  const labels: number[] = [];
  for (const { line, fields } of rows) {
    if (fields.length !== header.length) {
      throw inputError(source, `${fields.length} fields, expected ${header.length}`, { line });
    }
    timestamps.push(readTimestamp(fields[0]!, source, line));
    anomalyScores.push(readNumber(fields[scoreColumn]!, source, line, 'anomaly_score'));
    if (valueColumn > 0) values.push(readNumber(fields[valueColumn]!, source, line, 'value'));
    if (labelColumn > 0) labels.push(readNumber(fields[labelColumn]!, source, line, 'label'));
  }
  return {
    timestamps,
    anomalyScores,
    ...(valueColumn > 0 ? { values } : {}),
    ...(labelColumn > 0 ? { labels } : {}),
  };
}

/**
 * `combined_windows.json`: `{"<category>/<file>.csv": [["2014-04-10 07:15:00.000000", "…"], …], …}`,
 * windows inclusive at both ends, keys in file order.
 */
export function parseNabWindows(json: unknown, source: string): Map<string, NabWindow[]> {
  if (!isRecord(json)) throw inputError(source, 'expected an object of file → windows', { pointer: '' });
  const out = new Map<string, NabWindow[]>();
  for (const [key, list] of Object.entries(json)) {
    const pointer = `/${escapePointer(key)}`;
    if (!Array.isArray(list)) throw inputError(source, 'expected an array of windows', { pointer });
    out.set(
      key,
      list.map((pair: unknown, k) => {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw inputError(source, 'expected [start, end]', { pointer: `${pointer}/${k}` });
        }
        const [start, end] = pair.map((text: unknown, e) => {
          const timeMs = typeof text === 'string' ? parseNabTimestamp(text) : undefined;
          if (timeMs === undefined) {
            throw inputError(source, `not a NAB timestamp: ${JSON.stringify(text)}`, {
              pointer: `${pointer}/${k}/${e}`,
            });
          }
          return timeMs;
        }) as [number, number];
        if (end < start)
          throw inputError(source, 'window ends before it starts', { pointer: `${pointer}/${k}` });
        return [start, end] as const;
      }),
    );
  }
  return out;
}

/** `config/profiles.json`: `{"standard": {"CostMatrix": {"tpWeight": 1.0, …}}, …}`. */
export function parseNabProfiles(json: unknown, source: string): NabCorpus['profiles'] {
  if (!isRecord(json)) throw inputError(source, 'expected an object of profiles', { pointer: '' });
  const profile = <K extends NabProfileName>(name: K): NabProfile & { readonly name: K } => {
    const matrix = isRecord(json[name]) ? json[name].CostMatrix : undefined;
    if (!isRecord(matrix)) throw inputError(source, 'missing profile', { pointer: `/${name}/CostMatrix` });
    const weight = (key: string): number => {
      const value = matrix[key];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw inputError(source, 'expected a number', { pointer: `/${name}/CostMatrix/${key}` });
      }
      return value;
    };
    return {
      name,
      tpWeight: weight('tpWeight'),
      fpWeight: weight('fpWeight'),
      fnWeight: weight('fnWeight'),
      tnWeight: weight('tnWeight'),
    };
  };
  return {
    standard: profile(NAB_PROFILE_NAMES[0]),
    reward_low_FP_rate: profile(NAB_PROFILE_NAMES[1]),
    reward_low_FN_rate: profile(NAB_PROFILE_NAMES[2]),
  };
}

/**
 * Reads a NAB folder (`data/`, `labels/combined_windows.json`, `config/profiles.json`). Every data file must
 * have a key in the windows file and every key a data file, and every window end must be the timestamp of
 * exactly one row (NAB's `labeler.getWindows`).
 */
export async function readNabCorpus(nabDir: string): Promise<NabCorpus> {
  const labelsPath = path.join(nabDir, 'labels', 'combined_windows.json');
  const profilesPath = path.join(nabDir, 'config', 'profiles.json');
  const [paths, windowsByPath, profiles] = await Promise.all([
    listCsvFiles(path.join(nabDir, 'data')),
    readJson(labelsPath).then((json) => parseNabWindows(json, labelsPath)),
    readJson(profilesPath).then((json) => parseNabProfiles(json, profilesPath)),
  ]);
  const unlabelled = paths.filter((p) => !windowsByPath.has(p));
  const missing = [...windowsByPath.keys()].filter((p) => !paths.includes(p));
  if (unlabelled.length > 0 || missing.length > 0) {
    throw new Ew4eError(
      'EW4E_BAD_REQUEST',
      `${labelsPath} and ${path.join(nabDir, 'data')} disagree: ` +
        `no windows for [${unlabelled.join(', ')}], no data for [${missing.join(', ')}]`,
    );
  }
  const files = await Promise.all(
    paths.map(async (relative): Promise<NabDataFile> => {
      const source = path.join(nabDir, 'data', relative);
      const { timestamps, values } = parseNabDataCsv(await readFile(source, 'utf8'), source);
      const windows = windowsByPath.get(relative)!;
      windowRowIndices(timestamps, windows, relative);
      return { path: relative, timestamps, values, windows };
    }),
  );
  return { files, profiles };
}

export async function readNabResultsFile(file: string): Promise<NabResultsFile> {
  return parseNabResultsCsv(await readFile(file, 'utf8'), file);
}

/** The detectors with a folder under `resultsDir` (NAB's `results/<detector>/`), sorted. */
export async function listNabDetectors(resultsDir: string): Promise<string[]> {
  const entries = await readdir(resultsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * A detector's results as NAB's scorer reads them: every `*.csv` under `<resultsDir>/<detector>/` except
 * `*_scores.csv`, named `<category>/<detector>_<file>.csv` for the data file `<category>/<file>.csv`
 * (`util.convertResultsPathToDataPath`); timestamps from the data file and scores from the results file by
 * position. Unlike NAB, which silently scores only the files present (and so inflates the score), every data
 * file of the corpus must have a results file. Returned in corpus order.
 */
export async function readNabDetectorResults(
  resultsDir: string,
  detector: string,
  corpus: NabCorpus,
): Promise<ScoredFile[]> {
  const detectorDir = path.join(resultsDir, detector);
  const found = new Map<string, string>();
  for (const relative of await listCsvFiles(detectorDir)) {
    if (relative.includes('_scores.csv')) continue;
    const category = path.posix.dirname(relative);
    const name = path.posix.basename(relative);
    const prefix = `${detector}_`;
    if (!name.startsWith(prefix)) {
      throw new Ew4eError(
        'EW4E_BAD_REQUEST',
        `${path.join(detectorDir, relative)}: name must start with '${prefix}'`,
      );
    }
    found.set(`${category}/${name.slice(prefix.length)}`, path.join(detectorDir, relative));
  }
  const missing = corpus.files.filter((file) => !found.has(file.path)).map((file) => file.path);
  const known = new Set(corpus.files.map((file) => file.path));
  const unknown = [...found.keys()].filter((p) => !known.has(p));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Ew4eError(
      'EW4E_BAD_REQUEST',
      `${detectorDir}: no results for [${missing.join(', ')}], results for no data file [${unknown.join(', ')}]`,
    );
  }
  return Promise.all(
    corpus.files.map(async (file): Promise<ScoredFile> => {
      const source = found.get(file.path)!;
      const results = await readNabResultsFile(source);
      if (results.anomalyScores.length !== file.timestamps.length) {
        throw new Ew4eError(
          'EW4E_BAD_REQUEST',
          `${source}: ${results.anomalyScores.length} rows for ${file.timestamps.length} data rows of ${file.path}`,
        );
      }
      return {
        name: file.path,
        timestamps: file.timestamps,
        anomalyScores: results.anomalyScores,
        windows: file.windows,
      };
    }),
  );
}

/** `*.csv` files below `dir`, as sorted POSIX paths relative to it. */
async function listCsvFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.csv'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Ew4eError('EW4E_BAD_REQUEST', `${file}: not JSON`, [], { cause: error });
  }
}

interface CsvRow {
  /** 1-based line in the file. */
  readonly line: number;
  readonly fields: readonly string[];
}

/** NAB's CSVs are plain: no quoting, `\n` or `\r\n` line ends, a header row, maybe a final newline. */
function splitCsv(text: string, source: string): { header: string[]; rows: CsvRow[] } {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const first = lines[0];
  if (first === undefined) throw inputError(source, 'empty file, expected a header row', { line: 1 });
  const header = first.replace(/^\uFEFF/, '').split(',');
  const rows: CsvRow[] = [];
  for (let i = 1; i < lines.length; i++) rows.push({ line: i + 1, fields: lines[i]!.split(',') });
  return { header, rows };
}

function readTimestamp(text: string, source: string, line: number): number {
  const timeMs = parseNabTimestamp(text);
  if (timeMs === undefined) {
    throw inputError(source, `'${text}' is not a timestamp like 2014-04-10 07:15:00`, {
      line,
      field: 'timestamp',
    });
  }
  return timeMs;
}

function readNumber(text: string, source: string, line: number, field: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw inputError(source, `'${text}' is not a finite number`, { line, field });
  return value;
}

function inputError(source: string, reason: string, where: Omit<ProblemDetail, 'reason'>): Ew4eError {
  const place =
    where.line === undefined ? (where.pointer === undefined ? '' : ` ${where.pointer}`) : `:${where.line}`;
  return new Ew4eError('EW4E_BAD_REQUEST', `${source}${place}: ${reason}`, [{ ...where, reason }]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
