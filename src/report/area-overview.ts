/**
 * @module The overview of countries and cities: which standing warnings concern each area, the highest of them,
 * how many per hazard, and signals per day. Shared by GET /v1/overview and the situation report.
 */
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import Flatbush from 'flatbush';
import type { Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import type { CapSeverity } from '../warn/cap/cap-alert.ts';
import { severityRank } from '../warn/warning-policy.ts';

export type Box = readonly [minLon: number, minLat: number, maxLon: number, maxLat: number];

export interface AreaOfInterest {
  readonly id: number;
  readonly kind: string;
  readonly code: string;
  readonly name: string;
  /** ISO 3166-1 alpha-2 for a country, ISO 3166-2 for a city, when known. */
  readonly isoCode: string | null;
  readonly geometry: Geometry;
  readonly bbox: Box;
}

/** Where something is, as far as `concerns` needs to know. */
export interface Placed {
  /** Registered areas it was issued for. */
  readonly areaIds: readonly number[];
  readonly geocodes: readonly { readonly valueName: string; readonly value: string }[];
  readonly geometry: Polygon | MultiPolygon;
  /** A box holding the geometry. */
  readonly bbox: Box;
}

export interface StandingWarning extends Placed {
  readonly threadId: number;
  readonly identifier: string;
  readonly hazard: string;
  readonly severity: string;
  readonly urgency: string;
  readonly certainty: string;
  readonly headline: string | null;
  readonly areaDesc: string;
  readonly sentMs: number | null;
  readonly expiresMs: number;
}

const boxesOverlap = (a: Box, b: Box): boolean =>
  a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/**
 * Whether a warning concerns an area, cheapest test first: issued for the area itself; an ISO 3166 geocode
 * of the area (CAP `geocode`, which the warning stage sets from the countries and cities around the
 * station); else whether its polygon and the area's intersect, exactly, after a box pre-filter. A warning
 * that only touches an area's border counts for it.
 */
export function concerns(warning: Placed, area: AreaOfInterest): boolean {
  if (warning.areaIds.includes(area.id)) return true;
  if (area.isoCode !== null) {
    const valueName = area.kind === 'country' ? 'ISO3166-1' : 'ISO3166-2';
    if (warning.geocodes.some((g) => g.valueName === valueName && g.value === area.isoCode)) return true;
  }
  if (!boxesOverlap(warning.bbox, area.bbox)) return false;
  return shapeOf(area)?.intersects(warning.geometry, warning.bbox) ?? false;
}

type Rings = readonly (readonly Position[])[];

const polygonsOf = (g: Polygon | MultiPolygon): readonly Rings[] =>
  g.type === 'Polygon' ? [g.coordinates] : g.coordinates;

/** Sign of the turn a → b → c: positive counter-clockwise, 0 when collinear. */
function turn(a: Position, b: Position, c: Position): number {
  const v =
    ((b[0] ?? 0) - (a[0] ?? 0)) * ((c[1] ?? 0) - (a[1] ?? 0)) -
    ((b[1] ?? 0) - (a[1] ?? 0)) * ((c[0] ?? 0) - (a[0] ?? 0));
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** c lies on segment ab, given that the three are collinear. */
function within(a: Position, b: Position, c: Position): boolean {
  const [ax = 0, ay = 0] = a;
  const [bx = 0, by = 0] = b;
  const [cx = 0, cy = 0] = c;
  return Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
}

/** Closed segments ab and cd share a point: they cross, or one ends on the other (de Berg et al. 2008, §2.1). */
export function segmentsMeet(a: Position, b: Position, c: Position, d: Position): boolean {
  const d1 = turn(c, d, a);
  const d2 = turn(c, d, b);
  const d3 = turn(a, b, c);
  const d4 = turn(a, b, d);
  if (d1 !== d2 && d3 !== d4) return true;
  return (
    (d1 === 0 && within(c, d, a)) ||
    (d2 === 0 && within(c, d, b)) ||
    (d3 === 0 && within(a, b, c)) ||
    (d4 === 0 && within(a, b, d))
  );
}

/**
 * An area's polygon with its edges in a static R-tree (flatbush), built once per area: testing thousands of
 * warnings against a country's thousand edges then looks only at the edges near each warning. Two polygons
 * intersect when an edge of one meets an edge of the other, or else when one lies inside the other, which a
 * single vertex of each of its parts shows.
 */
class AreaShape {
  readonly #edges: [Position, Position][] = [];
  readonly #index: Flatbush | null;

  constructor(readonly geometry: Polygon | MultiPolygon) {
    for (const rings of polygonsOf(geometry)) {
      for (const ring of rings) {
        for (let i = 0; i + 1 < ring.length; i++) this.#edges.push([ring[i]!, ring[i + 1]!]);
      }
    }
    if (this.#edges.length === 0) {
      this.#index = null;
      return;
    }
    const index = new Flatbush(this.#edges.length);
    for (const [a, b] of this.#edges) {
      const [ax = 0, ay = 0] = a;
      const [bx = 0, by = 0] = b;
      index.add(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by));
    }
    index.finish();
    this.#index = index;
  }

  intersects(other: Polygon | MultiPolygon, box: Box): boolean {
    // A part of `other` inside the area (holes respected, the edge counting as inside).
    for (const rings of polygonsOf(other)) {
      const vertex = rings[0]?.[0];
      if (vertex !== undefined && booleanPointInPolygon(vertex, this.geometry)) return true;
    }
    if (this.#index === null) return false;
    const near = this.#index.search(box[0], box[1], box[2], box[3]);
    if (near.length === 0) return false;
    const otherEdges: [Position, Position][] = [];
    for (const rings of polygonsOf(other)) {
      for (const ring of rings)
        for (let i = 0; i + 1 < ring.length; i++) otherEdges.push([ring[i]!, ring[i + 1]!]);
    }
    for (const i of near) {
      const [a, b] = this.#edges[i]!;
      // A part of the area inside `other`: its vertices, hence its edges, lie in other's box.
      if (booleanPointInPolygon(a, other)) return true;
      for (const [c, d] of otherEdges) if (segmentsMeet(a, b, c, d)) return true;
    }
    return false;
  }
}

const shapes = new WeakMap<AreaOfInterest, AreaShape | null>();

function shapeOf(area: AreaOfInterest): AreaShape | null {
  let shape = shapes.get(area);
  if (shape === undefined) {
    const g = area.geometry;
    shape = g.type === 'Polygon' || g.type === 'MultiPolygon' ? new AreaShape(g) : null;
    shapes.set(area, shape);
  }
  return shape;
}

/** An unknown severity word ranks with CAP's Unknown. */
const rankOf = (severity: string): number => Math.max(severityRank(severity as CapSeverity), 0);

/** Most severe first; among equals the latest sent, then the newest thread. */
export function compareWarnings(a: StandingWarning, b: StandingWarning): number {
  return (
    rankOf(b.severity) - rankOf(a.severity) || (b.sentMs ?? 0) - (a.sentMs ?? 0) || b.threadId - a.threadId
  );
}

/** The warning `compareWarnings` puts first. */
export function highestOf<W extends StandingWarning>(warnings: readonly W[]): W | null {
  let best: W | null = null;
  for (const w of warnings) if (best === null || compareWarnings(w, best) < 0) best = w;
  return best;
}

export function countsByHazard(warnings: readonly StandingWarning[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const w of warnings) counts[w.hazard] = (counts[w.hazard] ?? 0) + 1;
  return counts;
}

export const DAY_MS = 86_400_000;
export const TREND_DAYS = 14;

/** The UTC day (days since 1970-01-01) of an instant. */
export const utcDayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** Counts per UTC day for the `days` days ending with today's, oldest first; days without any give 0. */
export function dailyCounts(
  rows: readonly { readonly day: number; readonly n: number }[],
  nowMs: number,
  days = TREND_DAYS,
): number[] {
  const first = utcDayOf(nowMs) - days + 1;
  const counts = new Array<number>(days).fill(0);
  for (const r of rows) {
    const i = r.day - first;
    if (i >= 0 && i < days) counts[i] = (counts[i] ?? 0) + r.n;
  }
  return counts;
}

export interface AreaOverview<W extends StandingWarning> {
  readonly area: AreaOfInterest;
  readonly warnings: readonly W[];
  readonly highest: W | null;
  readonly countsByHazard: Record<string, number>;
  /** Signals per UTC day, the last `TREND_DAYS` days, oldest first. */
  readonly trend: readonly number[];
}

export function areaOverviews<W extends StandingWarning>(
  areas: readonly AreaOfInterest[],
  warnings: readonly W[],
  signalDays: readonly { readonly area_id: number; readonly day: number; readonly n: number }[],
  nowMs: number,
): AreaOverview<W>[] {
  return areas.map((area) => {
    const own = warnings.filter((w) => concerns(w, area));
    return {
      area,
      warnings: own,
      highest: highestOf(own),
      countsByHazard: countsByHazard(own),
      trend: dailyCounts(
        signalDays.filter((r) => r.area_id === area.id),
        nowMs,
      ),
    };
  });
}
