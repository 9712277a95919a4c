/** @module Sensitive species: how coarsely their locations are shown to anyone but the organisation that recorded them. */

/*
 * The rule, after GBIF's "Current best practices for generalizing sensitive species occurrence data"
 * (Chapman 2020, §4): a sensitive record's point is replaced by the centre of the grid cell holding it —
 * 0.1° (about 11 km) for `sensitive`, 1° (about 111 km) for `highly_sensitive`. Only the recording
 * organisation's own callers see the exact point; everyone else, and anything public, sees the cell centre.
 */

export const SENSITIVITY_LEVELS = ['none', 'sensitive', 'highly_sensitive'] as const;
export type Sensitivity = (typeof SENSITIVITY_LEVELS)[number];

/** The grid cell size, in degrees, a level generalises to (0 for none). */
export const GENERALISATION_DEG: Readonly<Record<Sensitivity, number>> = {
  none: 0,
  sensitive: 0.1,
  highly_sensitive: 1,
};

/** The stricter of two levels: a record flagged by its sender and a species on the organisation's list. */
export function stricter(a: Sensitivity, b: Sensitivity): Sensitivity {
  return SENSITIVITY_LEVELS.indexOf(a) >= SENSITIVITY_LEVELS.indexOf(b) ? a : b;
}

/** The level of one record: the organisation's list for its species, raised to `sensitive` if the record itself says so. */
export function sensitivityOf(recordFlagged: boolean, listed: Sensitivity | undefined): Sensitivity {
  return stricter(listed ?? 'none', recordFlagged ? 'sensitive' : 'none');
}

/**
 * The centre of the `cellDeg` grid cell holding the point. Cells are counted from (−180, −90), so the
 * centres never leave the valid range: latitude 90 and longitude 180 fall in the last cell, not past it.
 */
export function generalisePoint(lon: number, lat: number, cellDeg: number): [number, number] {
  if (cellDeg <= 0) return [lon, lat];
  const centre = (value: number, min: number, span: number) => {
    const cells = Math.round(span / cellDeg);
    // The small epsilon keeps 23.7 (stored as 23.699999…) in the cell that starts at 23.7.
    const i = Math.min(cells - 1, Math.max(0, Math.floor((value - min) / cellDeg + 1e-9)));
    return round(min + (i + 0.5) * cellDeg);
  };
  return [centre(lon, -180, 360), centre(lat, -90, 180)];
}

/** The point as a caller may see it: exact for the recording organisation, else generalised by level. */
export function visiblePoint(
  point: { readonly lon: number; readonly lat: number },
  sensitivity: Sensitivity,
  ownRecord: boolean,
): { lon: number; lat: number; generalisedDeg: number } {
  const deg = ownRecord ? 0 : GENERALISATION_DEG[sensitivity];
  const [lon, lat] = generalisePoint(point.lon, point.lat, deg);
  return { lon, lat, generalisedDeg: deg };
}

/** Ten decimals: what a float sum like 23.65000000000001 means. */
function round(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}
