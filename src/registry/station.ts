/** @module Stations: where observations come from, each with the sense that made them and the cadence it promised. */

export const SENSES = [
  'ground_station',
  'satellite',
  'aerial',
  'acoustic',
  'camera_trap',
  'citizen_report',
] as const;
export type Sense = (typeof SENSES)[number];

/** ok: on time; late: over two expected intervals without data; silent: over six, or never heard from. */
export type StationStatus = 'ok' | 'late' | 'silent';

export interface Liveness {
  readonly status: StationStatus;
  /** Seconds since the last observation; null if none ever arrived. */
  readonly delayS: number | null;
}

export function stationLiveness(
  lastObservationAt: Date | null,
  expectedCadenceS: number,
  now: Date,
): Liveness {
  if (lastObservationAt === null) return { status: 'silent', delayS: null };
  const delayS = Math.max(0, Math.round((now.getTime() - lastObservationAt.getTime()) / 1000));
  const status = delayS > 6 * expectedCadenceS ? 'silent' : delayS > 2 * expectedCadenceS ? 'late' : 'ok';
  return { status, delayS };
}
