/** @module The seam between the detection service and a streaming detector: one detector per series, fed in time order, checkpointed as JSON. */

export interface SeriesContext {
  readonly seriesId: number;
  readonly organisationId: number;
  readonly stationId: number;
  readonly variable: string;
  readonly variableName: string;
  readonly unit: string;
  readonly stationName: string;
  readonly timeZone: string | null;
  readonly cadenceS: number;
  /** The series' declared range (its QC hard limits), known before any data: what NAB gives every detector too. */
  readonly range: { readonly min: number; readonly max: number } | null;
  /** Levels of the organisation's enabled threshold rules on this series, which forecasts are checked against. */
  readonly levels: readonly ForecastLevel[];
}

export interface ForecastLevel {
  readonly ruleId: number;
  readonly ruleVersion: number;
  readonly ruleName: string;
  readonly when: 'above' | 'below';
  readonly level: number;
}

export interface DetectorReading {
  /** Anomaly score in [0, 1]. */
  readonly score: number;
  readonly expected: number | null;
  readonly spread: number | null;
  /** A short cause when the score is high, such as 'above_baseline' or 'level_shift_up'. */
  readonly reason: string | null;
  /** For predictive readings: how long until the forecast crosses the level, and which rule's level. */
  readonly leadTimeS?: number;
  readonly level?: ForecastLevel;
}

export interface SeriesDetector {
  update(timeMs: number, value: number): DetectorReading;
  /** Plain JSON from which the factory restores exactly this detector. */
  snapshot(): unknown;
}

export interface DetectorKind {
  /** Stored with the state and named in signals, e.g. 'ensemble'. */
  readonly name: string;
  /** Scores at or above this raise a signal. */
  readonly threshold: number;
  create(context: SeriesContext, snapshot: unknown | undefined): SeriesDetector;
}
