/**
 * @module NAB harness: runs the default detector (and each ensemble member alone) over a corpus in the Numenta Anomaly
 * Benchmark layout, writes NAB-format results, and scores them with EW4E's TypeScript port of NAB's scoring.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEnsemble, type EnsembleMember } from '../src/detect/detectors/ensemble.ts';
import { parseNabDataCsv, parseNabWindows } from '../src/detect/nab/nab-corpus.ts';
import { windowLabels, writeNabResults } from '../src/detect/nab/nab-results.ts';
import {
  NAB_PROFILE_NAMES,
  NAB_PROFILES,
  type ScoredFile,
  scoreCorpus,
} from '../src/detect/nab/nab-scorer.ts';
import { type Bench, benchResult } from './bench.ts';

const NAB_DIR = path.resolve('..', 'shared', 'nab');

/** Numenta HTM on the same files (reference/scores.json): the score to beat. */
const NUMENTA_HTM = { standard: 71.205, reward_low_FP_rate: 64.986, reward_low_FN_rate: 75.865 } as const;

const MEMBERS: readonly EnsembleMember[] = ['seasonal', 'holtWinters', 'cusum', 'spatial', 'likelihood'];

interface CorpusFile {
  readonly path: string;
  readonly timestamps: number[];
  readonly values: number[];
  readonly windows: ScoredFile['windows'];
}

async function csvFilesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await csvFilesUnder(dir, relative)));
    else if (entry.name.endsWith('.csv')) out.push(relative);
  }
  return out.sort();
}

async function readCorpus(dataDir: string, labelsFile: string): Promise<CorpusFile[]> {
  const windows = parseNabWindows(JSON.parse(await readFile(labelsFile, 'utf8')), labelsFile);
  const files: CorpusFile[] = [];
  for (const relative of await csvFilesUnder(dataDir)) {
    const source = path.join(dataDir, relative);
    const { timestamps, values } = parseNabDataCsv(await readFile(source, 'utf8'), source);
    files.push({ path: relative, timestamps, values, windows: windows.get(relative) ?? [] });
  }
  return files;
}

/** One pass over one file, as a stream: the detector sees each row once, in order, with the file's declared range. */
function detect(file: CorpusFile): { ensemble: number[]; members: Record<EnsembleMember, number[]> } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of file.values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  // NAB hands every detector the file's inputMin/inputMax before the stream starts (NOTES.md); EW4E's
  // equivalent is a series' declared range. Nothing else from the file is known ahead.
  const detector = createEnsemble({ range: { min, max } });
  const ensemble: number[] = [];
  const members = Object.fromEntries(MEMBERS.map((m) => [m, [] as number[]])) as Record<
    EnsembleMember,
    number[]
  >;
  for (let i = 0; i < file.values.length; i++) {
    const out = detector.update({ timeMs: file.timestamps[i]!, value: file.values[i]! });
    ensemble.push(out.score);
    for (const m of MEMBERS) members[m].push(out.members[m]);
  }
  return { ensemble, members };
}

/** 1 where the score first reaches `level`, then 0 for the refractory period, as the ensemble itself fires. */
export function oncePerEpisode(scores: readonly number[], level: number, refractory = 200): number[] {
  const out = new Array<number>(scores.length).fill(0);
  let rest = 0;
  for (let i = 0; i < scores.length; i++) {
    if (rest > 0) rest--;
    else if (scores[i]! >= level) {
      out[i] = 1;
      rest = refractory;
    }
  }
  return out;
}

export const nabBench: Bench = {
  name: 'nab',
  summary:
    'the default detector on a NAB corpus, scored with NAB scoring (standard, low FP, low FN profiles)',
  run: async (context) => {
    const { values } = parseArgs({
      args: [...context.args],
      options: {
        data: { type: 'string', default: path.join(NAB_DIR, 'data') },
        labels: { type: 'string', default: path.join(NAB_DIR, 'labels', 'combined_windows.json') },
        out: { type: 'string', default: path.join('bench', 'out', 'nab') },
        detector: { type: 'string', default: 'ew4e' },
      },
      strict: true,
    });
    const corpus = await readCorpus(values.data, values.labels);
    context.log(`nab: ${corpus.length} files from ${values.data}, windows from ${values.labels}`);
    const started = performance.now();
    const runs = corpus.map(detect);
    const seconds = (performance.now() - started) / 1000;
    const rows = corpus.reduce((n, f) => n + f.values.length, 0);
    context.log(`nab: ${rows} rows in ${seconds.toFixed(2)} s (${Math.round(rows / seconds)} rows/s)`);

    for (const [i, file] of corpus.entries()) {
      await writeNabResults(values.out, values.detector, file.path, {
        timestamps: file.timestamps,
        values: file.values,
        anomalyScores: runs[i]!.ensemble,
        labels: windowLabels(file.timestamps, file.windows),
      });
    }
    context.log(`nab: results in ${path.join(values.out, values.detector)} (NAB's layout)`);

    const scored = (scores: (run: (typeof runs)[number]) => number[]): ScoredFile[] =>
      corpus.map((file, i) => ({
        name: file.path,
        timestamps: file.timestamps,
        anomalyScores: scores(runs[i]!),
        windows: file.windows,
      }));
    const ensembleFiles = scored((r) => r.ensemble);
    for (const profile of NAB_PROFILE_NAMES) {
      const result = scoreCorpus(ensembleFiles, NAB_PROFILES[profile]);
      context.log(
        `nab ${profile}: ${result.score.toFixed(2)} at threshold ${result.threshold.toFixed(3)} ` +
          `(tp ${result.counts.tp}, fp ${result.counts.fp}; Numenta HTM ${NUMENTA_HTM[profile]})`,
      );
      context.report(
        benchResult({
          bench: 'nab',
          case: profile,
          value: result.score,
          unit: 'NAB score',
          yardstick: NUMENTA_HTM[profile],
          better: 'higher',
        }),
      );
    }
    for (const member of MEMBERS) {
      const result = scoreCorpus(
        scored((r) => r.members[member]),
        NAB_PROFILES.standard,
      );
      context.report(
        benchResult({
          bench: 'nab',
          case: `standard:${member}`,
          value: result.score,
          unit: 'NAB score',
          yardstick: NUMENTA_HTM.standard,
          better: 'higher',
        }),
      );
    }
  },
};
