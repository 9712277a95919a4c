/** @module The black-soil report: soil sites by belt, their latest values and the trend of every indicator, as data and as one self-contained HTML page. */
import { escapeHtml } from '../report/situation-html.ts';
import { BELT_OUTLINES, type BlackSoilBelt, blackSoilBeltOf } from './soil-belts.ts';
import { SOIL_INDICATORS, soilIndicator, soilTrend } from './soil-trend.ts';
import { MIN_TREND_YEARS, TREND_ALPHA } from './species-trend.ts';

/** One soil series of a site, as storage gathers it. */
export interface SoilSeriesInput {
  readonly variable: string;
  readonly unit: string;
  readonly latest: { readonly timeMs: number; readonly value: number } | null;
  readonly years: readonly number[];
  readonly means: readonly number[];
}

export interface SoilSiteInput {
  readonly stationId: number;
  readonly code: string;
  readonly name: string;
  readonly lon: number;
  readonly lat: number;
  readonly series: readonly SoilSeriesInput[];
}

export interface SoilIndicatorReport {
  readonly variable: string;
  readonly label: string;
  readonly unit: string;
  readonly latest_time: string | null;
  readonly latest_value: number | null;
  readonly years: number[];
  readonly means: number[];
  readonly trend: {
    readonly n: number;
    readonly slope_per_year: number;
    readonly p_value: number;
    readonly direction: 'rising' | 'falling' | 'none';
    readonly degradation: boolean;
  } | null;
}

export interface SoilSiteReport {
  readonly station_id: number;
  readonly code: string;
  readonly name: string;
  readonly lon: number;
  readonly lat: number;
  readonly degrading: boolean;
  readonly indicators: SoilIndicatorReport[];
}

export interface SoilBeltReport {
  /** null: sites outside the four belts. */
  readonly belt: BlackSoilBelt | null;
  readonly name: string;
  readonly sites: SoilSiteReport[];
}

export interface SoilReport {
  readonly generated_at: string;
  readonly alpha: number;
  readonly min_years: number;
  readonly belts: SoilBeltReport[];
}

/** Every belt is listed, with or without sites; sites outside them come last, if there are any. */
export function soilReport(sites: readonly SoilSiteInput[], nowMs: number): SoilReport {
  const groups = new Map<BlackSoilBelt | null, SoilSiteReport[]>();
  for (const site of [...sites].sort((a, b) => a.name.localeCompare(b.name))) {
    const belt = blackSoilBeltOf(site.lon, site.lat)?.code ?? null;
    const list = groups.get(belt) ?? [];
    list.push(siteReport(site));
    groups.set(belt, list);
  }
  const belts: SoilBeltReport[] = BELT_OUTLINES.map((b) => ({
    belt: b.code,
    name: b.name,
    sites: groups.get(b.code) ?? [],
  }));
  const outside = groups.get(null);
  if (outside !== undefined) belts.push({ belt: null, name: 'Outside the black-soil belts', sites: outside });
  return {
    generated_at: new Date(nowMs).toISOString(),
    alpha: TREND_ALPHA,
    min_years: MIN_TREND_YEARS,
    belts,
  };
}

function siteReport(site: SoilSiteInput): SoilSiteReport {
  const order = (variable: string) => {
    const i = SOIL_INDICATORS.findIndex((x) => x.variable === variable);
    return i === -1 ? SOIL_INDICATORS.length : i;
  };
  const indicators = [...site.series]
    .sort((a, b) => order(a.variable) - order(b.variable) || a.variable.localeCompare(b.variable))
    .map((s): SoilIndicatorReport => {
      const trend = soilTrend(s.variable, s.years, s.means);
      return {
        variable: s.variable,
        label: soilIndicator(s.variable)?.label ?? s.variable,
        unit: s.unit,
        latest_time: s.latest === null ? null : new Date(s.latest.timeMs).toISOString(),
        latest_value: s.latest?.value ?? null,
        years: [...s.years],
        means: [...s.means],
        trend:
          trend === null
            ? null
            : {
                n: trend.n,
                slope_per_year: trend.slopePerYear,
                p_value: trend.pValue,
                direction: trend.direction,
                degradation: trend.degradation,
              },
      };
    });
  return {
    station_id: site.stationId,
    code: site.code,
    name: site.name,
    lon: site.lon,
    lat: site.lat,
    degrading: indicators.some((i) => i.trend?.degradation === true),
    indicators,
  };
}

// ---------------------------------------------------------------------------------------------------------
// HTML

const SPARK = { width: 120, height: 28, pad: 3 };

/** A line through the yearly means, scaled to its own range; the last point is marked. */
export function sparklineSvg(years: readonly number[], values: readonly number[], colour: string): string {
  if (values.length === 0) return '';
  const minX = years[0]!;
  const spanX = Math.max(1, years[years.length - 1]! - minX);
  const minY = Math.min(...values);
  const spanY = Math.max(...values) - minY || 1;
  const x = (year: number) => SPARK.pad + ((year - minX) / spanX) * (SPARK.width - 2 * SPARK.pad);
  const y = (v: number) => SPARK.height - SPARK.pad - ((v - minY) / spanY) * (SPARK.height - 2 * SPARK.pad);
  const r1 = (n: number) => Math.round(n * 10) / 10;
  const points = values.map((v, i) => `${r1(x(years[i]!))},${r1(y(v))}`);
  const last = points[points.length - 1]!.split(',');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SPARK.width}" height="${SPARK.height}" viewBox="0 0 ${SPARK.width} ${SPARK.height}" role="img">` +
    `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${points.join(' ')}"/>` +
    `<circle cx="${last[0]}" cy="${last[1]}" r="2" fill="${colour}"/></svg>`
  );
}

const value3 = (v: number) => String(Number(v.toPrecision(3)));

function indicatorRow(i: SoilIndicatorReport): string {
  const t = i.trend;
  const colour = t?.degradation ? '#b3261e' : '#33691e';
  const trendText =
    t === null
      ? `<td colspan="4" class="muted">fewer than ${MIN_TREND_YEARS} years</td>`
      : `<td>${t.slope_per_year >= 0 ? '+' : '−'}${value3(Math.abs(t.slope_per_year))} ${escapeHtml(i.unit)}/yr</td>` +
        `<td>${t.p_value < 0.001 ? '&lt; 0.001' : value3(t.p_value)}</td><td>${t.direction}</td>` +
        `<td>${t.degradation ? '<strong class="bad">yes</strong>' : 'no'}</td>`;
  return (
    `<tr><td>${escapeHtml(i.label)}</td>` +
    `<td>${i.latest_value === null ? '—' : `${value3(i.latest_value)} ${escapeHtml(i.unit)}`}` +
    `${i.latest_time === null ? '' : `<div class="muted">${i.latest_time.slice(0, 10)}</div>`}</td>` +
    `<td>${sparklineSvg(i.years, i.means, colour)}</td>${trendText}</tr>`
  );
}

function siteSection(site: SoilSiteReport): string {
  return (
    `<section class="site"><h3>${escapeHtml(site.name)} <span class="muted">${escapeHtml(site.code)} · ` +
    `${site.lat.toFixed(3)}°, ${site.lon.toFixed(3)}°</span>${site.degrading ? ' <span class="tag">degrading</span>' : ''}</h3>` +
    '<table><thead><tr><th>Indicator</th><th>Latest</th><th>Yearly means</th><th>Sen slope</th><th>p</th>' +
    '<th>Direction</th><th>Degradation</th></tr></thead><tbody>' +
    site.indicators.map(indicatorRow).join('') +
    '</tbody></table></section>'
  );
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#1b1b1b;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:2px solid #3e2723;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1rem;margin:.8rem 0 .3rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ddd;vertical-align:middle}
.muted{color:#666;font-weight:normal;font-size:.85em}.bad{color:#b3261e}
.tag{background:#b3261e;color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8em}`;

/** The report as one HTML page: no scripts, no external resources, sparklines as inline SVG. */
export function soilReportHtml(report: SoilReport): string {
  const belts = report.belts
    .map(
      (b) =>
        `<h2>${escapeHtml(b.name)}</h2>` +
        (b.sites.length === 0
          ? '<p class="muted">No soil sites in this belt.</p>'
          : b.sites.map(siteSection).join('')),
    )
    .join('');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>Black-soil report</title><style>${CSS}</style></head><body>` +
    `<h1>Black-soil report</h1><p class="muted">Generated ${report.generated_at}. Trends: Mann-Kendall test ` +
    `and Sen's slope over yearly means, at least ${report.min_years} years, significant at p &lt; ${report.alpha}. ` +
    'Belts after the FAO Global Black Soil Distribution Map (rough outlines).</p>' +
    belts +
    '</body></html>'
  );
}
