/** @module The detectors the platform runs on every series, in the order they run, adapted to the detection service's seam. */
import { createEnsemble, type Ensemble, type EnsembleSnapshot } from './detectors/ensemble.ts';
import { FORECAST_DETECTOR } from './forecast-detector.ts';
import type { DetectorKind, SeriesContext } from './series-detector.ts';

/** The offset of an IANA zone from UTC now, in minutes; 0 when the zone is unknown. */
export function utcOffsetMinutesOf(timeZone: string | null, atMs = Date.now()): number {
  if (!timeZone) return 0;
  try {
    const name = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(atMs)
      .find((p) => p.type === 'timeZoneName')?.value;
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  } catch {
    return 0;
  }
}

/** The default detector: the ensemble, normalised with the series' declared range, its daily profile in local time. */
export const ENSEMBLE_DETECTOR: DetectorKind = {
  name: 'ensemble',
  threshold: 0.5,
  create(context: SeriesContext, snapshot: unknown) {
    const config = {
      ...(context.range ? { range: context.range } : {}),
      seasonal: { utcOffsetMinutes: utcOffsetMinutesOf(context.timeZone) },
    };
    let detector: Ensemble;
    try {
      detector = createEnsemble(config, snapshot as EnsembleSnapshot | undefined);
    } catch {
      // A checkpoint taken under another configuration (the range or zone changed) cannot resume: start afresh.
      detector = createEnsemble(config);
    }
    return {
      update: (timeMs, value) => {
        const out = detector.update({ timeMs, value });
        return { score: out.score, expected: out.expected, spread: out.spread, reason: out.reason };
      },
      snapshot: () => detector.snapshot(),
    };
  },
};

export const DETECTORS: readonly DetectorKind[] = [ENSEMBLE_DETECTOR, FORECAST_DETECTOR];
