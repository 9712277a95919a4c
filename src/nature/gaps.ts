/**
 * @module Gaps in protection against a priority layer (Key Biodiversity Areas, ecoregions, any polygons): the share
 * of each priority feature that protected areas cover, what is left uncovered (largest first), and what designating
 * a proposed area would change, for each feature and for the country's terrestrial coverage.
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { cutAtAntimeridian } from '../geo/antimeridian.ts';
import { validateGeometry } from '../geo/geojson-validation.ts';
import type { RowProblem } from '../ingest/row-problem.ts';
import { TARGET_PCT } from './coverage.ts';
import { geodesicAreaKm2, multiPolygonOf, overlay, regionBBox, regionOf, SCALE } from './coverage-clipper.ts';
import type { SiteParts } from './protected-area-cleaning.ts';
import { type Land, landUnder } from './protected-area-land.ts';

export interface PriorityFeature {
  readonly index: number;
  readonly id: string | number | null;
  readonly name: string | null;
  readonly geometry: Polygon | MultiPolygon;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A priority layer: a FeatureCollection of Polygon or MultiPolygon features; problems are named below `pointer`. */
export function readPriorityLayer(
  value: unknown,
  pointer: string,
): { features: PriorityFeature[]; problems: RowProblem[] } {
  const features: PriorityFeature[] = [];
  const problems: RowProblem[] = [];
  if (!isObject(value) || value.type !== 'FeatureCollection' || !Array.isArray(value.features)) {
    problems.push({
      row: -1,
      pointer,
      reason: 'the priority layer must be a GeoJSON FeatureCollection (RFC 7946 §3.3)',
    });
    return { features, problems };
  }
  if (value.features.length === 0)
    problems.push({ row: -1, pointer: `${pointer}/features`, reason: 'the priority layer has no features' });
  value.features.forEach((feature: unknown, index: number) => {
    const at = `${pointer}/features/${index}`;
    if (!isObject(feature) || feature.type !== 'Feature') {
      problems.push({ row: index, pointer: at, reason: 'expected a GeoJSON Feature object' });
      return;
    }
    const geometry = polygonal(feature.geometry, index, `${at}/geometry`, problems);
    if (geometry === undefined) return;
    const properties = isObject(feature.properties) ? feature.properties : {};
    const name = properties.name ?? properties.NAME ?? properties.NatName ?? null;
    const id = typeof feature.id === 'string' || typeof feature.id === 'number' ? feature.id : null;
    features.push({ index, id, name: name === null ? null : String(name), geometry });
  });
  return { features, problems };
}

/** A Polygon or MultiPolygon (RFC 7946), cut at the antimeridian; otherwise problems at `pointer`. */
export function polygonal(
  value: unknown,
  row: number,
  pointer: string,
  problems: RowProblem[],
): Polygon | MultiPolygon | undefined {
  const checked = validateGeometry(value, { row, pointer });
  if ('problems' in checked) {
    problems.push(...checked.problems);
    return undefined;
  }
  if (checked.geometry.type !== 'Polygon' && checked.geometry.type !== 'MultiPolygon') {
    problems.push({
      row,
      pointer: `${pointer}/type`,
      field: 'geometry',
      reason: `expected a Polygon or MultiPolygon, got ${checked.geometry.type}`,
    });
    return undefined;
  }
  return cutAtAntimeridian(checked.geometry);
}

export interface GapInput {
  readonly country: {
    readonly code: string;
    readonly name: string;
    readonly geometry: Polygon | MultiPolygon;
  };
  /** Cleaned protected areas: their land and sea parts. */
  readonly sites: readonly SiteParts[];
  readonly priority: readonly PriorityFeature[];
  readonly proposed?: Polygon | MultiPolygon | undefined;
  readonly land: Land;
}

export interface FeatureGap {
  readonly rank: number;
  readonly index: number;
  readonly id: string | number | null;
  readonly name: string | null;
  readonly area_km2: number;
  readonly covered_km2: number;
  readonly covered_pct: number;
  readonly uncovered_km2: number;
  readonly if_designated: {
    readonly covered_km2: number;
    readonly covered_pct: number;
    readonly gain_km2: number;
  } | null;
}

export interface GapReport {
  readonly country: { readonly code: string; readonly name: string };
  readonly protected_sites: number;
  readonly totals: {
    readonly area_km2: number;
    readonly covered_km2: number;
    readonly covered_pct: number;
    readonly uncovered_km2: number;
  };
  /** Largest uncovered area first. */
  readonly gaps: FeatureGap[];
  /** The uncovered part of each feature, for a map, in the order of `gaps`. */
  readonly gap_map: FeatureCollection<
    MultiPolygon,
    { rank: number; index: number; name: string | null; uncovered_km2: number }
  >;
  readonly what_if: {
    readonly proposed_km2: number;
    readonly proposed_land_km2: number;
    readonly proposed_sea_km2: number;
    readonly country: {
      readonly terrestrial_pct: number;
      readonly terrestrial_pct_if_designated: number;
      readonly gain_pp: number;
      readonly gap_pct_if_designated: number;
    };
    readonly priority: {
      readonly covered_pct: number;
      readonly covered_pct_if_designated: number;
      readonly gain_km2: number;
    };
  } | null;
}

function pct(part: number, whole: number): number {
  return whole > 0 ? (100 * part) / whole : 0;
}

export function priorityGaps(input: GapInput): GapReport {
  const protectedRegion = overlay(
    'union',
    input.sites.flatMap((s) => [
      ...(s.onLand ? regionOf(s.onLand) : []),
      ...(s.atSea ? regionOf(s.atSea) : []),
    ]),
  );
  const proposed = input.proposed ? overlay('union', regionOf(input.proposed)) : null;
  const withProposed = proposed ? overlay('union', protectedRegion, proposed) : null;

  const measured = input.priority.map((feature) => {
    const region = overlay('union', regionOf(feature.geometry));
    const areaKm2 = geodesicAreaKm2(region);
    const coveredKm2 = geodesicAreaKm2(overlay('intersection', region, protectedRegion));
    const ifKm2 = withProposed ? geodesicAreaKm2(overlay('intersection', region, withProposed)) : null;
    return {
      feature,
      areaKm2,
      coveredKm2,
      ifKm2,
      uncovered: multiPolygonOf(overlay('difference', region, protectedRegion)),
    };
  });
  measured.sort(
    (a, b) => b.areaKm2 - b.coveredKm2 - (a.areaKm2 - a.coveredKm2) || a.feature.index - b.feature.index,
  );
  const gaps: FeatureGap[] = measured.map((m, i) => ({
    rank: i + 1,
    index: m.feature.index,
    id: m.feature.id,
    name: m.feature.name,
    area_km2: m.areaKm2,
    covered_km2: m.coveredKm2,
    covered_pct: pct(m.coveredKm2, m.areaKm2),
    uncovered_km2: Math.max(0, m.areaKm2 - m.coveredKm2),
    if_designated:
      m.ifKm2 === null
        ? null
        : { covered_km2: m.ifKm2, covered_pct: pct(m.ifKm2, m.areaKm2), gain_km2: m.ifKm2 - m.coveredKm2 },
  }));
  const gapFeatures: Feature<
    MultiPolygon,
    { rank: number; index: number; name: string | null; uncovered_km2: number }
  >[] = [];
  measured.forEach((m, i) => {
    if (m.uncovered === null) return;
    gapFeatures.push({
      type: 'Feature',
      geometry: m.uncovered,
      properties: {
        rank: i + 1,
        index: m.feature.index,
        name: m.feature.name,
        uncovered_km2: gaps[i]!.uncovered_km2,
      },
    });
  });

  const areaKm2 = gaps.reduce((n, g) => n + g.area_km2, 0);
  const coveredKm2 = gaps.reduce((n, g) => n + g.covered_km2, 0);

  let whatIf: GapReport['what_if'] = null;
  if (proposed && withProposed) {
    const box = regionBBox(proposed)!.map((d) => Math.round(d * SCALE)) as [number, number, number, number];
    const landHere = landUnder(input.land, box);
    const proposedLand = overlay('intersection', proposed, landHere);
    const proposedSea = overlay('difference', proposed, landHere);
    const country = overlay('union', regionOf(input.country.geometry));
    const countryKm2 = geodesicAreaKm2(country);
    const terrestrial = overlay(
      'union',
      input.sites.flatMap((s) => (s.onLand ? regionOf(s.onLand) : [])),
    );
    const now = pct(geodesicAreaKm2(overlay('intersection', terrestrial, country)), countryKm2);
    const then = pct(
      geodesicAreaKm2(overlay('intersection', overlay('union', terrestrial, proposedLand), country)),
      countryKm2,
    );
    const ifKm2 = gaps.reduce((n, g) => n + (g.if_designated?.covered_km2 ?? 0), 0);
    whatIf = {
      proposed_km2: geodesicAreaKm2(proposed),
      proposed_land_km2: geodesicAreaKm2(proposedLand),
      proposed_sea_km2: geodesicAreaKm2(proposedSea),
      country: {
        terrestrial_pct: now,
        terrestrial_pct_if_designated: then,
        gain_pp: then - now,
        gap_pct_if_designated: Math.max(0, TARGET_PCT - then),
      },
      priority: {
        covered_pct: pct(coveredKm2, areaKm2),
        covered_pct_if_designated: pct(ifKm2, areaKm2),
        gain_km2: ifKm2 - coveredKm2,
      },
    };
  }

  return {
    country: { code: input.country.code, name: input.country.name },
    protected_sites: input.sites.length,
    totals: {
      area_km2: areaKm2,
      covered_km2: coveredKm2,
      covered_pct: pct(coveredKm2, areaKm2),
      uncovered_km2: areaKm2 - coveredKm2,
    },
    gaps,
    gap_map: { type: 'FeatureCollection', features: gapFeatures },
    what_if: whatIf,
  };
}
