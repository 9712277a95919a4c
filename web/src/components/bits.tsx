/** Small shared pieces: severity badge, sparkline, error line. */
import { SEVERITY_COLOURS, severityName } from '../levels.ts';

export function SeverityBadge(props: { severity: string | null | undefined }) {
  if (props.severity == null) return <span class="badge">—</span>;
  const colour = SEVERITY_COLOURS[props.severity] ?? SEVERITY_COLOURS.Unknown;
  // Dark text on yellow and orange, white on the rest: contrast ≥ 4.5:1 either way.
  const ink = props.severity === 'Minor' || props.severity === 'Moderate' ? '#1a1a1a' : '#ffffff';
  return (
    <span class="badge" style={{ background: colour, color: ink }}>
      {severityName(props.severity)}
    </span>
  );
}

/** A line of counts, oldest first, as a small SVG. */
export function Sparkline(props: { values: readonly number[]; label: string }) {
  const width = 120;
  const height = 28;
  const max = Math.max(1, ...props.values);
  const step = props.values.length > 1 ? width / (props.values.length - 1) : width;
  const points = props.values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`)
    .join(' ');
  return (
    <svg class="sparkline" width={width} height={height} role="img" aria-label={props.label}>
      <title>{props.label}</title>
      <polyline points={points} fill="none" stroke="#1565c0" stroke-width="1.5" />
    </svg>
  );
}

export function ErrorLine(props: { error: Error | undefined }) {
  return props.error === undefined ? null : (
    <p role="alert" class="error">
      {props.error.message}
    </p>
  );
}
