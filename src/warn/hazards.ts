/**
 * @module The EW4E hazard taxonomy: what a warning is about, mapped to CAP 1.2 categories (§3.2.2) and an
 * `eventCode` (valueName `EW4E`), with the variables and event kinds that evidence each hazard.
 */
import type { CapCategory, CapResponseType } from './cap/cap-alert.ts';

export const HAZARD_CODES = [
  'air_pollution',
  'water_pollution',
  'chemical_spill',
  'waste_fire',
  'wildfire',
  'forest_loss',
  'protected_habitat_loss',
  'species_decline',
  'invasive_species',
  'soil_erosion',
  'soil_carbon_loss',
  'ecological_drought',
  'algal_bloom',
  'coral_bleaching',
  'noise_pollution',
] as const;
export type HazardCode = (typeof HAZARD_CODES)[number];

/** How a hazard unfolds: sudden ones are warned hour by hour; slow ones (soil, species) over weeks. */
export type HazardOnset = 'sudden' | 'slow';

export interface Hazard {
  readonly code: HazardCode;
  /** The CAP `eventCode` value under valueName {@link EVENT_CODE_VALUE_NAME}. */
  readonly eventCode: string;
  readonly category: readonly CapCategory[];
  /** What people are asked to do by default (the template's instruction says how). */
  readonly responseType: readonly CapResponseType[];
  readonly onset: HazardOnset;
  /** Variables whose signals evidence this hazard by default (a rule's policy may name another hazard). */
  readonly variables: readonly string[];
  /** Event kinds (as ingested) that evidence it; a second sense corroborates the first. */
  readonly eventKinds: readonly string[];
  /** How long a published warning stands when nothing renews it. */
  readonly defaultExpiresS: number;
}

/** The valueName of EW4E's own event codes in CAP `eventCode` (CAP leaves the list to communities). */
export const EVENT_CODE_VALUE_NAME = 'EW4E';

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

const hazard = (h: Hazard): Hazard => Object.freeze(h);

export const HAZARDS: readonly Hazard[] = Object.freeze([
  hazard({
    code: 'air_pollution',
    eventCode: 'AIR_POLLUTION',
    category: ['Env', 'Health'],
    responseType: ['Avoid', 'Monitor'],
    onset: 'sudden',
    variables: ['pm25', 'pm10', 'no2', 'o3', 'so2', 'co'],
    eventKinds: ['smoke_report', 'haze_report'],
    defaultExpiresS: DAY_S,
  }),
  hazard({
    code: 'water_pollution',
    eventCode: 'WATER_POLLUTION',
    category: ['Env', 'Health'],
    responseType: ['Avoid'],
    onset: 'sudden',
    variables: ['dissolved_oxygen', 'turbidity', 'water_ph', 'conductivity', 'nitrate'],
    eventKinds: ['fish_kill_report', 'water_pollution_report'],
    defaultExpiresS: 2 * DAY_S,
  }),
  hazard({
    code: 'chemical_spill',
    eventCode: 'CHEMICAL_SPILL',
    category: ['CBRNE', 'Env'],
    responseType: ['Avoid', 'Shelter'],
    onset: 'sudden',
    variables: [],
    eventKinds: ['chemical_spill_report', 'oil_spill_detection'],
    defaultExpiresS: DAY_S,
  }),
  hazard({
    code: 'waste_fire',
    eventCode: 'WASTE_FIRE',
    category: ['Fire', 'Env'],
    responseType: ['Avoid', 'Shelter'],
    onset: 'sudden',
    variables: [],
    eventKinds: ['dumping_report', 'waste_fire_report'],
    defaultExpiresS: DAY_S,
  }),
  hazard({
    code: 'wildfire',
    eventCode: 'WILDFIRE',
    category: ['Fire', 'Env'],
    responseType: ['Prepare', 'Monitor'],
    onset: 'sudden',
    variables: ['fire_radiative_power', 'burned_area'],
    eventKinds: ['fire_detection', 'smoke_report'],
    defaultExpiresS: DAY_S,
  }),
  hazard({
    code: 'forest_loss',
    eventCode: 'FOREST_LOSS',
    category: ['Env'],
    responseType: ['Assess'],
    onset: 'slow',
    variables: ['tree_cover_loss', 'ndvi'],
    eventKinds: ['forest_loss_alert', 'logging_report'],
    defaultExpiresS: 14 * DAY_S,
  }),
  hazard({
    code: 'protected_habitat_loss',
    eventCode: 'PROTECTED_HABITAT_LOSS',
    category: ['Env'],
    responseType: ['Assess'],
    onset: 'slow',
    variables: [],
    eventKinds: ['encroachment_report'],
    defaultExpiresS: 14 * DAY_S,
  }),
  hazard({
    code: 'species_decline',
    eventCode: 'SPECIES_DECLINE',
    category: ['Env'],
    responseType: ['Assess'],
    onset: 'slow',
    variables: ['species_count'],
    eventKinds: ['species_sighting_drop'],
    defaultExpiresS: 30 * DAY_S,
  }),
  hazard({
    code: 'invasive_species',
    eventCode: 'INVASIVE_SPECIES',
    category: ['Env'],
    responseType: ['Assess', 'Monitor'],
    onset: 'slow',
    variables: [],
    eventKinds: ['invasive_species_sighting'],
    defaultExpiresS: 30 * DAY_S,
  }),
  hazard({
    code: 'soil_erosion',
    eventCode: 'SOIL_EROSION',
    category: ['Env'],
    responseType: ['Assess'],
    onset: 'slow',
    variables: ['soil_erosion', 'soil_bulk_density'],
    eventKinds: ['gully_report'],
    defaultExpiresS: 30 * DAY_S,
  }),
  hazard({
    code: 'soil_carbon_loss',
    eventCode: 'SOIL_CARBON_LOSS',
    category: ['Env'],
    responseType: ['Assess'],
    onset: 'slow',
    variables: ['soil_organic_carbon', 'soil_ph'],
    eventKinds: [],
    defaultExpiresS: 90 * DAY_S,
  }),
  hazard({
    code: 'ecological_drought',
    eventCode: 'ECOLOGICAL_DROUGHT',
    category: ['Env', 'Met'],
    responseType: ['Prepare', 'Monitor'],
    onset: 'slow',
    variables: ['soil_moisture', 'discharge', 'water_level', 'precipitation'],
    eventKinds: ['drought_report'],
    defaultExpiresS: 14 * DAY_S,
  }),
  hazard({
    code: 'algal_bloom',
    eventCode: 'ALGAL_BLOOM',
    category: ['Env', 'Health'],
    responseType: ['Avoid'],
    onset: 'sudden',
    variables: ['chlorophyll_a'],
    eventKinds: ['algal_bloom_report'],
    defaultExpiresS: 3 * DAY_S,
  }),
  hazard({
    code: 'coral_bleaching',
    eventCode: 'CORAL_BLEACHING',
    category: ['Env'],
    responseType: ['Monitor'],
    onset: 'slow',
    variables: ['water_temperature'],
    eventKinds: ['bleaching_report'],
    defaultExpiresS: 14 * DAY_S,
  }),
  hazard({
    code: 'noise_pollution',
    eventCode: 'NOISE_POLLUTION',
    category: ['Env', 'Health'],
    responseType: ['Avoid'],
    onset: 'sudden',
    variables: ['sound_level'],
    eventKinds: ['noise_report'],
    defaultExpiresS: 12 * HOUR_S,
  }),
]);

const BY_CODE: ReadonlyMap<string, Hazard> = new Map(HAZARDS.map((h) => [h.code, h]));

export function findHazard(code: string): Hazard | undefined {
  return BY_CODE.get(code);
}

export function isHazardCode(code: string): code is HazardCode {
  return BY_CODE.has(code);
}

/** The hazard a variable's signals evidence when the rule's policy names none (first listed wins). */
export function hazardOfVariable(variable: string): Hazard | undefined {
  return HAZARDS.find((h) => h.variables.includes(variable));
}

/** The hazards an event kind evidences: a smoke report speaks for air pollution and for wildfire. */
export function hazardsOfEventKind(kind: string): Hazard[] {
  return HAZARDS.filter((h) => h.eventKinds.includes(kind));
}
