import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ew4eError } from '../../errors.ts';
import { type NabCorpus, readNabCorpus, readNabDetectorResults } from './nab-corpus.ts';
import {
  NAB_PROFILE_NAMES,
  NAB_PROFILES,
  type NabProfile,
  type NabProfileName,
  type NabWindow,
  normalisedScore,
  optimiseThreshold,
  probationaryLength,
  type ScoredFile,
  scaledSigmoid,
  scoreCorpus,
  scoreFile,
  sweepScores,
  thresholdScores,
  windowRowIndices,
} from './nab-scorer.ts';
import { parseNabTimestamp } from './nab-time.ts';

/** The shared NAB material: `../shared/nab` from the repository root, unless EW4E_NAB_DIR names another copy. */
const NAB_DIR = process.env.EW4E_NAB_DIR ?? path.resolve('..', 'shared', 'nab');
const RESULTS_DIR = path.join(NAB_DIR, 'reference', 'results');
/** The acceptance tolerance of the project's issue, in normalised points. */
const SCORE_TOLERANCE = 0.1;
const { standard, reward_low_FP_rate: lowFp, reward_low_FN_rate: lowFn } = NAB_PROFILES;

async function readJson<T>(relative: string): Promise<T> {
  return JSON.parse(await readFile(path.join(NAB_DIR, relative), 'utf8')) as T;
}

function ts(text: string): number {
  const timeMs = parseNabTimestamp(text);
  if (timeMs === undefined) throw new Error(`bad timestamp in test data: ${text}`);
  return timeMs;
}

const FIVE_MINUTES_MS = 300_000;
const T0 = Date.UTC(2020, 0, 1);

/** A file of `n` rows five minutes apart, windows given by inclusive row index, all scores 0 except `detections`. */
function syntheticFile(
  n: number,
  windowRows: readonly (readonly [number, number])[],
  detections: Readonly<Record<number, number>> = {},
): ScoredFile {
  const timestamps = Array.from({ length: n }, (_, i) => T0 + i * FIVE_MINUTES_MS);
  const anomalyScores = timestamps.map((_, i) => detections[i] ?? 0);
  const windows = windowRows.map(([first, last]): NabWindow => [timestamps[first]!, timestamps[last]!]);
  return { name: 'synthetic/file.csv', timestamps, anomalyScores, windows };
}

describe('NAB scoring reproduces NAB on the shared corpus (reference/scores.json)', () => {
  let corpus: NabCorpus;
  let referenceScores: Record<string, Record<NabProfileName, number>>;
  let referenceThresholds: Record<string, Record<NabProfileName, { threshold: number; score: number }>>;
  const results = new Map<string, Promise<ScoredFile[]>>();
  const resultsOf = (detector: string): Promise<ScoredFile[]> => {
    if (!results.has(detector)) results.set(detector, readNabDetectorResults(RESULTS_DIR, detector, corpus));
    return results.get(detector)!;
  };

  beforeAll(async () => {
    [corpus, referenceScores, referenceThresholds] = await Promise.all([
      readNabCorpus(NAB_DIR),
      readJson<typeof referenceScores>('reference/scores.json'),
      readJson<typeof referenceThresholds>('reference/thresholds.json'),
    ]);
  });

  it('reads the 31 files, their 57 windows, and the same profiles as NAB_PROFILES', () => {
    expect(corpus.files).toHaveLength(31);
    expect(corpus.files.reduce((sum, file) => sum + file.windows.length, 0)).toBe(57);
    expect(corpus.profiles).toEqual(NAB_PROFILES);
  });

  it('keeps rows in file order where a timestamp repeats (DST change)', async () => {
    const file = corpus.files.find((f) => f.path === 'realAdExchange/exchange-2_cpc_results.csv')!;
    const text = await readFile(path.join(NAB_DIR, 'data', file.path), 'utf8');
    const lines = text.trim().split('\n').slice(1);
    expect(file.timestamps).toHaveLength(lines.length);
    expect(new Set(file.timestamps).size).toBe(file.timestamps.length - 1);
    lines.forEach((line, i) => {
      expect(file.timestamps[i]).toBe(ts(line.split(',')[0]!));
    });
  });

  // Every detector with outputs in reference/results/ (the others in scores.json have no outputs here).
  describe.each(['ARTime', 'contextOSE', 'numenta', 'windowedGaussian', 'null'])('%s', (detector) => {
    it.each(NAB_PROFILE_NAMES)('%s: optimised threshold and normalised score', async (profileName) => {
      const files = await resultsOf(detector);
      const result = scoreCorpus(files, corpus.profiles[profileName]);
      const expected = referenceThresholds[detector]![profileName];
      expect(result.score).toBeCloseTo(referenceScores[detector]![profileName], 6);
      expect(Math.abs(result.score - referenceScores[detector]![profileName])).toBeLessThan(SCORE_TOLERANCE);
      expect(result.threshold).toBe(expected.threshold);
      expect(result.rawScore).toBeCloseTo(expected.score, 9);
      expect(result.perFile).toHaveLength(31);
      expect(result.windowCount).toBe(57);
    });
  });

  it('a perfect detector (1 on the first row of each window) scores 100 for every profile', () => {
    const files = corpus.files.map((file): ScoredFile => {
      const rows = windowRowIndices(file.timestamps, file.windows);
      const firsts = new Set(rows.map(([first]) => first));
      return { ...file, anomalyScores: file.timestamps.map((_, i) => (firsts.has(i) ? 1 : 0)) };
    });
    for (const profile of Object.values(NAB_PROFILES)) {
      const result = scoreCorpus(files, profile);
      expect(result.threshold).toBe(1);
      expect(result.score).toBeCloseTo(100, 12);
      expect(result.counts.fp).toBe(0);
    }
  });

  it('scoring at a given threshold equals the optimiser’s raw score at that threshold', async () => {
    const files = await resultsOf('numenta');
    const best = optimiseThreshold(files, standard);
    const scored = scoreCorpus(files, standard, { threshold: best.threshold });
    expect(scored.rawScore).toBeCloseTo(best.rawScore, 9);
    expect(scored.counts).toEqual({ tp: best.tp, fp: best.fp, fn: best.fn, tn: best.tn, total: best.total });
    expect(normalisedScore(files, standard, best.threshold)).toBeCloseTo(scored.score, 12);
    // Any other threshold scores lower.
    expect(normalisedScore(files, standard, 0.3)).toBeLessThan(scored.score);
  });
});

interface VectorRow {
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  total: number;
}

interface VectorCase {
  name: string;
  n: number;
  timestamps: string[];
  anomaly_score: number[];
  windows_row_index: [number, number][];
  windows: [string, string][];
  expected: Record<
    NabProfileName,
    {
      probationary_rows: number;
      sweep_score_per_row: number[];
      threshold_table: VectorRow[];
      optimal: VectorRow;
      'at_threshold_0.5': VectorRow;
    }
  >;
}

const vectors = await readJson<{
  profiles: Record<NabProfileName, { CostMatrix: Omit<NabProfile, 'name'> }>;
  scaled_sigmoid_minus1: number;
  cases: VectorCase[];
}>('reference/scorer_test_vectors.json');

describe('NAB scoring reproduces reference/scorer_test_vectors.json (NAB’s own Sweeper)', () => {
  // The vectors give no tolerance; they were printed with full double precision.
  const CLOSE = 12;

  it('uses NAB’s profiles and A(−1)', () => {
    for (const name of NAB_PROFILE_NAMES)
      expect({ name, ...vectors.profiles[name].CostMatrix }).toEqual(NAB_PROFILES[name]);
    expect(scaledSigmoid(-1)).toBe(vectors.scaled_sigmoid_minus1);
  });

  describe.each(vectors.cases)('$name', (vector) => {
    const file: ScoredFile = {
      name: vector.name,
      timestamps: vector.timestamps.map(ts),
      anomalyScores: vector.anomaly_score,
      windows: vector.windows.map(([start, end]) => [ts(start), ts(end)] as const),
    };

    it('maps windows to the same rows', () => {
      expect(windowRowIndices(file.timestamps, file.windows)).toEqual(vector.windows_row_index);
    });

    it.each(NAB_PROFILE_NAMES)('%s', (profileName) => {
      const profile = NAB_PROFILES[profileName];
      const expected = vector.expected[profileName];
      expect(probationaryLength(vector.n)).toBe(expected.probationary_rows);

      const sweep = sweepScores(file, profile);
      expect(sweep).toHaveLength(vector.n);
      expected.sweep_score_per_row.forEach((s, i) => {
        expect(sweep[i]).toBeCloseTo(s, CLOSE);
      });

      const table = thresholdScores([file], profile);
      expect(table.map((row) => row.threshold)).toEqual(expected.threshold_table.map((row) => row.threshold));
      table.forEach((row, i) => {
        const { score, ...counts } = expected.threshold_table[i]!;
        expect(row).toMatchObject(counts);
        expect(row.score).toBeCloseTo(score, CLOSE);
      });

      const optimal = optimiseThreshold([file], profile);
      expect(optimal.threshold).toBe(expected.optimal.threshold);
      expect(optimal.rawScore).toBeCloseTo(expected.optimal.score, CLOSE);

      const { threshold: _, score, ...counts } = expected['at_threshold_0.5'];
      const atHalf = scoreFile(file, profile, 0.5);
      expect(atHalf).toMatchObject(counts);
      expect(atHalf.score).toBeCloseTo(score, CLOSE);
    });
  });
});

describe('NAB scoring: cases with a known answer', () => {
  // 100 rows, probation = 15 rows, one window of 10 rows at rows 40–49.
  const WINDOW = [40, 49] as const;

  it('probation is the first 15 % of rows, at most 750', () => {
    expect(probationaryLength(100)).toBe(15);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(5000)).toBe(750);
    expect(probationaryLength(15_902)).toBe(750);
  });

  it('A(y): 0 at the window’s right edge, −1 beyond 3, exactly −1 only past 3', () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3.0000001)).toBe(-1);
    expect(scaledSigmoid(3)).toBeGreaterThan(-1);
  });

  it('a detection on a window’s first row earns tpWeight; later ones earn less, the last (2σ(5/W) − 1)/A(−1)', () => {
    const earned = (row: number): number =>
      scoreFile(syntheticFile(100, [WINDOW], { [row]: 1 }), standard, 1).score;
    expect(earned(40)).toBeCloseTo(1, 15);
    for (let row = 41; row <= 49; row++) expect(earned(row)).toBeLessThan(earned(row - 1));
    expect(earned(49)).toBeCloseTo((2 / (1 + Math.exp(-5 / 10)) - 1) / scaledSigmoid(-1), 15);
    expect(earned(49)).toBeGreaterThan(0);
  });

  it('only the earliest detection in a window counts; more in the same window change nothing', () => {
    const one = scoreFile(syntheticFile(100, [WINDOW], { 42: 1 }), standard, 1);
    const many = scoreFile(syntheticFile(100, [WINDOW], { 42: 1, 43: 1, 47: 1, 49: 1 }), standard, 1);
    expect(many.score).toBe(one.score);
    expect(many).toMatchObject({ tp: 4, fn: 6 });
  });

  it('a false positive just after a window costs less than one far from it, and than one before any window', () => {
    const cost = (row: number, profile: NabProfile = standard): number =>
      -scoreFile(syntheticFile(100, [WINDOW], { [row]: 1 }), profile, 1).score - profile.fnWeight;
    expect(cost(50)).toBeGreaterThan(0);
    expect(cost(50)).toBeLessThan(cost(55));
    expect(cost(55)).toBeLessThan(cost(90));
    // More than 3·(W − 1) = 27 rows after the window: the full fpWeight, as before any window.
    expect(cost(77)).toBeCloseTo(standard.fpWeight, 15);
    expect(cost(20)).toBeCloseTo(standard.fpWeight, 15);
    expect(cost(90, lowFp)).toBeCloseTo(2 * cost(90, standard), 15);
  });

  it('a missed window costs fnWeight; no detections at all scores −fnWeight per window', () => {
    const file = syntheticFile(200, [
      [40, 49],
      [100, 119],
    ]);
    expect(scoreFile(file, standard, 1).score).toBe(-2);
    expect(scoreFile(file, lowFn, 1).score).toBe(-4);
    expect(scoreFile(file, standard, 1)).toMatchObject({ tp: 0, fp: 0, fn: 30, tn: 140, total: 170 });
  });

  it('detections inside the probationary period are neither rewarded nor punished', () => {
    const quiet = scoreFile(syntheticFile(100, [WINDOW]), standard, 0.5);
    const early = scoreFile(syntheticFile(100, [WINDOW], { 0: 1, 7: 1, 14: 1 }), standard, 0.5);
    expect(early).toEqual(quiet);
    expect(scoreFile(syntheticFile(100, [WINDOW], { 15: 1 }), standard, 0.5).score).toBeCloseTo(
      -1 - standard.fpWeight,
      15,
    );
  });

  it('rows of a window inside probation are dropped, yet still start the false-positive decay after it', () => {
    // Probation is 30 rows; the window 5–24 is wholly inside it, so it neither earns nor costs anything.
    const file = syntheticFile(200, [[5, 24]], { 30: 1 });
    const result = scoreFile(file, standard, 1);
    expect(result).toMatchObject({ tp: 0, fp: 1, fn: 0, total: 170 });
    expect(result.score).toBeCloseTo(scaledSigmoid(6 / 19) * standard.fpWeight, 15);
  });

  it('the optimiser picks the best threshold and, among equal scores, the highest', () => {
    // 0.9 and 0.8 both detect the window on its first row; 0.8 adds only a later detection in the same window.
    const file = syntheticFile(100, [WINDOW], { 40: 0.9, 45: 0.8, 60: 0.7 });
    expect(optimiseThreshold([file], standard)).toMatchObject({ threshold: 0.9, rawScore: 1, tp: 1, fp: 0 });
    expect(thresholdScores([file], standard).map((row) => row.threshold)).toEqual([1.1, 0.9, 0.8, 0.7, 0]);
  });

  it('the threshold is one for the whole corpus, and windows stay distinct per file', () => {
    const a = syntheticFile(100, [WINDOW], { 40: 0.6 });
    const b = syntheticFile(100, [WINDOW], { 40: 0.9, 70: 0.6 });
    expect(optimiseThreshold([a], standard).threshold).toBe(0.6);
    const both = optimiseThreshold([a, b], standard);
    // At 0.6: both windows earn 1, and b's false positive costs < 0.11; at 0.9: 1 − 1 = 0.
    expect(both.threshold).toBe(0.6);
    expect(both.rawScore).toBeCloseTo(2 + scaledSigmoid(21 / 9) * standard.fpWeight, 15);
    expect(both).toMatchObject({ tp: 2, fp: 1 });
  });

  it('normalises the null detector to 0 and a perfect one to 100, per profile', () => {
    const windows = [[40, 49]] as const;
    const perfect = [syntheticFile(100, windows, { 40: 1 }), syntheticFile(200, [[100, 119]], { 100: 1 })];
    const nothing = perfect.map((file) => ({ ...file, anomalyScores: file.anomalyScores.map(() => 0.5) }));
    for (const profile of Object.values(NAB_PROFILES)) {
      const best = scoreCorpus(perfect, profile);
      expect(best).toMatchObject({ score: 100, rawScore: 2, perfectRawScore: 2, windowCount: 2 });
      expect(best.nullRawScore).toBe(-2 * profile.fnWeight);
      expect(scoreCorpus(nothing, profile)).toMatchObject({ score: 0, threshold: 1.1 });
    }
    // Halfway between null and perfect in raw score is 50.
    const half = scoreCorpus([perfect[0]!, syntheticFile(200, [[100, 119]])], standard);
    expect(half.rawScore).toBe(0);
    expect(half.score).toBe(50);
  });

  it('refuses input NAB cannot score, naming the file and the place', () => {
    const file = syntheticFile(100, [WINDOW]);
    const wrongLength = { ...file, anomalyScores: file.anomalyScores.slice(1) };
    expect(() => scoreFile(wrongLength, standard, 0.5)).toThrow(
      /synthetic\/file.csv: 99 anomaly scores for 100/,
    );
    const notANumber = {
      ...file,
      anomalyScores: file.anomalyScores.map((s, i) => (i === 7 ? Number.NaN : s)),
    };
    expect(() => scoreFile(notANumber, standard, 0.5)).toThrow(Ew4eError);
    const offGrid = { ...file, windows: [[file.timestamps[40]! + 1, file.timestamps[49]!]] as const };
    expect(() => scoreFile(offGrid, standard, 0.5)).toThrow(/window 0 start matches no row/);
    const repeated = {
      ...file,
      timestamps: file.timestamps.map((t, i) => (i === 50 ? file.timestamps[49]! : t)),
    };
    expect(() => scoreFile(repeated, standard, 0.5)).toThrow(/window 0 end matches 2 rows/);
    const oneRow = syntheticFile(100, [[40, 40]]);
    expect(() => scoreFile(oneRow, standard, 0.5)).toThrow(/spans 1 rows/);
    const overlapping = syntheticFile(100, [
      [40, 49],
      [45, 60],
    ]);
    expect(() => scoreFile(overlapping, standard, 0.5)).toThrow(/overlaps/);
  });
});
