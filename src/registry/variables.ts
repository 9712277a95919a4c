/** @module The preset observed variables: what EW4E measures out of the box, in which canonical unit, and the default quality-control limits of each. */
import type { QcLimits } from '../ingest/quality-control.ts';

export type Domain = 'air' | 'water' | 'soil' | 'biodiversity' | 'land' | 'climate';

export const DOMAINS: readonly Domain[] = Object.freeze([
  'air',
  'water',
  'soil',
  'biodiversity',
  'land',
  'climate',
]);

export interface VariableDefinition {
  /** Lower snake_case, stable: stored with every observation. */
  readonly code: string;
  readonly name: string;
  /** Canonical unit symbol from UNITS; observations are converted into it on ingest. */
  readonly unit: string;
  readonly domain: Domain;
  /** Defaults for every station; a station overrides them with mergeLimits. */
  readonly qc: QcLimits;
  /** Where the limits come from. */
  readonly source?: string;
  /**
   * The quantity itself cannot be negative (a concentration, an amount, a count, a magnitude), whatever an
   * instrument's zero drift reports: bands drawn around it (expected range, forecast) stop at 0. Left out
   * where negatives are real: temperatures, levels against a datum, flows that reverse, indices, logarithms.
   */
  readonly nonNegative?: boolean;
}

/*
 * The defaults carry range limits only. Rate-of-change, spike and stuck checks depend on the
 * sampling interval and the sensor's resolution (ten identical one-minute temperatures are
 * normal, ten identical hourly ones are not), which a preset cannot know; stations set them.
 *
 * Hard limits bound what is physically possible or what the measurement can produce, and so
 * also catch no-data codes such as -9999 or 9999; soft limits bound what is plausible at almost
 * any station, so that values outside them are kept but looked at.
 */

// Reference gas and particle analysers report small negatives around zero from zero drift and
// noise; discarding them would bias low averages upwards, so they are suspect, not rejected.
const ANALYSER_NOISE_FLOOR = -10;
const AIR_QUALITY_SOURCE =
  'Plausibility ranges of common air-quality data validation practice; negatives down to -10 kept as suspect (analyser noise around zero)';

/** World weather extremes from the WMO Archive of Weather and Climate Extremes (wmo.asu.edu). */
const WMO_EXTREMES = 'WMO Archive of Weather and Climate Extremes';

export const VARIABLES: readonly VariableDefinition[] = Object.freeze([
  // ---- air ----
  {
    code: 'pm25',
    name: 'Particulate matter PM2.5',
    unit: 'µg/m³',
    domain: 'air',
    nonNegative: true,
    // Hourly PM2.5 above 500 µg/m³ occurs only in heavy wildfire smoke and dust storms.
    qc: { hardMin: ANALYSER_NOISE_FLOOR, hardMax: 2000, softMin: 0, softMax: 500 },
    source: AIR_QUALITY_SOURCE,
  },
  {
    code: 'pm10',
    name: 'Particulate matter PM10',
    unit: 'µg/m³',
    domain: 'air',
    nonNegative: true,
    // Dust storms drive hourly PM10 into the thousands of µg/m³ (e.g. Beijing, March 2021).
    qc: { hardMin: ANALYSER_NOISE_FLOOR, hardMax: 10_000, softMin: 0, softMax: 1000 },
    source: AIR_QUALITY_SOURCE,
  },
  {
    code: 'no2',
    name: 'Nitrogen dioxide',
    unit: 'µg/m³',
    domain: 'air',
    nonNegative: true,
    // Soft max a little above the EU alert threshold of 400 µg/m³ (Directive 2008/50/EC, Annex XII).
    qc: { hardMin: ANALYSER_NOISE_FLOOR, hardMax: 2000, softMin: 0, softMax: 500 },
    source: AIR_QUALITY_SOURCE,
  },
  {
    code: 'o3',
    name: 'Ozone',
    unit: 'µg/m³',
    domain: 'air',
    nonNegative: true,
    // EU alert threshold 240 µg/m³ (Directive 2008/50/EC, Annex XII); hourly values above 400 are unheard of near the ground.
    qc: { hardMin: ANALYSER_NOISE_FLOOR, hardMax: 1000, softMin: 0, softMax: 400 },
    source: AIR_QUALITY_SOURCE,
  },
  {
    code: 'so2',
    name: 'Sulphur dioxide',
    unit: 'µg/m³',
    domain: 'air',
    nonNegative: true,
    // EU alert threshold 500 µg/m³ (Directive 2008/50/EC, Annex XII); volcanic plumes go far above.
    qc: { hardMin: ANALYSER_NOISE_FLOOR, hardMax: 10_000, softMin: 0, softMax: 1000 },
    source: AIR_QUALITY_SOURCE,
  },
  {
    code: 'co',
    name: 'Carbon monoxide',
    unit: 'mg/m³',
    domain: 'air',
    nonNegative: true,
    // EU limit value 10 mg/m³ as an 8-hour mean (Directive 2008/50/EC, Annex XI); fires can exceed it many times over.
    qc: { hardMin: -1, hardMax: 200, softMin: 0, softMax: 50 },
    source: AIR_QUALITY_SOURCE,
  },
  {
    code: 'sound_level',
    name: 'Sound pressure level',
    unit: 'dB',
    // Environmental noise propagates through, and is monitored beside, the air.
    domain: 'air',
    // 194 dB is the largest undistorted sound pressure level in air at 1 atm (amplitude = ambient pressure);
    // outdoor levels below 20 dB are under the self-noise of most sound level meters, those above 140 dB painful.
    qc: { hardMin: 0, hardMax: 194, softMin: 20, softMax: 140 },
    // Not nonNegative: a level is a logarithm (re 20 µPa), below 0 dB in an anechoic room.
    source: 'Physical limit of undistorted sound in air at 1 atm; self-noise of sound level meters',
  },

  // ---- climate ----
  {
    code: 'air_temperature',
    name: 'Air temperature',
    unit: '°C',
    domain: 'climate',
    // World records: −89.2 °C (Vostok, 21 July 1983) and 56.7 °C (Furnace Creek, 10 July 1913).
    qc: { hardMin: -90, hardMax: 60, softMin: -70, softMax: 50 },
    source: WMO_EXTREMES,
  },
  {
    code: 'relative_humidity',
    name: 'Relative humidity',
    unit: '%',
    domain: 'climate',
    nonNegative: true,
    // Capacitive sensors read a few percent above 100 in fog and after condensation; keep those as suspect.
    qc: { hardMin: 0, hardMax: 105, softMin: 1, softMax: 100 },
    source: 'Definition of relative humidity; sensor overshoot in saturated air',
  },
  {
    code: 'wind_speed',
    name: 'Wind speed',
    unit: 'm/s',
    domain: 'climate',
    nonNegative: true,
    // Record gust 113.2 m/s (Barrow Island, cyclone Olivia, 10 April 1996); sustained winds above 75 m/s only in the strongest cyclones.
    qc: { hardMin: 0, hardMax: 115, softMax: 75 },
    source: WMO_EXTREMES,
  },
  {
    code: 'precipitation',
    name: 'Precipitation amount',
    unit: 'mm',
    domain: 'climate',
    nonNegative: true,
    // Amount per observation interval of up to a day: 24-hour record 1825 mm (Foc-Foc, La Réunion, 1966),
    // 1-hour record 305 mm (Holt, Missouri, 1947).
    qc: { hardMin: 0, hardMax: 1830, softMax: 305 },
    source: WMO_EXTREMES,
  },
  {
    code: 'air_pressure',
    name: 'Air pressure at station level',
    unit: 'hPa',
    domain: 'climate',
    nonNegative: true,
    // Sea-level extremes 870 hPa (typhoon Tip, 1979) and 1083.8 hPa (Agata, 1968); station pressure on
    // high mountains is far lower (about 330 hPa on Everest's summit), stations above 5500 m are rare.
    qc: { hardMin: 300, hardMax: 1100, softMin: 500, softMax: 1085 },
    source: WMO_EXTREMES,
  },
  {
    code: 'solar_radiation',
    name: 'Global horizontal irradiance',
    unit: 'W/m²',
    domain: 'climate',
    nonNegative: true,
    // BSRN "physically possible" (hard) and "extremely rare" (soft) limits at solar zenith 0 with the
    // perihelion solar constant: −4 .. 1.5·Sa+100 and −2 .. 1.2·Sa+50 (Long & Dutton 2010).
    qc: { hardMin: -4, hardMax: 2225, softMin: -2, softMax: 1750 },
    source: 'Long and Dutton (2010), BSRN Global Network recommended QC tests, V2.0',
  },

  // ---- water ----
  {
    code: 'water_level',
    name: 'Water level',
    unit: 'm',
    domain: 'water',
    // Levels refer to a gauge or vertical datum, so no universal range: these bounds (Dead Sea shore
    // about −430 m, highest lakes about 6000 m) only catch no-data codes such as ±9999.
    qc: { hardMin: -500, hardMax: 9000 },
    source: 'Range of water surface elevations on Earth',
  },
  {
    code: 'discharge',
    name: 'River discharge',
    unit: 'm³/s',
    domain: 'water',
    // Above the Amazon's largest floods (a few hundred thousand m³/s). Tidal reaches flow backwards,
    // so negatives are suspect rather than impossible.
    qc: { hardMax: 400_000, softMin: 0 },
    source: 'Largest river discharges measured',
  },
  {
    code: 'water_temperature',
    name: 'Water temperature',
    unit: '°C',
    domain: 'water',
    // Sea water freezes near −1.9 °C; water boils at 100 °C at sea level. Hot springs and outfalls exceed 40.
    qc: { hardMin: -5, hardMax: 100, softMin: -2, softMax: 40 },
    source: 'Freezing point of sea water; boiling point of water',
  },
  {
    code: 'dissolved_oxygen',
    name: 'Dissolved oxygen',
    unit: 'mg/L',
    domain: 'water',
    nonNegative: true,
    // Saturation is 14.6 mg/L at 0 °C; algal blooms supersaturate to about 20–25 mg/L.
    qc: { hardMin: 0, hardMax: 50, softMax: 25 },
    source: 'Oxygen solubility in fresh water (APHA Standard Methods 4500-O)',
  },
  {
    code: 'turbidity',
    name: 'Turbidity',
    unit: 'NTU',
    domain: 'water',
    nonNegative: true,
    // Optical sensors typically span 0–4000; sediment-laden floods go beyond, so no hard maximum.
    qc: { hardMin: 0, softMax: 4000 },
    source: 'Typical range of nephelometric turbidity sensors',
  },
  {
    code: 'water_ph',
    name: 'Water pH',
    unit: 'pH',
    domain: 'water',
    // Acid mine drainage falls below 3, soda lakes rise above 10.
    qc: { hardMin: 0, hardMax: 14, softMin: 3, softMax: 11 },
    // Not nonNegative: pH is a logarithm, below 0 in concentrated acids (the hard limits bound dilute water).
    source: 'pH scale of dilute aqueous solutions',
  },
  {
    code: 'conductivity',
    name: 'Specific electrical conductivity at 25 °C',
    unit: 'µS/cm',
    domain: 'water',
    nonNegative: true,
    // Sea water is about 50 000–55 000 µS/cm; hypersaline brines reach about 250 000.
    qc: { hardMin: 0, hardMax: 300_000, softMax: 60_000 },
    source: 'Conductivity of sea water and brines',
  },
  {
    code: 'nitrate',
    name: 'Nitrate (as NO₃)',
    unit: 'mg/L',
    domain: 'water',
    nonNegative: true,
    // WHO drinking-water guideline 50 mg/L as NO₃ (WHO Guidelines for drinking-water quality, 4th ed.);
    // heavily polluted groundwater reaches a few hundred.
    qc: { hardMin: 0, hardMax: 2000, softMax: 500 },
    source: 'WHO Guidelines for drinking-water quality; observed ranges in polluted groundwater',
  },
  {
    code: 'chlorophyll_a',
    name: 'Chlorophyll a',
    unit: 'µg/L',
    domain: 'water',
    nonNegative: true,
    // OECD (1982) calls lakes with mean chlorophyll a above 25 µg/L hypertrophic; cyanobacterial scums reach thousands.
    qc: { hardMin: 0, hardMax: 10_000, softMax: 1000 },
    source: 'OECD (1982) eutrophication of waters, trophic classification',
  },

  // ---- soil ----
  {
    code: 'soil_moisture',
    name: 'Volumetric soil water content',
    unit: '%',
    domain: 'soil',
    nonNegative: true,
    // Cannot exceed the pore space: about 30–60 % in mineral soils, up to about 90 % in peat.
    qc: { hardMin: 0, hardMax: 100, softMax: 65 },
    source: 'Porosity of mineral and organic soils',
  },
  {
    code: 'soil_organic_carbon',
    name: 'Soil organic carbon content',
    unit: 'g/kg',
    domain: 'soil',
    nonNegative: true,
    // Organic matter is about 50–58 % carbon, so even pure peat stays below about 580 g/kg.
    qc: { hardMin: 0, hardMax: 600, softMax: 550 },
    source: 'Carbon content of soil organic matter',
  },
  {
    code: 'soil_ph',
    name: 'Soil pH',
    unit: 'pH',
    domain: 'soil',
    // Acid sulphate soils fall to about 3.5, sodic soils rise to about 10.5.
    qc: { hardMin: 0, hardMax: 14, softMin: 3, softMax: 11 },
    source: 'Range of soil reaction in acid sulphate and sodic soils',
  },
  {
    code: 'soil_bulk_density',
    name: 'Soil bulk density',
    unit: 'g/cm³',
    domain: 'soil',
    nonNegative: true,
    // Bulk density cannot exceed the particle density of soil minerals (about 2.65 g/cm³ for quartz);
    // peat is about 0.1, compacted subsoils about 1.8.
    qc: { hardMin: 0, hardMax: 2.65, softMin: 0.05, softMax: 2 },
    source: 'Particle density of soil minerals',
  },
  {
    code: 'soil_erosion',
    name: 'Soil loss by water erosion',
    unit: 't/ha/yr',
    domain: 'soil',
    nonNegative: true,
    // The highest class mapped by RUSLE2015 starts at 50 t/ha/yr (Panagos et al. 2015; EU mean 2.46 t/ha/yr).
    qc: { hardMin: 0, softMax: 500 },
    source: 'Panagos et al. (2015), The new assessment of soil loss by water erosion in Europe',
  },

  // ---- land ----
  {
    code: 'ndvi',
    name: 'Normalized difference vegetation index',
    unit: 'index',
    domain: 'land',
    // (NIR − Red) / (NIR + Red) lies in [−1, 1] by construction.
    qc: { hardMin: -1, hardMax: 1 },
    source: 'Definition of NDVI (Rouse et al. 1974)',
  },
  {
    code: 'tree_cover_loss',
    name: 'Tree cover loss',
    unit: 'ha',
    domain: 'land',
    nonNegative: true,
    qc: { hardMin: 0 },
  },
  {
    code: 'burned_area',
    name: 'Burned area',
    unit: 'ha',
    domain: 'land',
    nonNegative: true,
    qc: { hardMin: 0 },
  },
  {
    code: 'fire_radiative_power',
    name: 'Fire radiative power',
    unit: 'MW',
    domain: 'land',
    nonNegative: true,
    qc: { hardMin: 0 },
  },

  // ---- biodiversity ----
  {
    code: 'species_count',
    name: 'Number of species observed',
    unit: 'count',
    domain: 'biodiversity',
    nonNegative: true,
    qc: { hardMin: 0 },
  },
] satisfies VariableDefinition[]);

const BY_CODE: ReadonlyMap<string, VariableDefinition> = new Map(VARIABLES.map((v) => [v.code, v]));

export function findVariable(code: string): VariableDefinition | undefined {
  return BY_CODE.get(code);
}
