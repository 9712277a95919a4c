/**
 * Nature: a country's progress to the Kunming-Montreal target 3 (30 % of land and sea protected by 2030) —
 * coverage by year with the path still needed — beside the species index and the black-soil report.
 */
import { useState } from 'preact/hooks';
import { ErrorLine } from '../components/bits.tsx';
import { useResource } from '../components/use-resource.ts';
import { formatNumber, t } from '../i18n.ts';

interface Coverage {
  country: string;
  terrestrial: { protected_km2: number; land_km2: number; pct: number };
  marine?: { protected_km2: number; pct: number | null } | null;
  series: { year: number; terrestrial_pct: number; marine_pct?: number | null }[];
  target: { pct: number; year: number; gap_pct: number; needed_pp_per_year: number };
}

const COUNTRIES = [
  { iso: 'BR', name: 'Brazil' },
  { iso: 'KE', name: 'Kenya' },
  { iso: 'BD', name: 'Bangladesh' },
  { iso: 'CN', name: 'China' },
];

export function NaturePage() {
  const [country, setCountry] = useState('KE');
  const coverage = useResource<Coverage>(`/v1/nature/coverage?country=${country}`);
  return (
    <section class="nature" aria-labelledby="nature-title">
      <h2 id="nature-title">{t('nature')}</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('country')}
          <select value={country} onChange={(e) => setCountry((e.currentTarget as HTMLSelectElement).value)}>
            {COUNTRIES.map((c) => (
              <option key={c.iso} value={c.iso}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorLine error={coverage.error} />
      {coverage.data !== undefined && <Progress coverage={coverage.data} />}
      <p>
        <a class="button" href="/v1/nature/soil/report?format=html" target="_blank" rel="noopener">
          {t('soilReport')}
        </a>
      </p>
    </section>
  );
}

/** Coverage by year and the straight path from today's coverage to 30 % in 2030, as an SVG a screen reader can also read. */
function Progress(props: { coverage: Coverage }) {
  const { series, target, terrestrial } = props.coverage;
  const width = 640;
  const height = 260;
  const pad = { left: 44, right: 16, top: 12, bottom: 28 };
  const firstYear = Math.min(series[0]?.year ?? 2000, 2000);
  const lastYear = target.year;
  const maxPct = Math.max(35, ...series.map((s) => s.terrestrial_pct));
  const x = (year: number) =>
    pad.left + ((year - firstYear) / (lastYear - firstYear)) * (width - pad.left - pad.right);
  const y = (pct: number) => height - pad.bottom - (pct / maxPct) * (height - pad.top - pad.bottom);
  const nowYear = new Date().getUTCFullYear();
  const path = series
    .map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.year).toFixed(1)},${y(s.terrestrial_pct).toFixed(1)}`)
    .join(' ');
  const ticks = [0, 10, 20, 30].filter((p) => p <= maxPct);
  return (
    <figure class="progress">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby="progress-chart-title"
        data-testid="coverage-chart"
      >
        <title id="progress-chart-title">{t('coverageChart')}</title>
        {ticks.map((p) => (
          <g key={p}>
            <line x1={pad.left} x2={width - pad.right} y1={y(p)} y2={y(p)} stroke="#e0e0e0" />
            <text x={pad.left - 6} y={y(p) + 4} text-anchor="end" font-size="11">
              {p} %
            </text>
          </g>
        ))}
        {[firstYear, 2010, 2020, lastYear].map((year) => (
          <text key={year} x={x(year)} y={height - 8} text-anchor="middle" font-size="11">
            {year}
          </text>
        ))}
        <line
          x1={pad.left}
          x2={width - pad.right}
          y1={y(target.pct)}
          y2={y(target.pct)}
          stroke="#2e7d32"
          stroke-dasharray="6 4"
        />
        <path d={path} fill="none" stroke="#1565c0" stroke-width="2.5" />
        <line
          x1={x(nowYear)}
          y1={y(terrestrial.pct)}
          x2={x(target.year)}
          y2={y(target.pct)}
          stroke="#c62828"
          stroke-width="2"
          stroke-dasharray="3 3"
        />
      </svg>
      <figcaption id="progress-caption">
        {t('terrestrialCoverage')}: {formatNumber(Math.round(terrestrial.pct * 10) / 10)} % · {t('target30')}:{' '}
        {formatNumber(Math.round(target.gap_pct * 10) / 10)} pp · {t('neededRate')}:{' '}
        {formatNumber(Math.round(target.needed_pp_per_year * 100) / 100)} pp/{t('year')}
      </figcaption>
    </figure>
  );
}
