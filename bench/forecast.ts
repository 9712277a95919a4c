/**
 * @module Forecast accuracy: the forecast detector's Holt-Winters model, `FORECAST_HORIZON_S` ahead, on the NAB
 * series (../shared/nab/data), every tenth step once two seasons are learnt. Yardstick in the same run: the
 * seasonal-naive forecast (the value one day before the forecast time), the usual baseline of MASE (Hyndman &
 * Koehler 2006). Per file the mean absolute errors; overall the geometric mean of the MAE ratios. The same model
 * without the trend's damping is reported beside it.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHoltWinters, type HoltWintersConfig } from '../src/detect/detectors/holt-winters.ts';
import { FORECAST_HORIZON_S, forecastModelConfig } from '../src/detect/forecast-detector.ts';
import { readNabCorpus } from '../src/detect/nab/nab-corpus.ts';
import { type Bench, benchResult } from './bench.ts';

const DAY_MS = 86_400_000;
const EVERY = 10;

export const forecastBench: Bench = {
  name: 'forecast',
  summary: 'the forecast detector 6 h ahead on the NAB series, vs the seasonal-naive forecast (MAE)',
  run: async (context) => {
    const { values: options } = parseArgs({
      args: [...context.args],
      options: { nab: { type: 'string', default: path.resolve('..', 'shared', 'nab') } },
      strict: true,
    });
    const logRatios = { damped: [] as number[], undamped: [] as number[] };
    for (const { path: file, timestamps, values } of (await readNabCorpus(options.nab)).files) {
      const rows = timestamps.map((timeMs, i) => ({ timeMs, value: values[i]! }));
      const cadenceMs = (rows[1]?.timeMs ?? 0) - (rows[0]?.timeMs ?? 0);
      if (cadenceMs <= 0) continue;
      const damped = forecastErrors(rows, forecastModelConfig(cadenceMs / 1000), cadenceMs);
      const undamped = forecastErrors(rows, {}, cadenceMs);
      // A series that repeats itself exactly leaves the yardstick no error to compare with.
      if (damped.naiveMae === 0 || !Number.isFinite(damped.ourMae)) continue;
      context.report(
        benchResult({
          bench: 'forecast',
          case: file,
          value: damped.ourMae,
          unit: 'MAE',
          yardstick: damped.naiveMae,
          better: 'lower',
        }),
      );
      logRatios.damped.push(Math.log(damped.naiveMae / damped.ourMae));
      logRatios.undamped.push(Math.log(undamped.naiveMae / undamped.ourMae));
    }
    for (const [name, logs] of Object.entries(logRatios)) {
      const ratio = Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
      context.report(
        benchResult({
          bench: 'forecast',
          case: `all ${logs.length} series, geometric mean${name === 'undamped' ? ', trend undamped' : ''}`,
          value: 1 / ratio,
          unit: 'MAE / seasonal-naive MAE',
          yardstick: 1,
          better: 'lower',
        }),
      );
      context.log(
        `${name}: MAE ${(1 / ratio).toFixed(3)} × the seasonal-naive forecast's (geometric mean, ${logs.length} series)`,
      );
    }
  },
};

/** Mean absolute errors of the model and of the seasonal-naive forecast over the same forecast times. */
function forecastErrors(
  rows: readonly { timeMs: number; value: number }[],
  config: HoltWintersConfig,
  cadenceMs: number,
): { ourMae: number; naiveMae: number } {
  const horizon = Math.max(1, Math.round((FORECAST_HORIZON_S * 1000) / cadenceMs));
  const season = Math.round(DAY_MS / cadenceMs);
  const model = createHoltWinters(config);
  let ours = 0;
  let naive = 0;
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    model.update(rows[i]!);
    if (i <= 2 * season || i % EVERY !== 0 || i + horizon >= rows.length) continue;
    const predicted = model.forecastAhead(horizon).mean[horizon - 1];
    if (predicted === undefined) continue;
    const actual = rows[i + horizon]!.value;
    ours += Math.abs(predicted - actual);
    naive += Math.abs(rows[i + horizon - season]!.value - actual);
    n++;
  }
  return { ourMae: ours / n, naiveMae: naive / n };
}
