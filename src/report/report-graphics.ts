/**
 * @module The situation report's pictures as geometry on the page, for any vector back end (pdfkit, SVG): the
 * map of standing warnings coloured by severity over Natural Earth, and small bar charts of signals per day.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';
import {
  type MapDrawing,
  mapDrawing,
  type PageBox,
  polygonsOf,
  project,
} from '../notify/media/bulletin-map.ts';
import type { CapSeverity } from '../warn/cap/cap-alert.ts';
import { severityRank } from '../warn/warning-policy.ts';

export type { PageBox };

export interface WarningShape {
  readonly severity: string;
  readonly rings: readonly (readonly [number, number][])[];
}

export interface WarningsMap {
  /** The view and the countries in it; its own `area` is the union of everything shown, not drawn. */
  readonly drawing: MapDrawing;
  /** Least severe first, so the most severe is drawn on top. */
  readonly warnings: readonly WarningShape[];
}

/** Points closer than this on paper are one point (as on the printed bulletin). */
const MIN_STEP_POINTS = 0.4;

function westOf(ring: readonly Position[]): number {
  let west = Number.POSITIVE_INFINITY;
  for (const [lon = 0] of ring) west = Math.min(west, lon);
  return west;
}

/** The shift by whole turns that brings a longitude into [west, west + 360). */
function turnShift(lon: number, west: number): number {
  let shift = 0;
  while (lon + shift < west - 1e-9) shift += 360;
  while (lon + shift >= west + 360 - 1e-9) shift -= 360;
  return shift;
}

function projectRing(drawing: MapDrawing, ring: readonly Position[], shift: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [lon = 0, lat = 0] of ring) {
    const point = project(drawing.view, lon + shift, lat);
    const last = out.at(-1);
    if (last === undefined || Math.abs(point[0] - last[0]) + Math.abs(point[1] - last[1]) >= MIN_STEP_POINTS)
      out.push(point);
  }
  return out;
}

/**
 * The warnings (and the focus area, so that the reader sees where they lie in it) on one equirectangular
 * map fitted to `box` (bulletin-map.ts); null when there is nothing to show.
 */
export function warningsMap(
  warnings: readonly {
    readonly geometry: Polygon | MultiPolygon;
    readonly severity: string;
    readonly countries: readonly string[];
  }[],
  focus: Polygon | MultiPolygon | null,
  box: PageBox,
): WarningsMap | null {
  const all = [...warnings.map((w) => w.geometry), ...(focus === null ? [] : [focus])];
  if (all.length === 0) return null;
  const union: MultiPolygon = {
    type: 'MultiPolygon',
    coordinates: all.flatMap(polygonsOf) as Position[][][],
  };
  const drawing = mapDrawing(
    union,
    warnings.flatMap((w) => w.countries),
    box,
  );
  const rank = (s: string) => severityRank(s as CapSeverity);
  const shapes = [...warnings]
    .sort((a, b) => rank(a.severity) - rank(b.severity))
    .map((w) => ({
      severity: w.severity,
      rings: polygonsOf(w.geometry).flatMap((rings) => {
        // Each polygon is shifted as a whole, so a ring never jumps across the map.
        const west = westOf(rings[0] ?? []);
        const shift = turnShift(west, drawing.view.west);
        return rings.map((ring) => projectRing(drawing, ring, shift));
      }),
    }));
  return { drawing, warnings: shapes };
}

export interface Bar {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly value: number;
}

export interface BarChart {
  readonly box: PageBox;
  readonly bars: readonly Bar[];
  /** The value a full-height bar stands for: the largest count, at least 1. */
  readonly max: number;
  /** y of the axis the bars stand on. */
  readonly baseline: number;
}

/** One bar per value across the box, heights scaled to the largest; a gap of a fifth of a slot between bars. */
export function barChart(values: readonly number[], box: PageBox): BarChart {
  const max = Math.max(1, ...values);
  const slot = box.width / Math.max(1, values.length);
  const width = slot * 0.8;
  const baseline = box.y + box.height;
  return {
    box,
    max,
    baseline,
    bars: values.map((value, i) => {
      const height = (value / max) * box.height;
      return { x: box.x + i * slot + (slot - width) / 2, y: baseline - height, width, height, value };
    }),
  };
}

/** A colour per hazard chart, in order: distinct in print and for the common colour-vision deficiencies (Okabe & Ito 2008). */
export const CHART_COLOURS = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#f0e442',
  '#000000',
];

export function chartColour(index: number): string {
  return CHART_COLOURS[index % CHART_COLOURS.length] ?? '#000000';
}
