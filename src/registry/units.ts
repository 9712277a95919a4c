/** @module The units table: every unit EW4E accepts, its dimension, and its linear map to the SI base unit of that dimension, so values can be converted between units on ingest and on display. */

/**
 * What a unit measures. Two units convert into each other only within one dimension.
 * Logarithmic and scale-defined quantities (sound level, pH, turbidity, counts, spectral
 * indices) get a dimension of their own with a single unit, so they never convert by accident.
 */
export type Dimension =
  | 'temperature'
  | 'mass_concentration'
  | 'length'
  | 'speed'
  | 'pressure'
  | 'ratio'
  | 'area'
  | 'volume_flow'
  | 'conductivity'
  | 'mass'
  | 'mass_fraction'
  | 'mass_flux'
  | 'time'
  | 'irradiance'
  | 'power'
  | 'sound_level'
  | 'ph'
  | 'turbidity'
  | 'count'
  | 'index';

export interface UnitDefinition {
  /** Canonical symbol, the spelling stored in the database and shown to people. */
  readonly symbol: string;
  readonly name: string;
  readonly dimension: Dimension;
  /** value_in_base = value * scale + offset, where the base unit of the dimension has scale 1, offset 0. */
  readonly scale: number;
  readonly offset: number;
  /** Other spellings accepted on input (ASCII forms, common abbreviations). */
  readonly aliases: readonly string[];
}

/** The SI (or, for self-only dimensions, the sole) unit of each dimension: scale 1, offset 0. */
export const BASE_UNITS: Readonly<Record<Dimension, string>> = {
  temperature: 'K',
  mass_concentration: 'kg/m³',
  length: 'm',
  speed: 'm/s',
  pressure: 'Pa',
  ratio: '1',
  area: 'm²',
  volume_flow: 'm³/s',
  conductivity: 'S/m',
  mass: 'kg',
  mass_fraction: 'kg/kg',
  mass_flux: 'kg/m²/s',
  time: 's',
  irradiance: 'W/m²',
  power: 'W',
  sound_level: 'dB',
  ph: 'pH',
  turbidity: 'NTU',
  count: 'count',
  index: 'index',
};

/**
 * ASCII spellings of a symbol that uses superscript digits or the micro sign: 'µg/m³' is also
 * accepted as 'µg/m3', 'ug/m³' and 'ug/m3'. Sensors and CSV exports rarely carry the Unicode forms.
 */
function asciiSpellings(symbol: string): string[] {
  const digits = symbol.replaceAll('³', '3').replaceAll('²', '2');
  return [digits, symbol.replaceAll('µ', 'u'), digits.replaceAll('µ', 'u')];
}

function unit(
  symbol: string,
  name: string,
  dimension: Dimension,
  scale: number,
  extraAliases: readonly string[] = [],
  offset = 0,
): UnitDefinition {
  const aliases = [...new Set([...asciiSpellings(symbol), ...extraAliases])].filter((a) => a !== symbol);
  return Object.freeze({ symbol, name, dimension, scale, offset, aliases: Object.freeze(aliases) });
}

/** Seconds in a Julian year (365.25 d), the year of IAU and IUPAC's symbol 'a'. */
const JULIAN_YEAR_S = 365.25 * 86_400;

export const UNITS: readonly UnitDefinition[] = Object.freeze([
  // Temperature. 'ºC' (masculine ordinal, common in Spanish and Portuguese data) is folded into '°C' by unitKey.
  unit('K', 'kelvin', 'temperature', 1, ['kelvin']),
  unit('°C', 'degree Celsius', 'temperature', 1, ['degC', 'C', 'deg C', '℃', 'celsius'], 273.15),
  unit(
    '°F',
    'degree Fahrenheit',
    'temperature',
    5 / 9,
    ['degF', 'deg F', '℉', 'fahrenheit'],
    273.15 - (32 * 5) / 9,
  ),

  // Mass concentration, in air (per m³) and in water (per litre): 1 mg/L = 1 g/m³.
  unit('kg/m³', 'kilogram per cubic metre', 'mass_concentration', 1),
  unit('g/m³', 'gram per cubic metre', 'mass_concentration', 1e-3),
  unit('mg/m³', 'milligram per cubic metre', 'mass_concentration', 1e-6, ['mg m-3']),
  unit('µg/m³', 'microgram per cubic metre', 'mass_concentration', 1e-9, ['µg m-3', 'ug m-3']),
  unit('ng/m³', 'nanogram per cubic metre', 'mass_concentration', 1e-12, ['ng m-3']),
  unit('g/L', 'gram per litre', 'mass_concentration', 1, ['g/l']),
  unit('mg/L', 'milligram per litre', 'mass_concentration', 1e-3, ['mg/l']),
  unit('µg/L', 'microgram per litre', 'mass_concentration', 1e-6, ['µg/l', 'ug/l']),
  unit('ng/L', 'nanogram per litre', 'mass_concentration', 1e-9, ['ng/l']),
  // Soil bulk density is a mass per volume too; soil science reports it in g/cm³.
  unit('g/cm³', 'gram per cubic centimetre', 'mass_concentration', 1e3, ['g/cc']),

  unit('m', 'metre', 'length', 1),
  unit('cm', 'centimetre', 'length', 1e-2),
  unit('mm', 'millimetre', 'length', 1e-3),
  unit('km', 'kilometre', 'length', 1e3),
  // International inch and foot (1959): exact by definition.
  unit('in', 'inch', 'length', 0.0254, ['inch']),
  unit('ft', 'foot', 'length', 0.3048, ['foot', 'feet']),

  unit('m/s', 'metre per second', 'speed', 1, ['m s-1']),
  unit('km/h', 'kilometre per hour', 'speed', 1000 / 3600, ['kmh', 'kph', 'km/hr']),
  unit('kn', 'knot', 'speed', 1852 / 3600, ['kt', 'knot', 'knots']),
  unit('mph', 'mile per hour', 'speed', 0.44704),

  unit('Pa', 'pascal', 'pressure', 1),
  unit('hPa', 'hectopascal', 'pressure', 100),
  unit('kPa', 'kilopascal', 'pressure', 1e3),
  unit('bar', 'bar', 'pressure', 1e5),
  unit('mbar', 'millibar', 'pressure', 100, ['mb']),
  unit('atm', 'standard atmosphere', 'pressure', 101_325),
  // Conventional millimetre and inch of mercury, NIST SP 811 appendix B.
  unit('mmHg', 'millimetre of mercury', 'pressure', 133.322387415, ['mm Hg']),
  unit('inHg', 'inch of mercury', 'pressure', 3386.389, ['in Hg']),

  // Dimensionless ratios. ppm and ppb are volume mixing ratios for gases; converting them to
  // mass concentration needs molar mass, temperature and pressure, so they are not mass_concentration.
  unit('1', 'dimensionless ratio', 'ratio', 1, ['fraction']),
  unit('%', 'percent', 'ratio', 1e-2, ['percent']),
  unit('‰', 'per mille', 'ratio', 1e-3, ['permille']),
  unit('ppm', 'part per million', 'ratio', 1e-6, ['ppmv']),
  unit('ppb', 'part per billion', 'ratio', 1e-9, ['ppbv']),

  unit('m²', 'square metre', 'area', 1),
  unit('ha', 'hectare', 'area', 1e4),
  unit('km²', 'square kilometre', 'area', 1e6),

  unit('m³/s', 'cubic metre per second', 'volume_flow', 1, ['cumec']),
  unit('L/s', 'litre per second', 'volume_flow', 1e-3, ['l/s']),
  unit('m³/h', 'cubic metre per hour', 'volume_flow', 1 / 3600),

  // 1 mS/cm = 1e-3 S / 1e-2 m = 0.1 S/m.
  unit('S/m', 'siemens per metre', 'conductivity', 1),
  unit('mS/m', 'millisiemens per metre', 'conductivity', 1e-3),
  unit('mS/cm', 'millisiemens per centimetre', 'conductivity', 0.1),
  unit('µS/cm', 'microsiemens per centimetre', 'conductivity', 1e-4),

  unit('kg', 'kilogram', 'mass', 1),
  unit('g', 'gram', 'mass', 1e-3),
  unit('mg', 'milligram', 'mass', 1e-6),
  unit('t', 'tonne', 'mass', 1e3, ['tonne']),

  // Mass fractions (soil contents). Not '%', which is a ratio of anything.
  unit('kg/kg', 'kilogram per kilogram', 'mass_fraction', 1),
  unit('g/kg', 'gram per kilogram', 'mass_fraction', 1e-3),
  unit('mg/kg', 'milligram per kilogram', 'mass_fraction', 1e-6),
  unit('µg/kg', 'microgram per kilogram', 'mass_fraction', 1e-9),

  // Mass per area per time: soil loss rates.
  unit('kg/m²/s', 'kilogram per square metre per second', 'mass_flux', 1),
  unit('t/ha/yr', 'tonne per hectare per year', 'mass_flux', 1e3 / 1e4 / JULIAN_YEAR_S, [
    't/ha/a',
    't ha-1 yr-1',
  ]),

  unit('s', 'second', 'time', 1, ['sec']),
  unit('min', 'minute', 'time', 60),
  unit('h', 'hour', 'time', 3600, ['hr']),
  unit('d', 'day', 'time', 86_400, ['day']),

  unit('W/m²', 'watt per square metre', 'irradiance', 1, ['W m-2']),
  unit('kW/m²', 'kilowatt per square metre', 'irradiance', 1e3),

  unit('W', 'watt', 'power', 1),
  unit('kW', 'kilowatt', 'power', 1e3),
  unit('MW', 'megawatt', 'power', 1e6),
  unit('GW', 'gigawatt', 'power', 1e9),

  // The unit of a sound pressure level is the decibel; the frequency weighting belongs to the
  // quantity (ISO 1996-1: L_Aeq), so 'dB(A)' is accepted as a spelling of dB.
  unit('dB', 'decibel', 'sound_level', 1, ['dB(A)', 'dBA']),
  unit('pH', 'pH', 'ph', 1, ['pH units']),
  // NTU (EPA 180.1, white light) and FNU (ISO 7027, infrared) measure differently; FNU is not an alias.
  unit('NTU', 'nephelometric turbidity unit', 'turbidity', 1),
  unit('count', 'count', 'count', 1, ['counts']),
  unit('index', 'dimensionless index', 'index', 1),
]);

/**
 * Folds spellings that look alike and mean the same: the Greek mu (U+03BC) into the micro sign
 * (U+00B5), and the masculine ordinal 'º' into the degree sign '°'.
 */
export function unitKey(symbolOrAlias: string): string {
  return symbolOrAlias.trim().replaceAll('\u03bc', '\u00b5').replaceAll('\u00ba', '\u00b0');
}

const BY_KEY: ReadonlyMap<string, UnitDefinition> = (() => {
  const map = new Map<string, UnitDefinition>();
  for (const u of UNITS) {
    for (const spelling of [u.symbol, ...u.aliases]) map.set(unitKey(spelling), u);
  }
  return map;
})();

/** The unit spelled `symbolOrAlias` (canonical symbol or alias; case-sensitive, since mS ≠ MS). */
export function findUnit(symbolOrAlias: string): UnitDefinition | undefined {
  return BY_KEY.get(unitKey(symbolOrAlias));
}

export type Conversion =
  | { readonly kind: 'same' }
  | { readonly kind: 'convert'; readonly scale: number; readonly offset: number }
  | { readonly kind: 'unknown-unit'; readonly unit: string }
  | {
      readonly kind: 'incompatible';
      readonly from: string;
      readonly to: string;
      readonly fromDimension: Dimension;
      readonly toDimension: Dimension;
    };

const SAME: Conversion = Object.freeze({ kind: 'same' });

/**
 * Rounds a derived factor to 15 significant digits. The table's factors are decimal or small
 * fractions, so this removes binary division noise (1e-3 / 1e-6 = 1000.0000000000001) and keeps
 * decimal conversions exact; 15 digits is below any measurement's precision.
 */
function tidy(x: number): number {
  return Number(x.toPrecision(15));
}

/** How to convert values in `from` into `to`: target = value * scale + offset. */
export function conversionBetween(from: string, to: string): Conversion {
  const a = findUnit(from);
  if (a === undefined) return { kind: 'unknown-unit', unit: from };
  const b = findUnit(to);
  if (b === undefined) return { kind: 'unknown-unit', unit: to };
  if (a === b) return SAME;
  if (a.dimension !== b.dimension) {
    return { kind: 'incompatible', from, to, fromDimension: a.dimension, toDimension: b.dimension };
  }
  // base = v*sa + oa = w*sb + ob  ⇒  w = v*(sa/sb) + (oa - ob)/sb
  return { kind: 'convert', scale: tidy(a.scale / b.scale), offset: tidy((a.offset - b.offset) / b.scale) };
}

export function applyConversion(c: { readonly scale: number; readonly offset: number }, v: number): number {
  return v * c.scale + c.offset;
}
