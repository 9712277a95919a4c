/** @module Rule presets: WHO air-quality guidelines and interim targets, water-quality limits, soil indicators and a fire-density rule, each citing its source. */
import type { Domain } from '../../registry/variables.ts';
import type { Aggregate, RuleDefinition, Severity, ThresholdRule } from './rule-definition.ts';

export interface RulePreset {
  /** Lower snake_case, stable: a rule made from a preset remembers it. */
  readonly code: string;
  readonly name: string;
  readonly domain: Domain;
  /** Written for any place: scopeRuleToArea (rule-definition.ts) narrows it to one area. */
  readonly rule: RuleDefinition;
  readonly source: string;
}

const HOUR_S = 3600;
const DAY_S = 86_400;
const YEAR_S = 365 * DAY_S;

/*
 * Air: WHO global air quality guidelines (2021), Table 0.1 — "WHO global air quality guidelines.
 * Particulate matter (PM2.5 and PM10), ozone, nitrogen dioxide, sulfur dioxide and carbon monoxide",
 * ISBN 978-92-4-003422-8. Levels in µg/m³ (CO in mg/m³), the canonical units of the variables.
 *
 * - WHO states the short-term (24-hour, 8-hour) levels as the 99th percentile of a year's daily values
 *   (3–4 exceedance days a year). A warning system acts on each exceedance as it happens, so these rules
 *   fire on every exceedance; counting exceedance days per year is a report, not an alarm.
 * - The rules use running means over the trailing window rather than calendar-day means, so that an
 *   exceedance is seen as soon as it is certain, not at midnight. A running 8-hour mean above a level at
 *   some hour is the same as that day's maximum 8-hour mean (the WHO ozone metric) being above it.
 * - Validity of a mean follows Directive 2008/50/EC, Annex XI, Section A: a 24-hour or 8-hour value needs
 *   75 % of its hourly values, an annual mean 90 %; hence hourly slots and minCoverage 0.75 / 0.9.
 * - The O3 peak-season guideline (60 µg/m³, a six-month mean of daily maximum 8-hour means) is a yearly
 *   assessment, not a rolling condition, and has no preset.
 * - Severity is EW4E's reading, not WHO's: above the guideline level Minor, above the intermediate interim
 *   targets Moderate, above interim target 1 (the least stringent) Severe.
 * - Clearing at 90 % of the level keeps a mean that wavers around it from raising one warning per hour.
 */
const WHO_AQG_2021 =
  'WHO global air quality guidelines (2021), Table 0.1; validity of means: Directive 2008/50/EC Annex XI';

interface AirLevel {
  readonly variable: 'pm25' | 'pm10' | 'no2' | 'o3' | 'so2' | 'co';
  readonly label: string;
  readonly period: '24h' | '8h' | 'annual';
  /** 'aqg' for the guideline level, 'it1'…'it4' for the interim targets. */
  readonly target: 'aqg' | 'it1' | 'it2' | 'it3' | 'it4';
  readonly level: number;
  readonly severity: Severity;
}

const AIR_LEVELS: readonly AirLevel[] = [
  // PM2.5, 24-hour: IT-1 75, IT-2 50, IT-3 37.5, IT-4 25, AQG 15 µg/m³.
  { variable: 'pm25', label: 'PM2.5', period: '24h', target: 'aqg', level: 15, severity: 'Minor' },
  { variable: 'pm25', label: 'PM2.5', period: '24h', target: 'it4', level: 25, severity: 'Minor' },
  { variable: 'pm25', label: 'PM2.5', period: '24h', target: 'it3', level: 37.5, severity: 'Moderate' },
  { variable: 'pm25', label: 'PM2.5', period: '24h', target: 'it2', level: 50, severity: 'Moderate' },
  { variable: 'pm25', label: 'PM2.5', period: '24h', target: 'it1', level: 75, severity: 'Severe' },
  // PM2.5, annual: IT-1 35, IT-2 25, IT-3 15, IT-4 10, AQG 5 µg/m³.
  { variable: 'pm25', label: 'PM2.5', period: 'annual', target: 'aqg', level: 5, severity: 'Minor' },
  { variable: 'pm25', label: 'PM2.5', period: 'annual', target: 'it1', level: 35, severity: 'Severe' },
  // PM10, 24-hour: IT-1 150, IT-2 100, IT-3 75, IT-4 50, AQG 45 µg/m³.
  { variable: 'pm10', label: 'PM10', period: '24h', target: 'aqg', level: 45, severity: 'Minor' },
  { variable: 'pm10', label: 'PM10', period: '24h', target: 'it4', level: 50, severity: 'Minor' },
  { variable: 'pm10', label: 'PM10', period: '24h', target: 'it3', level: 75, severity: 'Moderate' },
  { variable: 'pm10', label: 'PM10', period: '24h', target: 'it2', level: 100, severity: 'Moderate' },
  { variable: 'pm10', label: 'PM10', period: '24h', target: 'it1', level: 150, severity: 'Severe' },
  // PM10, annual: AQG 15 µg/m³.
  { variable: 'pm10', label: 'PM10', period: 'annual', target: 'aqg', level: 15, severity: 'Minor' },
  // NO2, 24-hour: IT-1 120, IT-2 50, AQG 25 µg/m³; annual AQG 10 µg/m³.
  { variable: 'no2', label: 'NO2', period: '24h', target: 'aqg', level: 25, severity: 'Minor' },
  { variable: 'no2', label: 'NO2', period: '24h', target: 'it2', level: 50, severity: 'Moderate' },
  { variable: 'no2', label: 'NO2', period: '24h', target: 'it1', level: 120, severity: 'Severe' },
  { variable: 'no2', label: 'NO2', period: 'annual', target: 'aqg', level: 10, severity: 'Minor' },
  // O3, 8-hour (daily maximum 8-hour mean): IT-1 160, IT-2 120, AQG 100 µg/m³.
  { variable: 'o3', label: 'O3', period: '8h', target: 'aqg', level: 100, severity: 'Minor' },
  { variable: 'o3', label: 'O3', period: '8h', target: 'it2', level: 120, severity: 'Moderate' },
  { variable: 'o3', label: 'O3', period: '8h', target: 'it1', level: 160, severity: 'Severe' },
  // SO2, 24-hour: IT-1 125, IT-2 50, AQG 40 µg/m³.
  { variable: 'so2', label: 'SO2', period: '24h', target: 'aqg', level: 40, severity: 'Minor' },
  { variable: 'so2', label: 'SO2', period: '24h', target: 'it2', level: 50, severity: 'Moderate' },
  { variable: 'so2', label: 'SO2', period: '24h', target: 'it1', level: 125, severity: 'Severe' },
  // CO, 24-hour: IT-1 7, AQG 4 mg/m³.
  { variable: 'co', label: 'CO', period: '24h', target: 'aqg', level: 4, severity: 'Minor' },
  { variable: 'co', label: 'CO', period: '24h', target: 'it1', level: 7, severity: 'Moderate' },
];

const PERIODS: Readonly<
  Record<AirLevel['period'], { readonly aggregate: Aggregate; readonly words: string }>
> = {
  '24h': {
    aggregate: { fn: 'mean', windowS: DAY_S, cadenceS: HOUR_S, minCoverage: 0.75 },
    words: '24-hour mean',
  },
  '8h': {
    aggregate: { fn: 'mean', windowS: 8 * HOUR_S, cadenceS: HOUR_S, minCoverage: 0.75 },
    words: '8-hour mean',
  },
  annual: {
    aggregate: { fn: 'mean', windowS: YEAR_S, cadenceS: HOUR_S, minCoverage: 0.9 },
    words: 'annual mean',
  },
};

function airPreset(a: AirLevel): RulePreset {
  const unit = a.variable === 'co' ? 'mg/m³' : 'µg/m³';
  const what =
    a.target === 'aqg' ? 'WHO 2021 guideline level' : `WHO 2021 interim target ${a.target.slice(2)}`;
  const { aggregate, words } = PERIODS[a.period];
  const name = `${a.label} ${words} above the ${what} (${a.level} ${unit})`;
  const rule: ThresholdRule = {
    kind: 'threshold',
    select: { variable: a.variable },
    aggregate,
    when: 'above',
    level: a.level,
    clearAt: Math.round(a.level * 0.9 * 100) / 100,
    severity: a.severity,
    description: name,
  };
  return {
    code: `who2021_${a.variable}_${a.period}_${a.target}`,
    name,
    domain: 'air',
    rule,
    source: WHO_AQG_2021,
  };
}

const WATER_AND_SOIL: readonly RulePreset[] = [
  {
    // US EPA (1986), Ambient Water Quality Criteria for Dissolved Oxygen, EPA 440/5-86-003: 5.0 mg/L is the
    // one-day minimum for early life stages of warm-water fish (3.0 mg/L for other life stages); many
    // national surface-water standards use 5 mg/L as the minimum for aquatic life.
    code: 'dissolved_oxygen_low',
    name: 'Dissolved oxygen below 5 mg/L for an hour',
    domain: 'water',
    rule: {
      kind: 'threshold',
      select: { variable: 'dissolved_oxygen' },
      when: 'below',
      level: 5,
      forS: HOUR_S,
      clearAt: 5.5,
      severity: 'Moderate',
      description: 'Dissolved oxygen below 5 mg/L for an hour: stress for aquatic life',
    },
    source: 'US EPA (1986) Ambient Water Quality Criteria for Dissolved Oxygen, EPA 440/5-86-003',
  },
  {
    // Hypoxia: dissolved oxygen below 2 mg/L, where fish and bottom fauna leave or die (Rabalais, Turner &
    // Wiseman 2002, "Gulf of Mexico hypoxia, a.k.a. The Dead Zone", Annu. Rev. Ecol. Syst. 33, 235–263).
    code: 'dissolved_oxygen_hypoxia',
    name: 'Hypoxia: dissolved oxygen below 2 mg/L for 30 minutes',
    domain: 'water',
    rule: {
      kind: 'threshold',
      select: { variable: 'dissolved_oxygen' },
      when: 'below',
      level: 2,
      forS: 30 * 60,
      clearAt: 2.5,
      severity: 'Severe',
      description: 'Hypoxia: dissolved oxygen below 2 mg/L',
    },
    source: 'Rabalais, Turner & Wiseman (2002), Annu. Rev. Ecol. Syst. 33: 235–263 (hypoxia < 2 mg/L)',
  },
  {
    // WHO Guidelines for drinking-water quality, 4th ed. incorporating the 1st and 2nd addenda (2022):
    // nitrate 50 mg/L as NO₃⁻, against methaemoglobinaemia in bottle-fed infants (short-term exposure).
    // Samples are often sparse laboratory analyses, so a single value beyond the guideline fires.
    code: 'nitrate_drinking_water',
    name: 'Nitrate above the WHO drinking-water guideline (50 mg/L as NO₃)',
    domain: 'water',
    rule: {
      kind: 'threshold',
      select: { variable: 'nitrate' },
      when: 'above',
      level: 50,
      clearAt: 45,
      severity: 'Moderate',
      description: 'Nitrate above 50 mg/L (WHO drinking-water guideline)',
    },
    source: 'WHO Guidelines for drinking-water quality, 4th ed. incorporating the 1st and 2nd addenda (2022)',
  },
  {
    // WHO (2003) Guidelines for safe recreational water environments, Vol. 1, ch. 8 (after Chorus & Bartram
    // 1999, Toxic Cyanobacteria in Water): 10 µg/L chlorophyll a with cyanobacteria dominant (about 20 000
    // cells/mL) is a relatively low probability of adverse effects, 50 µg/L (100 000 cells/mL) a moderate one.
    // A daily mean, as bloom sensors sample every few minutes and fluoresce noisily.
    code: 'chlorophyll_a_bloom_alert',
    name: 'Algal bloom: daily mean chlorophyll a above 10 µg/L',
    domain: 'water',
    rule: {
      kind: 'threshold',
      select: { variable: 'chlorophyll_a' },
      aggregate: { fn: 'mean', windowS: DAY_S, cadenceS: HOUR_S, minCoverage: 0.75 },
      when: 'above',
      level: 10,
      clearAt: 8,
      severity: 'Minor',
      description: 'Daily mean chlorophyll a above 10 µg/L: possible cyanobacterial bloom',
    },
    source: 'WHO (2003) Guidelines for safe recreational water environments, Vol. 1, ch. 8',
  },
  {
    code: 'chlorophyll_a_bloom_high',
    name: 'Algal bloom: daily mean chlorophyll a above 50 µg/L',
    domain: 'water',
    rule: {
      kind: 'threshold',
      select: { variable: 'chlorophyll_a' },
      aggregate: { fn: 'mean', windowS: DAY_S, cadenceS: HOUR_S, minCoverage: 0.75 },
      when: 'above',
      level: 50,
      clearAt: 40,
      severity: 'Moderate',
      description:
        'Daily mean chlorophyll a above 50 µg/L: bloom with a moderate probability of health effects',
    },
    source: 'WHO (2003) Guidelines for safe recreational water environments, Vol. 1, ch. 8',
  },
  {
    // Soil organic carbon stock is one of the three sub-indicators of land degradation, SDG indicator 15.3.1
    // (UNCCD Good Practice Guidance for SDG indicator 15.3.1, version 2, 2021); its loss is a soil-health
    // descriptor of the EU Soil Strategy for 2030 (COM(2021) 699). The test is Mann-Kendall with Sen's slope
    // (Mann 1945; Kendall 1975; Sen 1968; Hirsch et al. 1982) over ten years of samples in weekly slots.
    code: 'soil_organic_carbon_decline',
    name: 'Soil organic carbon: significant declining trend over ten years',
    domain: 'soil',
    rule: {
      kind: 'trend',
      select: { variable: 'soil_organic_carbon' },
      direction: 'decline',
      windowS: 10 * YEAR_S,
      cadenceS: 7 * DAY_S,
      alpha: 0.05,
      minPoints: 10,
      severity: 'Moderate',
      description: 'Soil organic carbon declining (Mann-Kendall, α = 0.05)',
    },
    source:
      'UNCCD Good Practice Guidance for SDG indicator 15.3.1 v2 (2021); EU Soil Strategy for 2030, COM(2021) 699',
  },
  {
    // Plants wilt when soil water falls to the permanent wilting point: about 7–17 % by volume in loams
    // (FAO Irrigation and Drainage Paper 56, Allen et al. 1998, Table 19). A week of daily means below 12 %
    // is agricultural drought in a loam; the level is for a site's soil to refine.
    code: 'soil_moisture_drought',
    name: 'Soil moisture drought: daily mean below 12 % for a week',
    domain: 'soil',
    rule: {
      kind: 'threshold',
      select: { variable: 'soil_moisture' },
      aggregate: { fn: 'mean', windowS: DAY_S, cadenceS: HOUR_S, minCoverage: 0.75 },
      when: 'below',
      level: 12,
      forS: 7 * DAY_S,
      clearAt: 15,
      severity: 'Moderate',
      description: 'Volumetric soil water near the wilting point of a loam for a week',
    },
    source: 'FAO Irrigation and Drainage Paper 56 (Allen et al. 1998), Table 19',
  },
];

const FIRE: RulePreset = {
  // Active-fire detections as NASA FIRMS distributes them (MODIS: Giglio et al. 2016, Remote Sens. Environ.
  // 178, 31–41; VIIRS 375 m: Schroeder et al. 2014, Remote Sens. Environ. 143, 85–96). Ten detections in a
  // day is EW4E's starting level for a protected area, where any burning is news; scope it to the area.
  code: 'fire_density_24h',
  name: 'Ten or more fire detections within 24 hours',
  domain: 'land',
  rule: {
    kind: 'event_density',
    eventKind: 'fire_detection',
    count: 10,
    windowS: DAY_S,
    severity: 'Severe',
    description: 'At least 10 active-fire detections within 24 hours',
  },
  source: 'NASA FIRMS active fire detections (Giglio et al. 2016; Schroeder et al. 2014)',
};

export const RULE_PRESETS: readonly RulePreset[] = Object.freeze([
  ...AIR_LEVELS.map(airPreset),
  ...WATER_AND_SOIL,
  FIRE,
]);

const BY_CODE: ReadonlyMap<string, RulePreset> = new Map(RULE_PRESETS.map((p) => [p.code, p]));

export function findRulePreset(code: string): RulePreset | undefined {
  return BY_CODE.get(code);
}
