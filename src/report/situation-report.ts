/**
 * @module The situation report "for the minister's desk", as data: what stands now, who is doing what about
 * it, whether people were told, and how the signals have run over two weeks. Rendered by situation-pdf.ts and
 * situation-html.ts; read from the database by store/report.repository.ts.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { hazardOfVariable } from '../warn/hazards.ts';
import {
  type AreaOfInterest,
  compareWarnings,
  concerns,
  DAY_MS,
  dailyCounts,
  type Placed,
  type StandingWarning,
  TREND_DAYS,
  utcDayOf,
} from './area-overview.ts';

export interface DeliveryCounts {
  readonly delivered: number;
  readonly pending: number;
  /** Failed for good: given up on, or dead after every retry. */
  readonly failed: number;
}

export interface ReportWarning {
  readonly threadId: number;
  readonly headline: string;
  readonly severity: string;
  readonly hazard: string;
  readonly areaDesc: string;
  readonly sentMs: number | null;
  readonly expiresMs: number;
  readonly deliveries: DeliveryCounts;
  readonly geometry: Polygon | MultiPolygon;
  /** ISO 3166-1 codes of the countries it concerns (drawn darker on the map). */
  readonly countries: readonly string[];
}

export interface ReportTask {
  readonly title: string;
  readonly status: string;
  readonly assignee: string | null;
  readonly dueMs: number | null;
}

export interface ReportIncident {
  readonly id: number;
  readonly title: string;
  readonly status: string;
  readonly severity: string | null;
  readonly openTasks: readonly ReportTask[];
}

export interface HazardSeries {
  readonly hazard: string;
  /** Signals per UTC day, oldest first, one per `SituationReport.days`. */
  readonly counts: readonly number[];
}

export interface SituationReport {
  readonly title: string;
  readonly organisation: string;
  /** The area the report was asked for; null for everything the caller sees. */
  readonly areaName: string | null;
  readonly issuedMs: number;
  /** Most severe first, then the latest sent. */
  readonly warnings: readonly ReportWarning[];
  /** What the map shows around the warnings (the area asked for, or the organisation's country). */
  readonly focus: Polygon | MultiPolygon | null;
  readonly incidents: readonly ReportIncident[];
  /** Start (ms) of each UTC day of the charts, oldest first. */
  readonly days: readonly number[];
  readonly signalsByHazard: readonly HazardSeries[];
}

export interface IncidentInput {
  readonly id: number;
  readonly title: string;
  readonly status: string;
  readonly severity: string | null;
  /** The thread it responds to, placed; null for an incident opened by hand. */
  readonly thread: Placed | null;
  readonly tasks: readonly ReportTask[];
}

export interface SignalDayInput {
  readonly day: number;
  /** The hazard of the thread the signal joined, if any. */
  readonly threadHazard: string | null;
  readonly variable: string | null;
  readonly n: number;
}

export interface SituationInput {
  readonly organisation: string;
  readonly area: AreaOfInterest | null;
  readonly focus: Polygon | MultiPolygon | null;
  readonly warnings: readonly StandingWarning[];
  readonly deliveries: ReadonlyMap<number, DeliveryCounts>;
  readonly incidents: readonly IncidentInput[];
  /** Signals per UTC day (days since 1970-01-01), already limited to the area when there is one. */
  readonly signals: readonly SignalDayInput[];
  readonly nowMs: number;
}

const NO_DELIVERIES: DeliveryCounts = { delivered: 0, pending: 0, failed: 0 };
const OPEN_TASK = new Set(['todo', 'doing']);

/** A signal's hazard: its thread's, else its variable's (hazards.ts), else "other". */
export function hazardOfSignal(threadHazard: string | null, variable: string | null): string {
  return threadHazard ?? (variable === null ? undefined : hazardOfVariable(variable)?.code) ?? 'other';
}

/** The warnings that concern the area (area-overview.ts), or all of them without one. */
export function warningsConcerning<W extends StandingWarning>(
  area: AreaOfInterest | null,
  warnings: readonly W[],
): W[] {
  return area === null ? [...warnings] : warnings.filter((w) => concerns(w, area));
}

/** The table lists this many warnings at most, the most severe; the map shows them all. */
export const TABLE_ROWS = 100;

export function situationReport(input: SituationInput): SituationReport {
  const area = input.area;
  const sorted = warningsConcerning(area, input.warnings).sort(compareWarnings);
  const incidents = input.incidents
    .filter((i) => area === null || (i.thread !== null && concerns(i.thread, area)))
    .map((i) => ({
      id: i.id,
      title: i.title,
      status: i.status,
      severity: i.severity,
      openTasks: i.tasks
        .filter((t) => OPEN_TASK.has(t.status))
        .sort((a, b) => (a.dueMs ?? Number.POSITIVE_INFINITY) - (b.dueMs ?? Number.POSITIVE_INFINITY)),
    }));
  const byHazard = new Map<string, { day: number; n: number }[]>();
  for (const s of input.signals) {
    const hazard = hazardOfSignal(s.threadHazard, s.variable);
    const list = byHazard.get(hazard) ?? [];
    list.push({ day: s.day, n: s.n });
    byHazard.set(hazard, list);
  }
  const firstDay = utcDayOf(input.nowMs) - TREND_DAYS + 1;
  const signalsByHazard = [...byHazard]
    .map(([hazard, rows]) => ({ hazard, counts: dailyCounts(rows, input.nowMs) }))
    .filter((s) => s.counts.some((n) => n > 0))
    .sort((a, b) => sum(b.counts) - sum(a.counts) || a.hazard.localeCompare(b.hazard));
  return {
    title: 'Situation report',
    organisation: input.organisation,
    areaName: area?.name ?? null,
    issuedMs: input.nowMs,
    warnings: sorted.map((w) => ({
      threadId: w.threadId,
      headline: w.headline ?? `${w.severity} ${w.hazard.replaceAll('_', ' ')} warning`,
      severity: w.severity,
      hazard: w.hazard,
      areaDesc: w.areaDesc,
      sentMs: w.sentMs,
      expiresMs: w.expiresMs,
      deliveries: input.deliveries.get(w.threadId) ?? NO_DELIVERIES,
      geometry: w.geometry,
      countries: w.geocodes.filter((g) => g.valueName === 'ISO3166-1').map((g) => g.value),
    })),
    focus: input.focus,
    incidents,
    days: Array.from({ length: TREND_DAYS }, (_, i) => (firstDay + i) * DAY_MS),
    signalsByHazard,
  };
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** ISO 8601 UTC to the minute (2024-01-01T02:00Z): seconds mean nothing on a minister's desk. */
export function utcMinute(ms: number | null): string {
  return ms === null ? '—' : `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

/** A hazard code in words: air_pollution → Air pollution. */
export function hazardLabel(code: string): string {
  const words = code.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
