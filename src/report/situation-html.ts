/**
 * @module The situation report as one self-contained HTML page: inline CSS, the map and charts as inline SVG,
 * no scripts and no external resources, so it opens anywhere and prints on A4 (CSS Paged Media `@page`).
 */
import { severityColour } from '../notify/media/severity-colour.ts';
import { barChart, chartColour, warningsMap } from './report-graphics.ts';
import { hazardLabel, type SituationReport, TABLE_ROWS, utcMinute } from './situation-report.ts';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text and attribute values escaped (HTML Living Standard §13.1.2.3–4: `&`, `<`, `>`, quotes). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const n1 = (x: number): string => String(Math.round(x * 10) / 10);

function pathData(rings: readonly (readonly [number, number][])[]): string {
  return rings
    .filter((ring) => ring.length >= 3)
    .map((ring) => `M${ring.map(([x, y]) => `${n1(x)} ${n1(y)}`).join('L')}Z`)
    .join('');
}

const MAP_BOX = { x: 0, y: 0, width: 760, height: 380 };
const CHART_BOX = { x: 0, y: 0, width: 340, height: 56 };

function mapSvg(report: SituationReport): string {
  const map = warningsMap(report.warnings, report.focus, MAP_BOX);
  if (map === null) return '<p class="muted">No standing warnings, and no area to map.</p>';
  const countries = map.drawing.countries
    .map(
      (c) =>
        `<path d="${pathData(c.rings)}" fill="${c.touched ? '#ebe6da' : '#f4f2ec'}" stroke="${c.touched ? '#4d4d4d' : '#9a9a9a'}" stroke-width="${c.touched ? 0.9 : 0.4}"/>`,
    )
    .join('');
  const warnings = map.warnings
    .map((w) => {
      const colour = severityColour(w.severity);
      return `<path d="${pathData(w.rings)}" fill="${colour.fill}" fill-opacity="0.6" stroke="${colour.edge}" stroke-width="1.4"><title>${escapeHtml(w.severity)}</title></path>`;
    })
    .join('');
  const legend = ['Extreme', 'Severe', 'Moderate', 'Minor']
    .filter((s) => report.warnings.some((w) => w.severity === s))
    .map((s) => `<span class="swatch" style="background:${severityColour(s).fill}"></span>${escapeHtml(s)}`)
    .join(' ');
  return (
    `<figure class="map"><svg viewBox="0 0 ${MAP_BOX.width} ${MAP_BOX.height}" role="img" aria-label="Map of standing warnings" fill-rule="evenodd">` +
    `<rect width="${MAP_BOX.width}" height="${MAP_BOX.height}" fill="#e6f0f7"/>${countries}${warnings}</svg>` +
    `<figcaption>${legend} <span class="muted">Basemap: Natural Earth · equirectangular projection</span></figcaption></figure>`
  );
}

function warningsTable(report: SituationReport): string {
  if (report.warnings.length === 0) return '<p class="muted">None.</p>';
  const more = report.warnings.length - TABLE_ROWS;
  const rows = report.warnings
    .slice(0, TABLE_ROWS)
    .map((w) => {
      const colour = severityColour(w.severity);
      return (
        `<tr><td class="headline">${escapeHtml(w.headline)}</td>` +
        `<td style="background:${colour.fill};color:${colour.ink}">${escapeHtml(w.severity)}</td>` +
        `<td>${escapeHtml(w.areaDesc)}</td><td class="time">${utcMinute(w.sentMs)}</td>` +
        `<td class="time">${utcMinute(w.expiresMs)}</td>` +
        `<td class="num">${w.deliveries.delivered}</td><td class="num">${w.deliveries.pending}</td>` +
        `<td class="num">${w.deliveries.failed}</td></tr>`
      );
    })
    .join('');
  return (
    '<table><thead><tr><th>Warning</th><th>Severity</th><th>Area</th><th>Issued (UTC)</th><th>Expires (UTC)</th>' +
    `<th>Delivered</th><th>Pending</th><th>Failed</th></tr></thead><tbody>${rows}</tbody></table>` +
    (more > 0 ? `<p class="muted">… and ${more} more, less severe or older; all are on the map.</p>` : '')
  );
}

function incidentsList(report: SituationReport): string {
  if (report.incidents.length === 0) return '<p class="muted">No open incidents.</p>';
  return report.incidents
    .map((i) => {
      const status = [i.status, i.severity].filter((s) => s !== null).join(', ');
      const tasks =
        i.openTasks.length === 0
          ? '<p class="muted">No open tasks.</p>'
          : `<ul>${i.openTasks
              .map(
                (t) =>
                  `<li>${escapeHtml(t.title)} — ${escapeHtml(t.assignee ?? 'unassigned')} — ` +
                  `${t.dueMs === null ? 'no due time' : `due ${utcMinute(t.dueMs)}`} (${escapeHtml(t.status)})</li>`,
              )
              .join('')}</ul>`;
      return `<section class="incident"><h3>${escapeHtml(i.title)} <span class="muted">(${escapeHtml(status)})</span></h3>${tasks}</section>`;
    })
    .join('');
}

const dayLabel = (ms: number | undefined): string =>
  ms === undefined ? '' : new Date(ms).toISOString().slice(5, 10);

function chartsSvg(report: SituationReport): string {
  if (report.signalsByHazard.length === 0) return '<p class="muted">No signals.</p>';
  const first = report.days[0];
  const last = report.days.at(-1);
  const range =
    first !== undefined && last !== undefined
      ? `${new Date(first).toISOString().slice(0, 10)} to ${new Date(last).toISOString().slice(0, 10)}`
      : '';
  return report.signalsByHazard
    .map((series, i) => {
      const chart = barChart(series.counts, CHART_BOX);
      const total = series.counts.reduce((a, b) => a + b, 0);
      const bars = chart.bars
        .map((b, j) => {
          const day = report.days[j];
          const label = day === undefined ? '' : new Date(day).toISOString().slice(0, 10);
          return `<rect x="${n1(b.x)}" y="${n1(b.y)}" width="${n1(b.width)}" height="${n1(b.height)}" fill="${chartColour(i)}"><title>${label}: ${b.value}</title></rect>`;
        })
        .join('');
      return (
        `<figure class="chart"><figcaption><b>${escapeHtml(hazardLabel(series.hazard))}</b> — ${total} ` +
        `<span class="muted">(max ${chart.max}/day)</span></figcaption>` +
        `<svg viewBox="0 0 ${CHART_BOX.width} ${CHART_BOX.height + 1}" role="img" aria-label="${escapeHtml(hazardLabel(series.hazard))}: signals per day, ${range}">` +
        `${bars}<line x1="0" x2="${CHART_BOX.width}" y1="${n1(chart.baseline)}" y2="${n1(chart.baseline)}" stroke="#555" stroke-width="0.8"/></svg>` +
        `<div class="axis muted"><span>${dayLabel(first)}</span><span>${dayLabel(last)}</span></div></figure>`
      );
    })
    .join('');
}

const CSS = `
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font: 11pt/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 800px; padding: 16px; }
header { background: #1f3a5f; color: #fff; padding: 12px 16px; display: flex; justify-content: space-between; gap: 16px; flex-wrap: wrap; }
header h1 { margin: 0; font-size: 20pt; }
header p { margin: 4px 0 0; }
h2 { font-size: 13pt; margin: 18px 0 6px; border-bottom: 1px solid #bbb; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 8px 0 2px; }
.muted { color: #555; }
figure { margin: 8px 0; }
figure.map svg { width: 100%; height: auto; border: 1px solid #555; display: block; }
.swatch { display: inline-block; width: 10px; height: 8px; margin: 0 3px 0 6px; }
table { width: 100%; border-collapse: collapse; font-size: 9pt; }
th, td { border-bottom: 1px solid #ccc; padding: 3px 4px; text-align: left; vertical-align: top; }
thead th { background: #e8e8e8; }
tr { break-inside: avoid; }
td.headline { font-weight: 600; }
td.time { white-space: nowrap; }
td.num { text-align: right; }
ul { margin: 2px 0 6px 18px; padding: 0; font-size: 9.5pt; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 18px; }
figure.chart { break-inside: avoid; }
figure.chart svg { width: 100%; height: auto; display: block; }
.axis { display: flex; justify-content: space-between; font-size: 8pt; }
footer { margin-top: 20px; font-size: 8pt; color: #555; }
@media print { body { max-width: none; padding: 0; } header { print-color-adjust: exact; -webkit-print-color-adjust: exact; } td, .swatch, svg { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
`;

/** The report as a complete HTML document. */
export function situationHtml(report: SituationReport): string {
  const title = `${report.title} — ${report.organisation}`;
  const scope = report.areaName === null ? '' : ` · Area: ${escapeHtml(report.areaName)}`;
  const issued = utcMinute(report.issuedMs);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><div><h1>${escapeHtml(report.title)}</h1><p>${escapeHtml(report.organisation)}${scope}</p></div><p>Issued <time datetime="${new Date(report.issuedMs).toISOString()}">${issued}</time></p></header>
<main>
${mapSvg(report)}
<h2>Standing warnings (${report.warnings.length})</h2>
${warningsTable(report)}
<h2>Incidents (${report.incidents.length})</h2>
${incidentsList(report)}
<h2>Signals per day, last ${report.days.length} days (UTC)</h2>
<div class="charts">${chartsSvg(report)}</div>
</main>
<footer>EW4E situation report · ${escapeHtml(report.organisation)} · issued ${issued}</footer>
</body>
</html>
`;
}
