/** @module Numenta Anomaly Benchmark v1.1 scoring, pure: sweep scores, per-file and corpus scores, the corpus-wide threshold sweep and the 0–100 normalisation (numenta/NAB @ ea702d75: nab/sweeper.py, nab/optimizer.py, nab/scorer.py, nab/runner.py). */

import { Ew4eError } from '../../errors.ts';

export type NabProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

export const NAB_PROFILE_NAMES = [
  'standard',
  'reward_low_FP_rate',
  'reward_low_FN_rate',
] as const satisfies readonly NabProfileName[];

/** One of NAB's application profiles (`config/profiles.json`, `CostMatrix`). */
export interface NabProfile {
  readonly name: NabProfileName;
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
  /** Present in NAB's profiles but never used by its scorer. */
  readonly tnWeight: number;
}

/** NAB's shipped `config/profiles.json`. */
export const NAB_PROFILES: { readonly [K in NabProfileName]: NabProfile & { readonly name: K } } = {
  standard: { name: 'standard', tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0, tnWeight: 1.0 },
  reward_low_FP_rate: {
    name: 'reward_low_FP_rate',
    tpWeight: 1.0,
    fpWeight: 0.22,
    fnWeight: 1.0,
    tnWeight: 1.0,
  },
  reward_low_FN_rate: {
    name: 'reward_low_FN_rate',
    tpWeight: 1.0,
    fpWeight: 0.11,
    fnWeight: 2.0,
    tnWeight: 1.0,
  },
};

/** `probationaryPercent` in NAB's runner.py. */
export const NAB_PROBATIONARY_PERCENT = 0.15;
/** The first threshold of NAB's sweep (`Sweeper.calcScoreByThreshold`): above every score, so nothing is detected. */
export const NAB_NO_DETECTION_THRESHOLD = 1.1;
/** The score NAB's null detector emits on every row (nab/detectors/null/null_detector.py). */
const NULL_DETECTOR_SCORE = 0.5;

/** Inclusive `[start, end]` of a labelled anomaly window, in UTC milliseconds. */
export type NabWindow = readonly [startMs: number, endMs: number];
/** Inclusive `[first, last]` row indices of a window in its file. */
export type NabWindowRows = readonly [first: number, last: number];

/**
 * One data file with a detector's output. Rows are in file order; `anomalyScores[i]` belongs to the data row
 * `timestamps[i]` (NAB takes timestamps from the data file and scores from the results file by position).
 */
export interface ScoredFile {
  /** `<category>/<file>.csv`; used only in error messages. */
  readonly name?: string;
  readonly timestamps: readonly number[];
  readonly anomalyScores: readonly number[];
  /** Sorted, disjoint, inclusive windows whose ends each equal exactly one timestamp of the file. */
  readonly windows: readonly NabWindow[];
}

/** Row counts over the scorable (post-probation) rows. Informational: they take no part in the score. */
export interface NabCounts {
  /** Detected rows inside windows. */
  readonly tp: number;
  /** Detected rows outside windows. */
  readonly fp: number;
  /** Undetected rows inside windows. */
  readonly fn: number;
  /** Undetected rows outside windows. */
  readonly tn: number;
  /** Scorable rows. */
  readonly total: number;
}

export interface FileScore extends NabCounts {
  /** Raw NAB score of the file at the threshold (a row of NAB's `<det>_<profile>_scores.csv`). */
  readonly score: number;
}

/** One row of NAB's threshold sweep (`ThresholdScore` in nab/sweeper.py). */
export interface ThresholdScore extends NabCounts {
  readonly threshold: number;
  readonly score: number;
}

export interface ThresholdChoice extends NabCounts {
  readonly threshold: number;
  /** Raw score of the whole corpus at `threshold`. */
  readonly rawScore: number;
}

export interface CorpusScore {
  readonly profile: NabProfileName;
  readonly threshold: number;
  /** Normalised score: 0 for NAB's null detector, 100 for a perfect detector. */
  readonly score: number;
  /** Sum of the per-file raw scores at `threshold` (the `Totals` row). */
  readonly rawScore: number;
  /** Raw score of NAB's null detector (0.5 on every row) at its own optimal threshold. */
  readonly nullRawScore: number;
  /** `tpWeight` × number of windows. */
  readonly perfectRawScore: number;
  readonly windowCount: number;
  readonly counts: NabCounts;
  /** One entry per input file, in input order. */
  readonly perFile: readonly FileScore[];
}

export interface ScoreCorpusOptions {
  /** Score at this threshold (NAB's `--score` with a given `config/thresholds.json`) instead of optimising it. */
  readonly threshold?: number;
}

/** NAB's `Sweeper._getProbationaryLength`: rows `i < P` are not scored. */
export function probationaryLength(rowCount: number): number {
  return Math.min(Math.floor(NAB_PROBATIONARY_PERCENT * rowCount), NAB_PROBATIONARY_PERCENT * 5000);
}

/** NAB's `scaledSigmoid`: 2σ(−5y) − 1, and exactly −1 once y > 3. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3.0) return -1.0;
  return 2 * sigmoid(-5 * relativePosition) - 1.0;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** A(−1) = 2σ(5) − 1: what a detection on a window's first row earns before scaling to `tpWeight`. */
const MAX_TP = scaledSigmoid(-1.0);

/**
 * Maps windows to row indices: each end must equal the timestamp of exactly one row (NAB's
 * `labeler.getWindows` raises otherwise, and `Sweeper.calcSweepScore` finds rows by timestamp equality).
 * Windows must be sorted and disjoint, and at least two rows wide: NAB divides by `width − 1` when it scores
 * a false positive after a window, and crashes on a one-row window.
 */
export function windowRowIndices(
  timestamps: readonly number[],
  windows: readonly NabWindow[],
  fileName = 'file',
): NabWindowRows[] {
  if (windows.length === 0) return [];
  const wanted = new Map<number, { index: number; count: number }>();
  for (const [start, end] of windows) {
    wanted.set(start, { index: -1, count: 0 });
    wanted.set(end, { index: -1, count: 0 });
  }
  for (let i = 0; i < timestamps.length; i++) {
    const hit = wanted.get(timestamps[i]!);
    if (hit === undefined) continue;
    if (hit.count === 0) hit.index = i;
    hit.count++;
  }
  const rows: NabWindowRows[] = [];
  windows.forEach(([start, end], k) => {
    const first = rowOf(wanted, start, fileName, k, 0);
    const last = rowOf(wanted, end, fileName, k, 1);
    if (last - first + 1 < 2) {
      throw invalidWindow(fileName, k, `spans ${last - first + 1} rows; NAB needs at least 2`);
    }
    const previous = rows[k - 1];
    if (previous !== undefined && first <= previous[1]) {
      throw invalidWindow(fileName, k, 'overlaps or precedes the window before it');
    }
    rows.push([first, last]);
  });
  return rows;
}

function rowOf(
  wanted: ReadonlyMap<number, { index: number; count: number }>,
  timeMs: number,
  fileName: string,
  window: number,
  end: 0 | 1,
): number {
  const hit = wanted.get(timeMs)!;
  if (hit.count !== 1) {
    const what = end === 0 ? 'start' : 'end';
    const found = hit.count === 0 ? 'matches no row' : `matches ${hit.count} rows`;
    throw new Ew4eError('EW4E_BAD_REQUEST', `${fileName}: window ${window} ${what} ${found}`, [
      { pointer: `/${window}/${end}`, reason: `${found}; it must equal exactly one row's timestamp` },
    ]);
  }
  return hit.index;
}

function invalidWindow(fileName: string, window: number, reason: string): Ew4eError {
  return new Ew4eError('EW4E_BAD_REQUEST', `${fileName}: window ${window} ${reason}`, [
    { pointer: `/${window}`, reason },
  ]);
}

/** A file checked and indexed once; the part of the scoring that does not depend on the profile. */
interface PreparedFile {
  readonly rowCount: number;
  /** First scorable row. */
  readonly probation: number;
  readonly windows: readonly NabWindowRows[];
  readonly scores: ArrayLike<number>;
}

function prepare(file: ScoredFile, index: number): PreparedFile {
  const name = file.name ?? `file ${index}`;
  const rowCount = file.timestamps.length;
  if (file.anomalyScores.length !== rowCount) {
    // NAB asserts this in Sweeper.calcSweepScore.
    throw new Ew4eError(
      'EW4E_BAD_REQUEST',
      `${name}: ${file.anomalyScores.length} anomaly scores for ${rowCount} data rows; NAB needs one per row`,
    );
  }
  file.anomalyScores.forEach((score, row) => {
    // NaN would break the sort; a score above 1.1 would be detected at NAB's "detect nothing" threshold.
    if (!Number.isFinite(score) || score > NAB_NO_DETECTION_THRESHOLD) {
      throw new Ew4eError('EW4E_BAD_REQUEST', `${name}: anomaly score ${score} at row ${row}`, [
        {
          row,
          field: 'anomaly_score',
          reason: 'must be a finite number no greater than 1.1 (NAB expects 0–1)',
        },
      ]);
    }
  });
  return {
    rowCount,
    probation: probationaryLength(rowCount),
    windows: windowRowIndices(file.timestamps, file.windows, name),
    scores: file.anomalyScores,
  };
}

/**
 * `s_i` for every row, probation rows included: what row `i` adds if it is a detection (NAB's
 * `Sweeper.calcSweepScore`, written by NAB into the `S(t)_<profile>` column). Inside a window `[L, R]` of
 * width W it is `A(−(R − i + 1)/W) · tpWeight / A(−1)`; outside, `A((i − Rp)/(Wp − 1)) · fpWeight` after the
 * most recent window `[Lp, Rp]` (width Wp), or `−fpWeight` before any window.
 */
function sweepScoresOf(file: PreparedFile, profile: NabProfile): Float64Array {
  const out = new Float64Array(file.rowCount);
  let next = 0;
  let inside: NabWindowRows | undefined;
  let previousLast = -1;
  let previousWidth = 0;
  for (let i = 0; i < file.rowCount; i++) {
    const upcoming = file.windows[next];
    if (upcoming !== undefined && i === upcoming[0]) {
      inside = upcoming;
      next++;
    }
    if (inside !== undefined) {
      const width = inside[1] - inside[0] + 1;
      out[i] = (scaledSigmoid(-(inside[1] - i + 1) / width) * profile.tpWeight) / MAX_TP;
      if (i === inside[1]) {
        previousLast = i;
        previousWidth = width;
        inside = undefined;
      }
    } else if (previousLast < 0) {
      out[i] = -1.0 * profile.fpWeight;
    } else {
      out[i] = scaledSigmoid(Math.abs(previousLast - i) / (previousWidth - 1)) * profile.fpWeight;
    }
  }
  return out;
}

/** The window index of every row, −1 outside windows. */
function windowOfRows(file: PreparedFile): Int32Array {
  const out = new Int32Array(file.rowCount).fill(-1);
  file.windows.forEach(([first, last], k) => {
    out.fill(k, first, last + 1);
  });
  return out;
}

/** NAB's per-row sweep scores `s_i` (the `S(t)_<profile>` column) for every row of the file, probation included. */
export function sweepScores(file: ScoredFile, profile: NabProfile): Float64Array {
  return sweepScoresOf(prepare(file, 0), profile);
}

/**
 * Raw NAB score of one file at `threshold`: a detection is a scorable row with `anomaly score ≥ threshold`;
 * each window adds the sweep score of its earliest detection, or −fnWeight if it has none; each detection
 * outside windows adds its (negative) sweep score. Same as NAB's `Sweeper.scoreDataSet`, which looks up the
 * sweep row of the smallest candidate threshold ≥ `threshold` (and fails where this returns "all detected").
 */
export function scoreFile(file: ScoredFile, profile: NabProfile, threshold: number): FileScore {
  const prepared = prepare(file, 0);
  return scorePrepared(prepared, sweepScoresOf(prepared, profile), profile, threshold);
}

function scorePrepared(
  file: PreparedFile,
  sweep: Float64Array,
  profile: NabProfile,
  threshold: number,
): FileScore {
  const windowOf = windowOfRows(file);
  const best = new Float64Array(file.windows.length).fill(-profile.fnWeight);
  let fpScore = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = file.probation; i < file.rowCount; i++) {
    const detected = file.scores[i]! >= threshold;
    const window = windowOf[i]!;
    if (window >= 0) {
      if (detected) {
        tp++;
        best[window] = Math.max(best[window]!, sweep[i]!);
      } else {
        fn++;
      }
    } else if (detected) {
      fp++;
      fpScore += sweep[i]!;
    } else {
      tn++;
    }
  }
  let score = fpScore;
  file.windows.forEach(([, last], k) => {
    // A window counts only if one of its rows is scorable (NAB builds its score parts from scorable rows).
    if (last >= file.probation) score += best[k]!;
  });
  return { score, tp, fp, fn, tn, total: tp + fp + fn + tn };
}

/**
 * NAB's `Sweeper.calcScoreByThreshold` over the union of the files' scorable rows: sorts the rows by anomaly
 * score once (descending, stable) and sweeps down, reporting the score before each new distinct score value.
 * The first row is the "detect nothing" threshold 1.1; each later row `t` has detections = rows with score ≥ t.
 */
function sweepThresholds(
  files: readonly PreparedFile[],
  sweeps: readonly Float64Array[],
  profile: NabProfile,
  visit: (row: ThresholdScore) => void,
): void {
  let rowCount = 0;
  for (const file of files) rowCount += Math.max(0, file.rowCount - file.probation);
  const scores = new Float64Array(rowCount);
  const sweep = new Float64Array(rowCount);
  /** Index into `parts` of the window holding each scorable row, −1 outside windows. */
  const windowOf = new Int32Array(rowCount);
  /** NAB's `scoreParts` without "fp": the best sweep score so far of each window, −fnWeight if undetected. */
  const parts: number[] = [];
  let at = 0;
  files.forEach((file, f) => {
    const fileSweep = sweeps[f]!;
    const fileWindowOf = windowOfRows(file);
    // A window wholly inside probation has no scorable row and no part (NAB builds parts from scorable rows).
    const partOf = file.windows.map(([, last]) =>
      last >= file.probation ? parts.push(-profile.fnWeight) - 1 : -1,
    );
    for (let i = file.probation; i < file.rowCount; i++, at++) {
      scores[at] = file.scores[i]!;
      sweep[at] = fileSweep[i]!;
      const window = fileWindowOf[i]!;
      windowOf[at] = window < 0 ? -1 : partOf[window]!;
    }
  });

  const order = new Uint32Array(rowCount);
  for (let i = 0; i < rowCount; i++) order[i] = i;
  // Python's sorted(..., reverse=True) is stable: equal scores keep file order.
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);

  let tn = 0;
  let fn = 0;
  for (let i = 0; i < rowCount; i++) {
    if (windowOf[i]! < 0) tn++;
    else fn++;
  }
  let tp = 0;
  let fp = 0;
  let fpScore = 0;
  let windowScore = 0;
  for (const part of parts) windowScore += part;
  let windowsChanged = false;
  let threshold = NAB_NO_DETECTION_THRESHOLD;
  const report = (): void => {
    if (windowsChanged) {
      windowScore = 0;
      for (const part of parts) windowScore += part;
      windowsChanged = false;
    }
    visit({ threshold, score: fpScore + windowScore, tp, fp, fn, tn, total: rowCount });
  };
  for (let k = 0; k < rowCount; k++) {
    const row = order[k]!;
    const score = scores[row]!;
    if (score !== threshold) {
      report();
      threshold = score;
    }
    const window = windowOf[row]!;
    if (window >= 0) {
      tp++;
      fn--;
      if (sweep[row]! > parts[window]!) {
        parts[window] = sweep[row]!;
        windowsChanged = true;
      }
    } else {
      fp++;
      tn--;
      fpScore += sweep[row]!;
    }
  }
  report();
}

function prepareAll(files: readonly ScoredFile[]): PreparedFile[] {
  return files.map((file, index) => prepare(file, index));
}

/**
 * Every candidate threshold of the corpus with its raw score and counts, highest threshold first
 * (NAB's `calcScoreByThreshold` on the concatenated rows of all files, as `optimizeThreshold` builds it).
 */
export function thresholdScores(files: readonly ScoredFile[], profile: NabProfile): ThresholdScore[] {
  const prepared = prepareAll(files);
  const rows: ThresholdScore[] = [];
  sweepThresholds(prepared, sweepsOf(prepared, profile), profile, (row) => rows.push(row));
  return rows;
}

function sweepsOf(files: readonly PreparedFile[], profile: NabProfile): Float64Array[] {
  return files.map((file) => sweepScoresOf(file, profile));
}

/**
 * One threshold for the whole corpus, as NAB's `optimizeThreshold`: the candidate with the highest raw score;
 * ties go to the highest threshold (Python's stable `sorted(..., reverse=True)` keeps the first of equals).
 */
export function optimiseThreshold(files: readonly ScoredFile[], profile: NabProfile): ThresholdChoice {
  const prepared = prepareAll(files);
  return optimisePrepared(prepared, sweepsOf(prepared, profile), profile);
}

function optimisePrepared(
  files: readonly PreparedFile[],
  sweeps: readonly Float64Array[],
  profile: NabProfile,
): ThresholdChoice {
  let best: ThresholdScore | undefined;
  sweepThresholds(files, sweeps, profile, (row) => {
    if (best === undefined || row.score > best.score) best = row;
  });
  const { threshold, score, tp, fp, fn, tn, total } = best!;
  return { threshold, rawScore: score, tp, fp, fn, tn, total };
}

/**
 * The raw score of NAB's null detector on these files: 0.5 on every row, at its own optimal threshold
 * (in practice 1.1, no detections, so −fnWeight per window). runner.py's `normalize` reads it from
 * `results/null/null_<profile>_scores.csv`.
 */
function nullRawScoreOf(files: readonly PreparedFile[], profile: NabProfile): number {
  const nulls = files.map((file) => ({
    ...file,
    scores: new Float64Array(file.rowCount).fill(NULL_DETECTOR_SCORE),
  }));
  return optimisePrepared(nulls, sweepsOf(nulls, profile), profile).rawScore;
}

/**
 * NAB's `Runner.normalize`: 100 · (S − S_null) / (S_perfect − S_null), where S_perfect = tpWeight × windows
 * (every window detected on its first row) and S_null is the null detector's raw score.
 */
export function normaliseRawScore(rawScore: number, nullRawScore: number, perfectRawScore: number): number {
  return (100 * (rawScore - nullRawScore)) / (perfectRawScore - nullRawScore);
}

/** The normalised (0 = null detector, 100 = perfect) NAB score of the corpus at `threshold`. */
export function normalisedScore(
  files: readonly ScoredFile[],
  profile: NabProfile,
  threshold: number,
): number {
  return scoreCorpus(files, profile, { threshold }).score;
}

/**
 * NAB's optimise → score → normalise for one detector and profile: the threshold (optimised over the corpus
 * unless given), each file scored at it, the `Totals` raw score, and the normalised score.
 */
export function scoreCorpus(
  files: readonly ScoredFile[],
  profile: NabProfile,
  options: ScoreCorpusOptions = {},
): CorpusScore {
  const prepared = prepareAll(files);
  const sweeps = sweepsOf(prepared, profile);
  const threshold = options.threshold ?? optimisePrepared(prepared, sweeps, profile).threshold;
  const perFile = prepared.map((file, f) => scorePrepared(file, sweeps[f]!, profile, threshold));
  let rawScore = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const file of perFile) {
    rawScore += file.score;
    tp += file.tp;
    fp += file.fp;
    fn += file.fn;
    tn += file.tn;
  }
  let windowCount = 0;
  for (const file of prepared) windowCount += file.windows.length;
  const perfectRawScore = profile.tpWeight * windowCount;
  const nullRawScore = nullRawScoreOf(prepared, profile);
  return {
    profile: profile.name,
    threshold,
    score: normaliseRawScore(rawScore, nullRawScore, perfectRawScore),
    rawScore,
    nullRawScore,
    perfectRawScore,
    windowCount,
    counts: { tp, fp, fn, tn, total: tp + fp + fn + tn },
    perFile,
  };
}
