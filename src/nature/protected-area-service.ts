/**
 * @module The adapter of the 30x30 core: reads, cleans and stores WDPA-shaped batches, and answers coverage and gap
 * questions from the stored sites. The geometry is done by the pure modules beside it.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import type { Kysely } from 'kysely';
import { Ew4eError } from '../errors.ts';
import { bboxOf } from '../geo/geojson-validation.ts';
import { type Country, naturalEarthCountries } from '../geo/natural-earth-countries.ts';
import type { RowProblem } from '../ingest/row-problem.ts';
import type { BBox } from '../registry/area.ts';
import { findArea } from '../store/area.repository.ts';
import {
  cachedCoverage,
  coverageFingerprint,
  keepCoverage,
  listProtectedAreas,
  type ProtectedAreaFilter,
  type ProtectedAreaRow,
  storeProtectedAreas,
} from '../store/protected-area.repository.ts';
import type { Schema } from '../store/schema.ts';
import { type CountryCoverage, type CoverageSite, countryCoverage } from './coverage.ts';
import { type GapReport, polygonal, priorityGaps, readPriorityLayer } from './gaps.ts';
import { type CleanSite, cleanSites } from './protected-area-cleaning.ts';
import { type Land, landOf } from './protected-area-land.ts';
import { type ExcludedSite, readWdpaFeatures } from './wdpa-record.ts';

let countries: Country[] | undefined;
let land: Land | undefined;

/** Natural Earth 1:50m countries, read once per process. */
export function worldCountries(): Country[] {
  countries ??= naturalEarthCountries();
  return countries;
}

/** Land is the union of the countries; its tiles are cut as sites reach them. */
export function worldLand(): Land {
  land ??= landOf(worldCountries().map((c) => c.geometry));
  return land;
}

/** A country by ISO 3166-1 alpha-2 or alpha-3, case-insensitive. */
export function countryByCode(code: string): Country | undefined {
  const wanted = code.trim().toUpperCase();
  return worldCountries().find((c) => c.isoAlpha2 === wanted || c.isoAlpha3 === wanted);
}

function problemDetails(problems: readonly RowProblem[]) {
  return problems.map((p) => ({
    row: p.row,
    ...(p.pointer !== undefined ? { pointer: p.pointer } : {}),
    ...(p.field !== undefined ? { field: p.field } : {}),
    reason: p.reason,
  }));
}

export interface ImportResult {
  readonly accepted: number;
  /** Sites that do not count (status, UNESCO-MAB, nothing left after clipping), by feature index. */
  readonly excluded: { row: number; wdpa_id: number | null; reason: string }[];
  readonly point_sites_buffered: number;
  readonly land_km2: number;
  readonly sea_km2: number;
}

/** Checks every feature first: one bad row refuses the whole batch (422, each problem named by pointer and field). */
export function readAndClean(
  collection: unknown,
  thisYear: number,
  onCleaned?: (done: number, total: number) => void,
): { cleaned: CleanSite[]; excluded: ExcludedSite[] } {
  const reading = readWdpaFeatures(collection, thisYear);
  if (reading.problems.length > 0) {
    const rows = new Set(reading.problems.map((p) => p.row)).size;
    throw new Ew4eError(
      'EW4E_INVALID_ROWS',
      `${rows} feature(s) of the batch are invalid; nothing was stored`,
      problemDetails(reading.problems),
    );
  }
  const cleaned: CleanSite[] = [];
  const excluded = [...reading.excluded];
  const landNow = worldLand();
  // In slices, so that a caller can show progress on large layers.
  for (let i = 0; i < reading.sites.length; i += 100) {
    const result = cleanSites(reading.sites.slice(i, i + 100), landNow);
    cleaned.push(...result.cleaned);
    excluded.push(...result.excluded);
    onCleaned?.(Math.min(reading.sites.length, i + 100), reading.sites.length);
  }
  excluded.sort((a, b) => a.row - b.row);
  return { cleaned, excluded };
}

export async function storeCleaned(
  db: Kysely<Schema>,
  organisationId: number,
  cleaned: readonly CleanSite[],
  excluded: ExcludedSite[],
): Promise<ImportResult> {
  await storeProtectedAreas(db, organisationId, cleaned);
  return {
    accepted: cleaned.length,
    excluded: excluded.map((e) => ({ row: e.row, wdpa_id: e.wdpaId, reason: e.reason })),
    point_sites_buffered: cleaned.filter((s) => s.pointOnly).length,
    land_km2: cleaned.reduce((n, s) => n + s.onLandKm2, 0),
    sea_km2: cleaned.reduce((n, s) => n + s.atSeaKm2, 0),
  };
}

export async function importProtectedAreas(
  db: Kysely<Schema>,
  organisationId: number,
  collection: unknown,
  thisYear: number,
): Promise<ImportResult> {
  const { cleaned, excluded } = readAndClean(collection, thisYear);
  return storeCleaned(db, organisationId, cleaned, excluded);
}

function countryOrThrow(code: string, pointer?: string): Country {
  const country = countryByCode(code);
  if (country === undefined) {
    const reason = `unknown country "${code}"; use ISO 3166-1 alpha-2 or alpha-3 (BD, BGD)`;
    throw new Ew4eError('EW4E_INVALID_QUERY', reason, [
      pointer === undefined ? { field: 'country', reason } : { pointer, field: 'country', reason },
    ]);
  }
  return country;
}

/** The sites that may count for a country: inside its box, or naming it in ISO3. */
function siteFilter(readable: readonly number[], country: Country): ProtectedAreaFilter {
  return {
    readable,
    iso3: country.isoAlpha3 ?? undefined,
    bbox: bboxOf(country.geometry) as BBox,
    either: true,
  };
}

function coverageSiteOf(
  row: ProtectedAreaRow,
): CoverageSite & { onLand: MultiPolygon | null; atSea: MultiPolygon | null } {
  return { statusYr: row.status_yr, iso3: row.iso3, onLand: row.land_geometry, atSea: row.sea_geometry };
}

export async function coverageOfCountry(
  db: Kysely<Schema>,
  readable: readonly number[],
  code: string,
  options: { marineAreaId?: number | undefined; thisYear: number },
): Promise<CountryCoverage & { cached: boolean }> {
  const country = countryOrThrow(code);
  let marineDenominator: { name: string; geometry: Polygon | MultiPolygon } | undefined;
  if (options.marineAreaId !== undefined) {
    const area = await findArea(db, options.marineAreaId, readable);
    if (!area || (area.geometry.type !== 'Polygon' && area.geometry.type !== 'MultiPolygon')) {
      throw new Ew4eError('EW4E_INVALID_QUERY', `marine_area: no polygon area ${options.marineAreaId}`, [
        {
          field: 'marine_area',
          reason: 'must be the id of a Polygon or MultiPolygon area (an EEZ), see POST /v1/areas',
        },
      ]);
    }
    marineDenominator = { name: `${area.name} (area ${area.id})`, geometry: area.geometry };
  }
  const filter = siteFilter(readable, country);
  const scope = `${[...readable].sort((a, b) => a - b).join(',')}|${options.marineAreaId ?? ''}|${options.thisYear}`;
  const fingerprint = await coverageFingerprint(db, filter);
  const cached = await cachedCoverage(db, scope, country.code, fingerprint);
  if (cached !== undefined) return { ...(cached as unknown as CountryCoverage), cached: true };
  const rows = await listProtectedAreas(db, filter);
  const result = countryCoverage({
    country,
    sites: rows.map(coverageSiteOf),
    marineDenominator,
    thisYear: options.thisYear,
  });
  await keepCoverage(db, scope, country.code, fingerprint, result as unknown as Record<string, unknown>);
  return { ...result, cached: false };
}

export async function gapsOfCountry(
  db: Kysely<Schema>,
  readable: readonly number[],
  body: { country: string; priority: unknown; proposed?: unknown },
): Promise<GapReport> {
  const country = countryOrThrow(body.country, '/country');
  const { features, problems } = readPriorityLayer(body.priority, '/priority');
  const proposed =
    body.proposed === undefined ? undefined : polygonal(body.proposed, -1, '/proposed', problems);
  if (problems.length > 0) {
    throw new Ew4eError(
      'EW4E_INVALID_ROWS',
      'the priority layer or the proposed area is invalid',
      problemDetails(problems),
    );
  }
  // Sites under the priority layer and the country both: a priority feature may straddle a border.
  const boxes = [bboxOf(country.geometry), ...features.map((f) => bboxOf(f.geometry))];
  const box: BBox = [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
  const rows = await listProtectedAreas(db, { readable, bbox: box });
  return priorityGaps({
    country,
    sites: rows.map(coverageSiteOf),
    priority: features,
    proposed,
    land: worldLand(),
  });
}
