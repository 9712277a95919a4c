/**
 * @module Land for clipping protected areas to land and sea, cut into small tiles: a site is clipped against the
 * few tiles under it instead of against a whole coastline of thousands of vertices. Each land polygon is tiled
 * the first time a site reaches it, so that building land for the world costs nothing up front.
 */
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon } from 'geojson';
import { overlay, type Region, regionOf } from './coverage-clipper.ts';

type Box = readonly [number, number, number, number];

interface LandPart {
  readonly region: Region;
  /** Filled on first use: the part cut in quadrants, each with its box. */
  tiles?: { readonly region: Region; readonly box: Box }[];
}

export interface Land {
  readonly parts: readonly LandPart[];
  /** Over the parts' extents, in grid units. */
  readonly index: Flatbush | null;
}

/** A tile is cut in four until it holds at most this many vertices. */
const MAX_TILE_VERTICES = 256;
const MAX_DEPTH = 14;

function vertexCount(region: Region): number {
  let n = 0;
  for (const ring of region) n += ring.length;
  return n;
}

function extent(region: Region): Box {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const ring of region)
    for (const p of ring) {
      if (p.X < minX) minX = p.X;
      if (p.Y < minY) minY = p.Y;
      if (p.X > maxX) maxX = p.X;
      if (p.Y > maxY) maxY = p.Y;
    }
  return [minX, minY, maxX, maxY];
}

function rectangle([minX, minY, maxX, maxY]: Box): Region {
  return [
    [
      { X: minX, Y: minY },
      { X: maxX, Y: minY },
      { X: maxX, Y: maxY },
      { X: minX, Y: maxY },
    ],
  ];
}

function tile(region: Region, box: Box, depth: number, out: { region: Region; box: Box }[]): void {
  if (region.length === 0) return;
  const [minX, minY, maxX, maxY] = box;
  if (vertexCount(region) <= MAX_TILE_VERTICES || depth >= MAX_DEPTH || maxX - minX < 2 || maxY - minY < 2) {
    out.push({ region, box });
    return;
  }
  // Split lines on whole grid units, so that neighbouring tiles share their edges exactly.
  const midX = Math.floor((minX + maxX) / 2);
  const midY = Math.floor((minY + maxY) / 2);
  const quadrants: Box[] = [
    [minX, minY, midX, midY],
    [midX, minY, maxX, midY],
    [minX, midY, midX, maxY],
    [midX, midY, maxX, maxY],
  ];
  for (const q of quadrants) tile(overlay('intersection', region, rectangle(q)), q, depth + 1, out);
}

/** Land from polygons (Natural Earth countries, or any land layer); overlaps between them count once. */
export function landOf(geometries: readonly (Polygon | MultiPolygon)[]): Land {
  const parts: LandPart[] = [];
  for (const g of geometries) {
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    for (const coordinates of polygons) {
      const region = regionOf({ type: 'Polygon', coordinates });
      if (region.length > 0) parts.push({ region });
    }
  }
  if (parts.length === 0) return { parts, index: null };
  const index = new Flatbush(parts.length);
  for (const part of parts) index.add(...extent(part.region));
  index.finish();
  return { parts, index };
}

/** The land under a box of grid units, as one region (read it with non-zero fill: tiles of neighbours may touch). */
export function landUnder(land: Land, box: Box): Region {
  if (land.index === null) return [];
  const [minX, minY, maxX, maxY] = box;
  const out: Region = [];
  for (const i of land.index.search(minX, minY, maxX, maxY)) {
    const part = land.parts[i]!;
    if (vertexCount(part.region) <= MAX_TILE_VERTICES) {
      out.push(...part.region);
      continue;
    }
    if (part.tiles === undefined) {
      part.tiles = [];
      tile(part.region, extent(part.region), 0, part.tiles);
    }
    for (const t of part.tiles) {
      if (t.box[0] <= maxX && t.box[2] >= minX && t.box[1] <= maxY && t.box[3] >= minY) out.push(...t.region);
    }
  }
  return out;
}
