/**
 * @module Reads features shaped like the World Database on Protected Areas (WDPA, UNEP-WCMC & IUCN; field names of
 * the WDPA User Manual 1.6), names every bad field by JSON pointer, and sets aside the sites Protected Planet leaves
 * out of coverage statistics: status other than Designated, Inscribed or Established, and UNESCO-MAB Biosphere
 * Reserves (their buffer and transition zones are not protected).
 */
import type { MultiPoint, MultiPolygon, Point, Polygon } from 'geojson';
import { validateGeometry } from '../geo/geojson-validation.ts';
import type { RowProblem } from '../ingest/row-problem.ts';

export const WDPA_STATUSES = [
  'Designated',
  'Inscribed',
  'Established',
  'Proposed',
  'Adopted',
  'Not Reported',
] as const;
export type WdpaStatus = (typeof WDPA_STATUSES)[number];
/** Counted in coverage (Protected Planet's method). */
export const COUNTED_STATUSES: readonly WdpaStatus[] = ['Designated', 'Inscribed', 'Established'];
export const IUCN_CATEGORIES = [
  'Ia',
  'Ib',
  'II',
  'III',
  'IV',
  'V',
  'VI',
  'Not Reported',
  'Not Applicable',
  'Not Assigned',
] as const;
export const MAB_DESIGNATION = 'UNESCO-MAB Biosphere Reserve';

/** WDPA's MARINE field: 0 terrestrial, 1 coastal (both land and sea), 2 marine. */
export type Marine = 0 | 1 | 2;

export interface WdpaSite {
  /** 0-based index of the feature in the collection. */
  readonly row: number;
  readonly wdpaId: number;
  /** The parcel id (WDPA_PID); WDPAID when the layer has none. */
  readonly wdpaPid: string;
  readonly name: string;
  readonly desig: string | null;
  readonly iucnCat: string | null;
  readonly status: WdpaStatus;
  /** 0 when the year is not known (WDPA's convention). */
  readonly statusYr: number;
  readonly marine: Marine;
  /** Reported area, km². */
  readonly repArea: number | null;
  /** GIS area, km², as the provider computed it. */
  readonly gisArea: number | null;
  /** One or more ISO 3166-1 alpha-3 codes separated by ";" (transboundary sites). */
  readonly iso3: string | null;
  readonly geometry: Polygon | MultiPolygon | Point | MultiPoint;
}

export interface ExcludedSite {
  readonly row: number;
  readonly wdpaId: number | null;
  readonly reason: string;
}

export interface WdpaReading {
  readonly sites: WdpaSite[];
  readonly excluded: ExcludedSite[];
  readonly problems: RowProblem[];
}

/** Field value by WDPA's upper-case name, or its lower-case form (some exports lower-case every field). */
function field(properties: Record<string, unknown>, name: string): unknown {
  return properties[name] ?? properties[name.toLowerCase()];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Numbers may come as strings from CSV-born layers; empty means absent. */
function numberOf(value: unknown): number | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function textOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = String(value).trim();
  return text === '' ? null : text;
}

/**
 * Reads a GeoJSON FeatureCollection of WDPA-shaped features. `thisYear` bounds STATUS_YR.
 * A row with problems is not among the sites; the caller refuses the whole batch when there are problems.
 */
export function readWdpaFeatures(collection: unknown, thisYear: number): WdpaReading {
  const sites: WdpaSite[] = [];
  const excluded: ExcludedSite[] = [];
  const problems: RowProblem[] = [];
  if (
    !isObject(collection) ||
    collection.type !== 'FeatureCollection' ||
    !Array.isArray(collection.features)
  ) {
    problems.push({
      row: -1,
      pointer: '',
      reason: 'protected areas come as a GeoJSON FeatureCollection (RFC 7946 §3.3)',
    });
    return { sites, excluded, problems };
  }
  const seen = new Map<string, number>();
  collection.features.forEach((feature: unknown, row: number) => {
    const at = `/features/${row}`;
    const problem = (path: string, name: string | undefined, reason: string) =>
      problems.push(
        name === undefined
          ? { row, pointer: at + path, reason }
          : { row, pointer: at + path, field: name, reason },
      );
    if (!isObject(feature) || feature.type !== 'Feature') {
      problem('', undefined, 'expected a GeoJSON Feature object');
      return;
    }
    const properties = isObject(feature.properties) ? feature.properties : {};
    const pointer = (name: string) => `/properties/${name}`;
    const before = problems.length;

    const wdpaIdValue = numberOf(field(properties, 'WDPAID'));
    const wdpaId =
      typeof wdpaIdValue === 'number' && Number.isSafeInteger(wdpaIdValue) && wdpaIdValue > 0
        ? wdpaIdValue
        : null;
    const statusText = textOf(field(properties, 'STATUS'));
    const status = WDPA_STATUSES.find((s) => s.toLowerCase() === statusText?.toLowerCase());
    if (status === undefined) {
      problem(
        pointer('STATUS'),
        'STATUS',
        statusText === null
          ? 'STATUS is required'
          : `unknown STATUS "${statusText}"; expected one of ${WDPA_STATUSES.join(', ')}`,
      );
    }
    const desig = textOf(field(properties, 'DESIG'));
    const desigEng = textOf(field(properties, 'DESIG_ENG'));
    // Sites that do not count are set aside before the rest is checked: a full WDPA download must not be
    // refused for a fault in a proposed site it would drop anyway.
    if (status !== undefined && !COUNTED_STATUSES.includes(status)) {
      excluded.push({
        row,
        wdpaId,
        reason: `STATUS "${status}" is not counted (only ${COUNTED_STATUSES.join(', ')})`,
      });
      return;
    }
    if (desig === MAB_DESIGNATION || desigEng === MAB_DESIGNATION) {
      excluded.push({
        row,
        wdpaId,
        reason: 'UNESCO-MAB Biosphere Reserves are not counted as protected areas',
      });
      return;
    }

    if (wdpaId === null) problem(pointer('WDPAID'), 'WDPAID', 'WDPAID must be a positive whole number');
    const wdpaPid = textOf(field(properties, 'WDPA_PID')) ?? (wdpaId === null ? null : String(wdpaId));
    if (wdpaPid !== null) {
      const first = seen.get(wdpaPid);
      if (first !== undefined) {
        problem(
          pointer('WDPA_PID'),
          'WDPA_PID',
          `parcel ${wdpaPid} appears twice (first at /features/${first})`,
        );
      } else seen.set(wdpaPid, row);
    }
    const name = textOf(field(properties, 'NAME'));
    if (name === null) problem(pointer('NAME'), 'NAME', 'NAME is required');
    else if (name.length > 500) problem(pointer('NAME'), 'NAME', 'NAME is longer than 500 characters');

    const iucnText = textOf(field(properties, 'IUCN_CAT'));
    const iucnCat =
      iucnText === null
        ? null
        : (IUCN_CATEGORIES.find((c) => c.toLowerCase() === iucnText.toLowerCase()) ?? undefined);
    if (iucnCat === undefined) {
      problem(
        pointer('IUCN_CAT'),
        'IUCN_CAT',
        `unknown IUCN_CAT "${iucnText}"; expected one of ${IUCN_CATEGORIES.join(', ')}`,
      );
    }

    const yearValue = numberOf(field(properties, 'STATUS_YR'));
    const statusYr = yearValue ?? 0;
    if (
      yearValue === undefined ||
      !Number.isInteger(statusYr) ||
      (statusYr !== 0 && (statusYr < 1800 || statusYr > thisYear))
    ) {
      problem(
        pointer('STATUS_YR'),
        'STATUS_YR',
        `STATUS_YR must be a year from 1800 to ${thisYear}, or 0 when unknown`,
      );
    }

    const marineValue = field(properties, 'MARINE');
    const marine = ['0', '1', '2'].includes(String(marineValue))
      ? (Number(marineValue) as Marine)
      : undefined;
    if (marine === undefined) {
      problem(
        pointer('MARINE'),
        'MARINE',
        `MARINE must be '0' (terrestrial), '1' (coastal) or '2' (marine), got ${JSON.stringify(marineValue ?? null)}`,
      );
    }

    const area = (name: 'REP_AREA' | 'GIS_AREA'): number | null => {
      const value = numberOf(field(properties, name));
      if (value === undefined || (value !== null && value < 0)) {
        problem(pointer(name), name, `${name} must be a number of km², not negative`);
        return null;
      }
      return value;
    };
    const repArea = area('REP_AREA');
    const gisArea = area('GIS_AREA');

    const iso3 = textOf(field(properties, 'ISO3'))?.toUpperCase().replace(/\s+/g, '') ?? null;
    if (iso3 !== null && !/^[A-Z]{3}(;[A-Z]{3})*$/.test(iso3)) {
      problem(
        pointer('ISO3'),
        'ISO3',
        `ISO3 must be ISO 3166-1 alpha-3 codes separated by ";", got "${iso3}"`,
      );
    }

    const checked = validateGeometry(feature.geometry, { row, pointer: `${at}/geometry` });
    let geometry: WdpaSite['geometry'] | undefined;
    if ('problems' in checked) problems.push(...checked.problems);
    else if (checked.geometry.type === 'LineString' || checked.geometry.type === 'MultiLineString') {
      problem(
        '/geometry/type',
        'geometry',
        'a protected area is a Polygon or MultiPolygon, or a Point or MultiPoint with REP_AREA',
      );
    } else {
      geometry = checked.geometry;
      const pointOnly = geometry.type === 'Point' || geometry.type === 'MultiPoint';
      if (pointOnly && !(repArea !== null && repArea > 0)) {
        problem(
          pointer('REP_AREA'),
          'REP_AREA',
          'a point-only site needs its reported area (REP_AREA > 0) to be drawn as a circle',
        );
      }
    }

    if (problems.length > before) return;
    sites.push({
      row,
      wdpaId: wdpaId!,
      wdpaPid: wdpaPid!,
      name: name!,
      desig: desig ?? desigEng,
      iucnCat: iucnCat ?? null,
      status: status!,
      statusYr,
      marine: marine!,
      repArea,
      gisArea,
      iso3,
      geometry: geometry!,
    });
  });
  return { sites, excluded, problems };
}
