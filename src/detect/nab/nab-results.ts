/** @module Writes a detector's output as NAB results: `<dir>/<detector>/<category>/<detector>_<file>.csv` with `timestamp,value,anomaly_score,label` (numenta/NAB nab/detectors/base.py `AnomalyDetector.run`, nab/util.py). */

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ew4eError } from '../../errors.ts';
import { type NabWindow, windowRowIndices } from './nab-scorer.ts';
import { formatNabTimestamp } from './nab-time.ts';

/** One detector's output on one data file, a row per data row in file order. */
export interface NabResults {
  /** UTC milliseconds, copied from the data file. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  readonly anomalyScores: readonly number[];
  /** 1 inside a labelled window, else 0 (see `windowLabels`). */
  readonly labels: readonly number[];
}

/** NAB's `label` column: 1 for the rows inside a window (inclusive), 0 elsewhere. */
export function windowLabels(timestamps: readonly number[], windows: readonly NabWindow[]): number[] {
  const labels = new Array<number>(timestamps.length).fill(0);
  for (const [first, last] of windowRowIndices(timestamps, windows)) labels.fill(1, first, last + 1);
  return labels;
}

/**
 * Where NAB expects a detector's results for the data file `<category>/<file>.csv`. The detector name may not
 * contain `_`: NAB's `normalize()` takes the detector as the part of the file name before the first `_`.
 */
export function nabResultsPath(resultsDir: string, detector: string, dataPath: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(detector)) {
    throw new Ew4eError(
      'EW4E_BAD_REQUEST',
      `detector name '${detector}': use letters, digits and '-' only (no '_')`,
    );
  }
  const parts = dataPath.split('/');
  const [category, file] = parts;
  if (parts.length !== 2 || !category || !file?.endsWith('.csv') || category === '..' || category === '.') {
    throw new Ew4eError('EW4E_BAD_REQUEST', `data path '${dataPath}': expected '<category>/<file>.csv'`);
  }
  return path.join(resultsDir, detector, category, `${detector}_${file}`);
}

/** The CSV text NAB's detectors write. Numbers are written in their shortest exact form, so they read back equal. */
export function formatNabResultsCsv(results: NabResults): string {
  const n = results.timestamps.length;
  const { values, anomalyScores, labels } = results;
  if (values.length !== n || anomalyScores.length !== n || labels.length !== n) {
    throw new Ew4eError(
      'EW4E_BAD_REQUEST',
      `results columns differ in length: ${n} timestamps, ${values.length} values, ` +
        `${anomalyScores.length} anomaly scores, ${labels.length} labels`,
    );
  }
  const lines = ['timestamp,value,anomaly_score,label'];
  for (let i = 0; i < n; i++) {
    const numbers = [values[i]!, anomalyScores[i]!, labels[i]!];
    const bad = numbers.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      const field = ['value', 'anomaly_score', 'label'][bad]!;
      throw new Ew4eError('EW4E_BAD_REQUEST', `row ${i}: ${field} is ${numbers[bad]}`, [
        { row: i, field, reason: 'must be a finite number' },
      ]);
    }
    lines.push(`${formatNabTimestamp(results.timestamps[i]!)},${numbers.join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes one results file in NAB's layout, creating folders as needed, and returns its path. */
export async function writeNabResults(
  resultsDir: string,
  detector: string,
  dataPath: string,
  results: NabResults,
): Promise<string> {
  const file = nabResultsPath(resultsDir, detector, dataPath);
  const text = formatNabResultsCsv(results);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
  return file;
}
