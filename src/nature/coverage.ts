/**
 * @module Protected-area coverage of a country (Kunming-Montreal Global Biodiversity Framework, target 3: 30 % of
 * land and of sea by 2030): terrestrial and marine coverage, its history by STATUS_YR, and the yearly rate still
 * needed. Areas are geodesic on WGS 84; overlaps are dissolved with a Clipper union before anything is measured.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { geodesicAreaKm2, overlay, type Region, regionOf } from './coverage-clipper.ts';

export const TARGET_PCT = 30;
export const TARGET_YEAR = 2030;

export const COVERAGE_METHOD =
  'Cleaned WDPA-style sites (Designated, Inscribed, Established; no UNESCO-MAB Biosphere Reserves; point sites as ' +
  'geodesic circles of their reported area; terrestrial parts clipped to land, marine parts to sea), dissolved with a ' +
  'Clipper union in longitude/latitude on a 1e-7° grid and intersected with the country (Natural Earth 1:50m), as ' +
  'PostGIS ST_Union(ST_Intersection(…)) does on geometry; areas are geodesic on the WGS 84 ellipsoid (GeographicLib), ' +
  'as PostGIS ST_Area(…::geography). Sites with STATUS_YR 0 (unknown) count today but not in the series.';

export interface CoverageSite {
  /** 0 when unknown. */
  readonly statusYr: number;
  readonly iso3: string | null;
  readonly onLand: MultiPolygon | null;
  readonly atSea: MultiPolygon | null;
}

export interface CoverageInput {
  readonly country: {
    readonly code: string;
    readonly isoAlpha3: string | null;
    readonly name: string;
    readonly geometry: Polygon | MultiPolygon;
  };
  readonly sites: readonly CoverageSite[];
  /** The sea the marine share is measured against (an EEZ); without one only the protected km² is known. */
  readonly marineDenominator?:
    | { readonly name: string; readonly geometry: Polygon | MultiPolygon }
    | undefined;
  readonly thisYear: number;
}

export interface CoveragePoint {
  readonly year: number;
  readonly terrestrial_km2: number;
  readonly terrestrial_pct: number;
  readonly marine_km2: number;
  readonly marine_pct: number | null;
}

export interface TargetProgress {
  readonly pct: number;
  readonly year: number;
  /** Percentage points still missing on land (0 once reached). */
  readonly gap_pct: number;
  /** Percentage points per year from now to 2030 that close the gap on land. */
  readonly needed_pp_per_year: number;
  readonly marine_gap_pct: number | null;
  readonly marine_needed_pp_per_year: number | null;
  /** The pace of the last ten years of the series (land), for comparison. */
  readonly recent_pp_per_year: number | null;
  readonly years_left: number;
}

export interface CountryCoverage {
  readonly country: { readonly code: string; readonly iso3: string | null; readonly name: string };
  readonly sites: number;
  readonly sites_without_year: number;
  readonly terrestrial: { readonly land_km2: number; readonly protected_km2: number; readonly pct: number };
  readonly marine: {
    readonly denominator: string | null;
    readonly denominator_km2: number | null;
    readonly protected_km2: number;
    readonly pct: number | null;
    readonly note: string;
  };
  readonly series: CoveragePoint[];
  readonly target: TargetProgress;
  readonly method: string;
}

/** km² of `sites` ∩ `within`, overlaps counted once: ST_Area(ST_Union(ST_Intersection(site, within))::geography). */
export function coveredKm2(sites: Region, within: Region): number {
  return geodesicAreaKm2(overlay('intersection', sites, within));
}

function pct(part: number, whole: number): number {
  return whole > 0 ? (100 * part) / whole : 0;
}

function sharesIso3(iso3: string | null, code: string | null): boolean {
  return code !== null && (iso3?.split(';').includes(code) ?? false);
}

/** Percentage points per year that close the gap to 30 % by 2030; at least one year is left to act in. */
function needed(current: number, thisYear: number): { gap: number; perYear: number } {
  const gap = Math.max(0, TARGET_PCT - current);
  return { gap, perYear: gap / Math.max(1, TARGET_YEAR - thisYear) };
}

export function countryCoverage(input: CoverageInput): CountryCoverage {
  const { country, sites, marineDenominator, thisYear } = input;
  const land = overlay('union', regionOf(country.geometry));
  const landKm2 = geodesicAreaKm2(land);
  const sea = marineDenominator ? overlay('union', regionOf(marineDenominator.geometry)) : null;
  const seaKm2 = sea ? geodesicAreaKm2(sea) : null;
  // Without a sea of its own the country's marine sites are those that name it in ISO3.
  const marineSites = new Set(sea ? sites : sites.filter((s) => sharesIso3(s.iso3, country.isoAlpha3)));

  const terrestrialOf = (group: readonly CoverageSite[]) =>
    overlay(
      'intersection',
      group.flatMap((s) => (s.onLand ? regionOf(s.onLand) : [])),
      land,
    );
  const marineOf = (group: readonly CoverageSite[]) => {
    const parts = group.filter((s) => marineSites.has(s)).flatMap((s) => (s.atSea ? regionOf(s.atSea) : []));
    return sea ? overlay('intersection', parts, sea) : overlay('union', parts);
  };

  // The series grows one year at a time: each year's new sites are clipped, then joined to what stood before.
  const years = [...new Set(sites.map((s) => s.statusYr).filter((y) => y > 0))].sort((a, b) => a - b);
  const series: CoveragePoint[] = [];
  let onLand: Region = [];
  let atSea: Region = [];
  for (const year of years) {
    const added = sites.filter((s) => s.statusYr === year);
    onLand = overlay('union', onLand, terrestrialOf(added));
    atSea = overlay('union', atSea, marineOf(added));
    const terrestrialKm2 = geodesicAreaKm2(onLand);
    const marineKm2 = geodesicAreaKm2(atSea);
    series.push({
      year,
      terrestrial_km2: terrestrialKm2,
      terrestrial_pct: pct(terrestrialKm2, landKm2),
      marine_km2: marineKm2,
      marine_pct: seaKm2 === null ? null : pct(marineKm2, seaKm2),
    });
  }
  const undated = sites.filter((s) => s.statusYr <= 0);
  if (undated.length > 0) {
    onLand = overlay('union', onLand, terrestrialOf(undated));
    atSea = overlay('union', atSea, marineOf(undated));
  }
  const terrestrialKm2 = geodesicAreaKm2(onLand);
  const marineKm2 = geodesicAreaKm2(atSea);
  const terrestrialPct = pct(terrestrialKm2, landKm2);
  const marinePct = seaKm2 === null ? null : pct(marineKm2, seaKm2);

  const land10 = series.filter((p) => p.year <= thisYear - 10).at(-1);
  const last = series.at(-1);
  const recent = last === undefined ? null : (last.terrestrial_pct - (land10?.terrestrial_pct ?? 0)) / 10;
  const onLandNeeded = needed(terrestrialPct, thisYear);
  const atSeaNeeded = marinePct === null ? null : needed(marinePct, thisYear);

  return {
    country: { code: country.code, iso3: country.isoAlpha3, name: country.name },
    sites: sites.length,
    sites_without_year: undated.length,
    terrestrial: { land_km2: landKm2, protected_km2: terrestrialKm2, pct: terrestrialPct },
    marine: {
      denominator: marineDenominator?.name ?? null,
      denominator_km2: seaKm2,
      protected_km2: marineKm2,
      pct: marinePct,
      note:
        sea === null
          ? `marine coverage needs an EEZ layer (marine_area=<area id>); protected_km2 is the sea protected by sites with ISO3 ${country.isoAlpha3 ?? '?'}`
          : `marine coverage of ${marineDenominator!.name}`,
    },
    series,
    target: {
      pct: TARGET_PCT,
      year: TARGET_YEAR,
      gap_pct: onLandNeeded.gap,
      needed_pp_per_year: onLandNeeded.perYear,
      marine_gap_pct: atSeaNeeded?.gap ?? null,
      marine_needed_pp_per_year: atSeaNeeded?.perYear ?? null,
      recent_pp_per_year: recent,
      years_left: Math.max(1, TARGET_YEAR - thisYear),
    },
    method: COVERAGE_METHOD,
  };
}
