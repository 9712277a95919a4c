/** @module The colour of each CAP severity (CAP 1.2 §3.2.2), after the red–orange–yellow–green scale of MeteoAlarm and WMO awareness levels. */

export interface SeverityColour {
  /** Fill, as #rrggbb. */
  readonly fill: string;
  /** Text drawn on the fill: black on light colours, white on dark ones (WCAG 2.2 contrast ≥ 4.5:1). */
  readonly ink: string;
  /** A darker edge for outlines on a light map. */
  readonly edge: string;
}

const COLOURS: Readonly<Record<string, SeverityColour>> = {
  Extreme: { fill: '#c8102e', ink: '#ffffff', edge: '#7a0a1c' },
  Severe: { fill: '#f28c28', ink: '#000000', edge: '#a65300' },
  Moderate: { fill: '#ffd400', ink: '#000000', edge: '#9c8100' },
  Minor: { fill: '#6cbf4b', ink: '#000000', edge: '#3b7a24' },
};

const UNKNOWN: SeverityColour = { fill: '#9e9e9e', ink: '#000000', edge: '#5e5e5e' };

export function severityColour(severity: string): SeverityColour {
  return COLOURS[severity] ?? UNKNOWN;
}
