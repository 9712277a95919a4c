/**
 * @module The situation report as an A4 PDF (ISO 216), written in memory with pdfkit: a title band, the map of
 * standing warnings, the warnings table with deliveries, incidents with their open tasks, and bar charts of
 * signals per day drawn as vector graphics. As many pages as it takes; each page says which of how many it is.
 */
import PDFDocument from 'pdfkit';
import {
  coveredBy,
  drawnCodePoints,
  type FontPair,
  fontsFor,
  HELVETICA,
  type SystemFont,
} from '../notify/media/bulletin-fonts.ts';
import { severityColour } from '../notify/media/severity-colour.ts';
import { wrapText } from '../notify/media/text-layout.ts';
import { barChart, chartColour, type PageBox, warningsMap } from './report-graphics.ts';
import { hazardLabel, type SituationReport, TABLE_ROWS, utcMinute } from './situation-report.ts';

export interface SituationPdfOptions {
  /** Fonts to choose from when Helvetica (WinAnsi) cannot print every name; default none. */
  readonly fonts?: readonly SystemFont[];
  /** Deflate the content streams. Default true. */
  readonly compress?: boolean;
}

const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN = 36;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const FOOTER_TOP = PAGE_HEIGHT - MARGIN + 8;
const BOTTOM = PAGE_HEIGHT - MARGIN;
const MAP_HEIGHT = 250;
const INK = '#1a1a1a';
const MUTED = '#555555';
const RULE = '#bbbbbb';
const BAND = '#1f3a5f';
const LEADING = 1.25;

type Face = 'regular' | 'bold';

/** Table columns: the headline takes what the others leave. */
const COLUMNS = [
  { key: 'headline', title: 'Warning', width: 0 },
  { key: 'severity', title: 'Severity', width: 50 },
  { key: 'area', title: 'Area', width: 84 },
  // "2024-01-01T02:00Z" on one line at 8 pt
  { key: 'issued', title: 'Issued (UTC)', width: 82 },
  { key: 'expires', title: 'Expires (UTC)', width: 82 },
  { key: 'deliveries', title: 'Delivered / pending / failed', width: 62 },
] as const;
const FIXED = COLUMNS.reduce((sum, c) => sum + c.width, 0);
const CELL_PAD = 3;

class Page {
  y = MARGIN;
  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly pair: FontPair,
    private readonly drawable: (text: string) => string,
  ) {}

  use(face: Face, size: number): void {
    const font = face === 'bold' ? this.pair.bold : this.pair.regular;
    if (font.family === undefined) this.doc.font(font.src, size);
    else this.doc.font(font.src, font.family, size);
  }

  width(text: string): number {
    return this.doc.widthOfString(this.drawable(text));
  }

  wrap(text: string, maxWidth: number): string[] {
    return wrapText(this.drawable(text), maxWidth, (t) => this.doc.widthOfString(t));
  }

  text(text: string, x: number, y: number, colour = INK): void {
    const drawn = this.drawable(text);
    if (drawn.trim() === '') return;
    this.doc.fillColor(colour).text(drawn, x, y, { lineBreak: false });
  }

  /** Starts a new page when `height` more would run past the bottom. */
  room(height: number): void {
    if (this.y + height > BOTTOM) this.newPage();
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN;
  }

  heading(text: string): void {
    this.room(40);
    this.y += 10;
    this.use('bold', 12);
    this.text(text, MARGIN, this.y);
    this.y += 12 * LEADING + 4;
  }
}

function drawBand(page: Page, report: SituationReport): void {
  const { doc } = page;
  doc.rect(MARGIN, MARGIN, CONTENT_WIDTH, 58).fill(BAND);
  page.use('bold', 20);
  page.text(report.title, MARGIN + 12, MARGIN + 9, '#ffffff');
  page.use('regular', 10);
  const scope = report.areaName === null ? '' : ` · Area: ${report.areaName}`;
  page.text(`${report.organisation}${scope}`, MARGIN + 12, MARGIN + 33, '#ffffff');
  const issued = `Issued ${utcMinute(report.issuedMs)}`;
  page.text(issued, MARGIN + CONTENT_WIDTH - 12 - page.width(issued), MARGIN + 12, '#ffffff');
  page.y = MARGIN + 58 + 10;
}

function trace(doc: PDFKit.PDFDocument, rings: readonly (readonly [number, number][])[]): void {
  for (const ring of rings) {
    const [first, ...rest] = ring;
    if (first === undefined || rest.length < 2) continue;
    doc.moveTo(first[0], first[1]);
    for (const [x, y] of rest) doc.lineTo(x, y);
    doc.closePath();
  }
}

function drawMap(page: Page, report: SituationReport): void {
  const box: PageBox = { x: MARGIN, y: page.y, width: CONTENT_WIDTH, height: MAP_HEIGHT };
  const map = warningsMap(report.warnings, report.focus, box);
  const { doc } = page;
  if (map === null) {
    page.use('regular', 10);
    page.text('No standing warnings, and no area to map.', MARGIN, page.y, MUTED);
    page.y += 20;
    return;
  }
  doc.save();
  doc.rect(box.x, box.y, box.width, box.height).clip();
  doc.rect(box.x, box.y, box.width, box.height).fill('#e6f0f7');
  doc.lineWidth(0.4);
  for (const country of map.drawing.countries) {
    trace(doc, country.rings);
    doc.fillAndStroke(
      country.touched ? '#ebe6da' : '#f4f2ec',
      country.touched ? '#4d4d4d' : '#9a9a9a',
      'even-odd',
    );
  }
  for (const warning of map.warnings) {
    const colour = severityColour(warning.severity);
    trace(doc, warning.rings);
    doc.fillOpacity(0.6).fill(colour.fill, 'even-odd').fillOpacity(1);
    trace(doc, warning.rings);
    doc.lineWidth(1.2).strokeColor(colour.edge).stroke();
  }
  doc.restore();
  doc.lineWidth(0.6).strokeColor(MUTED).rect(box.x, box.y, box.width, box.height).stroke();
  page.y = box.y + box.height + 4;
  // Legend: the severities shown, then the basemap's source.
  page.use('regular', 8);
  let x = MARGIN;
  for (const severity of ['Extreme', 'Severe', 'Moderate', 'Minor']) {
    if (!report.warnings.some((w) => w.severity === severity)) continue;
    doc.rect(x, page.y + 1, 10, 7).fill(severityColour(severity).fill);
    page.text(severity, x + 13, page.y, INK);
    x += 13 + page.width(severity) + 12;
  }
  const credit = 'Basemap: Natural Earth · equirectangular projection';
  page.text(credit, MARGIN + CONTENT_WIDTH - page.width(credit), page.y, MUTED);
  page.y += 14;
}

function cellsOf(w: SituationReport['warnings'][number]): Record<(typeof COLUMNS)[number]['key'], string> {
  return {
    headline: w.headline,
    severity: w.severity,
    area: w.areaDesc,
    issued: utcMinute(w.sentMs),
    expires: utcMinute(w.expiresMs),
    deliveries: `${w.deliveries.delivered} / ${w.deliveries.pending} / ${w.deliveries.failed}`,
  };
}

function columnWidth(c: (typeof COLUMNS)[number]): number {
  return c.width === 0 ? CONTENT_WIDTH - FIXED : c.width;
}

function drawTableHeader(page: Page): void {
  page.use('bold', 7.5);
  let x = MARGIN;
  let height = 0;
  const wrapped = COLUMNS.map((c) => page.wrap(c.title, columnWidth(c) - 2 * CELL_PAD));
  for (const lines of wrapped) height = Math.max(height, lines.length * 7.5 * LEADING);
  page.doc.rect(MARGIN, page.y, CONTENT_WIDTH, height + 2 * CELL_PAD).fill('#e8e8e8');
  COLUMNS.forEach((c, i) => {
    (wrapped[i] ?? []).forEach((line, j) => {
      page.text(line, x + CELL_PAD, page.y + CELL_PAD + j * 7.5 * LEADING);
    });
    x += columnWidth(c);
  });
  page.y += height + 2 * CELL_PAD;
}

function drawWarnings(page: Page, report: SituationReport): void {
  page.heading(`Standing warnings (${report.warnings.length})`);
  if (report.warnings.length === 0) {
    page.use('regular', 10);
    page.text('None.', MARGIN, page.y, MUTED);
    page.y += 16;
    return;
  }
  page.room(40);
  drawTableHeader(page);
  const size = 8;
  for (const w of report.warnings.slice(0, TABLE_ROWS)) {
    const cells = cellsOf(w);
    const lines = COLUMNS.map((c) => {
      page.use(c.key === 'headline' ? 'bold' : 'regular', size);
      return page.wrap(cells[c.key], columnWidth(c) - 2 * CELL_PAD);
    });
    const height = Math.max(...lines.map((l) => l.length)) * size * LEADING + 2 * CELL_PAD;
    if (page.y + height > BOTTOM) {
      page.newPage();
      drawTableHeader(page);
    }
    let x = MARGIN;
    COLUMNS.forEach((c, i) => {
      const width = columnWidth(c);
      const colour = severityColour(w.severity);
      if (c.key === 'severity') page.doc.rect(x, page.y, width, height).fill(colour.fill);
      page.use(c.key === 'headline' ? 'bold' : 'regular', size);
      (lines[i] ?? []).forEach((line, j) => {
        page.text(
          line,
          x + CELL_PAD,
          page.y + CELL_PAD + j * size * LEADING,
          c.key === 'severity' ? colour.ink : INK,
        );
      });
      x += width;
    });
    page.y += height;
    page.doc
      .moveTo(MARGIN, page.y)
      .lineTo(MARGIN + CONTENT_WIDTH, page.y)
      .lineWidth(0.4)
      .strokeColor(RULE)
      .stroke();
  }
  const more = report.warnings.length - TABLE_ROWS;
  if (more > 0) {
    page.room(14);
    page.use('regular', 8);
    page.text(`… and ${more} more, less severe or older; all are on the map.`, MARGIN, page.y + 3, MUTED);
    page.y += 14;
  }
  page.y += 6;
}

function drawIncidents(page: Page, report: SituationReport): void {
  page.heading(`Incidents (${report.incidents.length})`);
  if (report.incidents.length === 0) {
    page.use('regular', 10);
    page.text('No open incidents.', MARGIN, page.y, MUTED);
    page.y += 16;
    return;
  }
  for (const incident of report.incidents) {
    page.use('bold', 9.5);
    const status = [incident.status, incident.severity].filter((s) => s !== null).join(', ');
    const titleLines = page.wrap(`${incident.title} (${status})`, CONTENT_WIDTH);
    page.room(titleLines.length * 9.5 * LEADING + 4);
    for (const line of titleLines) {
      page.text(line, MARGIN, page.y);
      page.y += 9.5 * LEADING;
    }
    page.use('regular', 8.5);
    if (incident.openTasks.length === 0) {
      page.text('No open tasks.', MARGIN + 10, page.y, MUTED);
      page.y += 8.5 * LEADING;
    }
    for (const task of incident.openTasks) {
      const who = task.assignee ?? 'unassigned';
      const due = task.dueMs === null ? 'no due time' : `due ${utcMinute(task.dueMs)}`;
      const lines = page.wrap(`• ${task.title} — ${who} — ${due} (${task.status})`, CONTENT_WIDTH - 10);
      page.room(lines.length * 8.5 * LEADING);
      for (const line of lines) {
        page.text(line, MARGIN + 10, page.y);
        page.y += 8.5 * LEADING;
      }
    }
    page.y += 5;
  }
}

const CHART_HEIGHT = 48;
const CHART_GAP = 18;

function drawCharts(page: Page, report: SituationReport): void {
  page.heading(`Signals per day, last ${report.days.length} days (UTC)`);
  if (report.signalsByHazard.length === 0) {
    page.use('regular', 10);
    page.text('No signals.', MARGIN, page.y, MUTED);
    page.y += 16;
    return;
  }
  const width = (CONTENT_WIDTH - CHART_GAP) / 2;
  const first = report.days[0];
  const last = report.days.at(-1);
  const rowHeight = 12 + CHART_HEIGHT + 14;
  report.signalsByHazard.forEach((series, i) => {
    const column = i % 2;
    if (column === 0) page.room(rowHeight);
    const x = MARGIN + column * (width + CHART_GAP);
    const top = page.y;
    const total = series.counts.reduce((a, b) => a + b, 0);
    page.use('bold', 8.5);
    page.text(`${hazardLabel(series.hazard)} — ${total}`, x, top);
    const chart = barChart(series.counts, { x, y: top + 12, width, height: CHART_HEIGHT });
    const { doc } = page;
    for (const bar of chart.bars)
      if (bar.height > 0) doc.rect(bar.x, bar.y, bar.width, bar.height).fill(chartColour(i));
    doc
      .moveTo(x, chart.baseline)
      .lineTo(x + width, chart.baseline)
      .lineWidth(0.6)
      .strokeColor(MUTED)
      .stroke();
    page.use('regular', 7);
    page.text(`max ${chart.max}/day`, x + width - page.width(`max ${chart.max}/day`), top + 1, MUTED);
    if (first !== undefined && last !== undefined) {
      const from = new Date(first).toISOString().slice(5, 10);
      const to = new Date(last).toISOString().slice(5, 10);
      page.text(from, x, chart.baseline + 3, MUTED);
      page.text(to, x + width - page.width(to), chart.baseline + 3, MUTED);
    }
    if (column === 1 || i === report.signalsByHazard.length - 1) page.y = top + rowHeight;
  });
}

function drawFooters(page: Page, report: SituationReport): void {
  const { doc } = page;
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    page.use('regular', 7.5);
    page.text(
      `EW4E situation report · ${report.organisation} · issued ${utcMinute(report.issuedMs)}`,
      MARGIN,
      FOOTER_TOP,
      MUTED,
    );
    const number = `Page ${i - range.start + 1} of ${range.count}`;
    page.text(number, MARGIN + CONTENT_WIDTH - page.width(number), FOOTER_TOP, MUTED);
  }
}

/** Every text the report prints, to choose fonts that cover them all. */
function allTexts(report: SituationReport): string[] {
  return [
    report.title,
    report.organisation,
    report.areaName ?? '',
    ...report.warnings.flatMap((w) => [w.headline, w.areaDesc, w.severity]),
    ...report.incidents.flatMap((i) => [i.title, ...i.openTasks.flatMap((t) => [t.title, t.assignee ?? ''])]),
    ...report.signalsByHazard.map((s) => s.hazard),
  ];
}

/**
 * The fonts, and what to do with characters none has: Helvetica when WinAnsi covers every text, else a
 * system font that does, else Helvetica with "?" for what it cannot draw (never an empty box).
 */
function chooseFonts(report: SituationReport, fonts: readonly SystemFont[]) {
  const pair = fontsFor(allTexts(report), fonts);
  if (pair !== null) return { pair, drawable: (text: string) => text };
  const drawable = (text: string): string => {
    let out = '';
    for (const char of text) {
      const code = char.codePointAt(0) ?? 0;
      out += drawnCodePoints([char]).size === 0 || coveredBy(HELVETICA, fonts, code) ? char : '?';
    }
    return out;
  };
  return { pair: HELVETICA, drawable };
}

/** The report as PDF bytes. */
export async function situationPdf(
  report: SituationReport,
  options: SituationPdfOptions = {},
): Promise<Buffer> {
  const { pair, drawable } = chooseFonts(report, options.fonts ?? []);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    compress: options.compress ?? true,
    bufferPages: true,
    lang: 'en',
    displayTitle: true,
    info: {
      Title: `${report.title} — ${report.organisation}`,
      Author: report.organisation,
      Subject: report.areaName ?? 'All areas',
      CreationDate: new Date(report.issuedMs),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const page = new Page(doc, pair, drawable);
  drawBand(page, report);
  drawMap(page, report);
  drawWarnings(page, report);
  drawIncidents(page, report);
  drawCharts(page, report);
  drawFooters(page, report);
  doc.end();
  return done;
}
