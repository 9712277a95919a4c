/** @module Detector throughput: the default ensemble over a real NAB series, beside a plain summing loop over the same values. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createEnsemble } from '../src/detect/detectors/ensemble.ts';
import { parseNabDataCsv } from '../src/detect/nab/nab-corpus.ts';
import { type Bench, benchResult } from './bench.ts';

const SERIES = path.resolve('..', 'shared', 'nab', 'data', 'realKnownCause', 'nyc_taxi.csv');

export const detectBench: Bench = {
  name: 'detect',
  summary: 'observations/s of the default detector ensemble on one core, beside a plain summing loop',
  run: async (context) => {
    const { values: options } = parseArgs({
      args: [...context.args],
      options: {
        observations: { type: 'string', default: '2000000' },
        series: { type: 'string', default: SERIES },
      },
      strict: true,
    });
    const n = Number(options.observations);
    const { timestamps, values } = parseNabDataCsv(await readFile(options.series, 'utf8'), options.series);
    // The real series repeated until n observations, time running on, as one long stream.
    const span = timestamps[timestamps.length - 1]! - timestamps[0]! + (timestamps[1]! - timestamps[0]!);
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % values.length;
      t[i] = timestamps[k]! + Math.floor(i / values.length) * span;
      v[i] = values[k]!;
    }
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const x of values) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }

    // Yardstick: the least work a pass over the same values can do.
    let sum = 0;
    let started = performance.now();
    for (let i = 0; i < n; i++) sum += v[i]! + t[i]! * 0;
    const loopPerS = n / ((performance.now() - started) / 1000);

    const detector = createEnsemble({ range: { min, max } });
    let fired = 0;
    started = performance.now();
    for (let i = 0; i < n; i++) if (detector.update({ timeMs: t[i]!, value: v[i]! }).fired) fired++;
    const ensemblePerS = n / ((performance.now() - started) / 1000);

    context.log(
      `detect: ${n} observations; ensemble ${Math.round(ensemblePerS)} obs/s (${fired} firings), ` +
        `summing loop ${Math.round(loopPerS)} obs/s (sum ${sum.toFixed(0)})`,
    );
    context.report(
      benchResult({
        bench: 'detect',
        case: 'ensemble',
        value: ensemblePerS,
        unit: 'obs/s',
        yardstick: loopPerS,
        better: 'higher',
      }),
    );
  },
};
