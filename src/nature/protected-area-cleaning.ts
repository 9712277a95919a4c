/**
 * @module Cleans WDPA sites the way Protected Planet prepares its coverage statistics (Protected Planet Report 2020,
 * methodology): point-only sites become geodesic circles of their reported area, terrestrial parts are clipped to
 * land and marine parts to sea (coastal sites are split into both), and overlaps are dissolved so that nothing is
 * counted twice.
 */
import geographiclib from 'geographiclib-geodesic';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { cutAtAntimeridian } from '../geo/antimeridian.ts';
import {
  geodesicAreaKm2,
  multiPolygonOf,
  overlay,
  type Region,
  regionBBox,
  regionOf,
  SCALE,
} from './coverage-clipper.ts';
import { type Land, landUnder } from './protected-area-land.ts';
import type { ExcludedSite, WdpaSite } from './wdpa-record.ts';

export const CIRCLE_VERTICES = 64;

const WGS84 = geographiclib.Geodesic.WGS84;

/**
 * A geodesic circle on WGS 84 whose radius is sqrt(area / π), as Protected Planet buffers point-only sites.
 * Its 64 vertices lie on the circle, so the polygon holds 0.16 % less than the reported area
 * ((n / 2π) · sin(2π / n) for n = 64); the method, not the polygon, is what the WDPA names.
 */
export function geodesicCircle(
  lon: number,
  lat: number,
  areaKm2: number,
  vertices = CIRCLE_VERTICES,
): Polygon | MultiPolygon {
  const radiusM = Math.sqrt((areaKm2 * 1e6) / Math.PI);
  const ring: Position[] = [];
  // Azimuths are clockwise from north; walking them backwards winds the ring counter-clockwise (RFC 7946 §3.1.6).
  for (let k = 0; k < vertices; k++) {
    const azimuth = 360 - (k * 360) / vertices;
    const end = WGS84.Direct(lat, lon, azimuth % 360, radiusM);
    ring.push([end.lon2!, Math.max(-90, Math.min(90, end.lat2!))]);
  }
  ring.push(ring[0]!);
  return cutAtAntimeridian({ type: 'Polygon', coordinates: [ring] });
}

export interface CleanSite extends Omit<WdpaSite, 'geometry'> {
  readonly pointOnly: boolean;
  /** The part on land (MARINE 0 and 1), or null. */
  readonly onLand: MultiPolygon | null;
  /** The part at sea (MARINE 1 and 2), or null. */
  readonly atSea: MultiPolygon | null;
  readonly onLandKm2: number;
  readonly atSeaKm2: number;
  /** Both parts together: what is stored and drawn. */
  readonly geometry: MultiPolygon;
  readonly bbox: [number, number, number, number];
}

/** The site's polygons before clipping: its own, or circles around its points sharing the reported area. */
function footprint(site: WdpaSite): Region {
  const g = site.geometry;
  switch (g.type) {
    case 'Polygon':
    case 'MultiPolygon':
      return regionOf(cutAtAntimeridian(g));
    case 'Point':
      return regionOf(geodesicCircle(g.coordinates[0]!, g.coordinates[1]!, site.repArea ?? 0));
    case 'MultiPoint': {
      // The WDPA reports one area for all the points of a site: each point gets its share.
      const share = (site.repArea ?? 0) / g.coordinates.length;
      return g.coordinates.flatMap((p) => regionOf(geodesicCircle(p[0]!, p[1]!, share)));
    }
    default: {
      const unreachable: never = g;
      throw new Error(`unhandled geometry ${JSON.stringify(unreachable)}`);
    }
  }
}

function gridBox(region: Region): [number, number, number, number] {
  const box = regionBBox(region)!;
  return [
    Math.round(box[0] * SCALE),
    Math.round(box[1] * SCALE),
    Math.round(box[2] * SCALE),
    Math.round(box[3] * SCALE),
  ];
}

/** One site cleaned, or the reason it has nothing left to count. */
export function cleanSite(site: WdpaSite, land: Land): CleanSite | ExcludedSite {
  const whole = footprint(site);
  if (whole.length === 0) return { row: site.row, wdpaId: site.wdpaId, reason: 'the geometry has no area' };
  const landHere = landUnder(land, gridBox(whole));
  const strict = { strictlySimple: true };
  const landPart = site.marine === 2 ? [] : overlay('intersection', whole, landHere, strict);
  const seaPart = site.marine === 0 ? [] : overlay('difference', whole, landHere, strict);
  const onLand = multiPolygonOf(landPart, strict);
  const atSea = multiPolygonOf(seaPart, strict);
  if (onLand === null && atSea === null) {
    return {
      row: site.row,
      wdpaId: site.wdpaId,
      reason:
        site.marine === 0
          ? 'nothing of this terrestrial site (MARINE 0) lies on land'
          : 'nothing of this marine site (MARINE 2) lies at sea',
    };
  }
  const geometry: MultiPolygon = {
    type: 'MultiPolygon',
    coordinates: [...(onLand?.coordinates ?? []), ...(atSea?.coordinates ?? [])],
  };
  const { geometry: _input, ...attributes } = site;
  return {
    ...attributes,
    pointOnly: site.geometry.type === 'Point' || site.geometry.type === 'MultiPoint',
    onLand,
    atSea,
    onLandKm2: geodesicAreaKm2(landPart),
    atSeaKm2: geodesicAreaKm2(seaPart),
    geometry,
    bbox: regionBBox([...landPart, ...seaPart])!,
  };
}

export function cleanSites(
  sites: readonly WdpaSite[],
  land: Land,
): { cleaned: CleanSite[]; excluded: ExcludedSite[] } {
  const cleaned: CleanSite[] = [];
  const excluded: ExcludedSite[] = [];
  for (const site of sites) {
    const result = cleanSite(site, land);
    if ('reason' in result) excluded.push(result);
    else cleaned.push(result);
  }
  return { cleaned, excluded };
}

/** A cleaned site's land and sea parts. */
export interface SiteParts {
  readonly onLand: MultiPolygon | null;
  readonly atSea: MultiPolygon | null;
}

export interface Dissolved {
  readonly onLand: MultiPolygon | null;
  readonly atSea: MultiPolygon | null;
  readonly onLandKm2: number;
  readonly atSeaKm2: number;
}

/** The union of the sites' parts, land and sea apart: overlapping sites count once. */
export function dissolveSites(sites: readonly SiteParts[]): Dissolved {
  const landPart = overlay(
    'union',
    sites.flatMap((s) => (s.onLand ? regionOf(s.onLand) : [])),
  );
  const seaPart = overlay(
    'union',
    sites.flatMap((s) => (s.atSea ? regionOf(s.atSea) : [])),
  );
  return {
    onLand: multiPolygonOf(landPart),
    atSea: multiPolygonOf(seaPart),
    onLandKm2: geodesicAreaKm2(landPart),
    atSeaKm2: geodesicAreaKm2(seaPart),
  };
}
