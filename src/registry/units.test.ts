import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyConversion,
  BASE_UNITS,
  type Conversion,
  conversionBetween,
  findUnit,
  UNITS,
  unitKey,
} from './units.ts';

function convert(from: string, to: string, v: number): number {
  const c = conversionBetween(from, to);
  if (c.kind === 'same') return v;
  if (c.kind !== 'convert') throw new Error(`no conversion ${from} → ${to}: ${c.kind}`);
  return applyConversion(c, v);
}

describe('the units table', () => {
  it('spells every unit, by symbol or alias, only once (after folding look-alike characters)', () => {
    const seen = new Map<string, string>();
    for (const u of UNITS) {
      for (const spelling of [u.symbol, ...u.aliases]) {
        const key = unitKey(spelling);
        expect(seen.get(key), `'${spelling}' of ${u.symbol} clashes`).toBeUndefined();
        seen.set(key, u.symbol);
      }
    }
  });

  it('has exactly one base unit (scale 1, offset 0) per dimension, named in BASE_UNITS', () => {
    for (const [dimension, symbol] of Object.entries(BASE_UNITS)) {
      const base = findUnit(symbol);
      expect(base?.symbol).toBe(symbol);
      expect(base?.dimension).toBe(dimension);
      expect(base?.scale).toBe(1);
      expect(base?.offset).toBe(0);
    }
    const dimensions = new Set(UNITS.map((u) => u.dimension));
    expect([...dimensions].sort()).toEqual(Object.keys(BASE_UNITS).sort());
  });

  it('has positive finite scales and finite offsets', () => {
    for (const u of UNITS) {
      expect(Number.isFinite(u.scale) && u.scale > 0, u.symbol).toBe(true);
      expect(Number.isFinite(u.offset), u.symbol).toBe(true);
    }
  });

  it('finds units by ASCII alias, by Greek mu and by micro sign', () => {
    expect(findUnit('ug/m3')?.symbol).toBe('µg/m³');
    expect(findUnit('\u00b5g/m3')?.symbol).toBe('µg/m³');
    expect(findUnit('\u03bcg/m\u00b3')?.symbol).toBe('µg/m³');
    expect(findUnit('\u03bcS/cm')?.symbol).toBe('µS/cm');
    expect(findUnit('uS/cm')?.symbol).toBe('µS/cm');
    expect(findUnit('degC')?.symbol).toBe('°C');
    expect(findUnit('C')?.symbol).toBe('°C');
    expect(findUnit('\u00baC')?.symbol).toBe('°C');
    expect(findUnit('degF')?.symbol).toBe('°F');
    expect(findUnit('m2')?.symbol).toBe('m²');
    expect(findUnit('km2')?.symbol).toBe('km²');
    expect(findUnit('m3/s')?.symbol).toBe('m³/s');
    expect(findUnit('mg/l')?.symbol).toBe('mg/L');
    expect(findUnit(' hPa ')?.symbol).toBe('hPa');
  });

  it('keeps case: mS/cm is not MS/cm', () => {
    expect(findUnit('MS/cm')).toBeUndefined();
    expect(findUnit('pa')).toBeUndefined();
  });
});

describe('conversionBetween', () => {
  it('converts temperatures: 25 °C = 298.15 K = 77 °F', () => {
    expect(convert('°C', 'K', 25)).toBeCloseTo(298.15, 12);
    expect(convert('°C', '°F', 25)).toBeCloseTo(77, 12);
    expect(convert('°F', 'K', 77)).toBeCloseTo(298.15, 12);
    expect(convert('K', '°C', 0)).toBeCloseTo(-273.15, 12);
    expect(conversionBetween('degC', 'degF')).toEqual({ kind: 'convert', scale: 1.8, offset: 32 });
  });

  it('converts mass concentrations exactly for decimal prefixes', () => {
    expect(convert('mg/m³', 'µg/m³', 1)).toBe(1000);
    expect(convert('mg/L', 'µg/L', 1)).toBe(1000);
    expect(convert('mg/L', 'g/m³', 7.5)).toBe(7.5);
    expect(convert('ug/m3', 'ng/m3', 2)).toBe(2000);
    expect(convert('g/cm³', 'kg/m³', 1.3)).toBe(1300);
  });

  it('converts speeds, pressures, areas and flows', () => {
    expect(convert('km/h', 'm/s', 1)).toBeCloseTo(1 / 3.6, 15);
    expect(convert('kn', 'km/h', 1)).toBeCloseTo(1.852, 12);
    expect(convert('hPa', 'Pa', 1)).toBe(100);
    expect(convert('mbar', 'hPa', 1013.25)).toBe(1013.25);
    expect(convert('atm', 'hPa', 1)).toBe(1013.25);
    expect(convert('ha', 'km²', 250)).toBe(2.5);
    expect(convert('L/s', 'm³/s', 1500)).toBe(1.5);
    expect(convert('mS/cm', 'µS/cm', 1.2)).toBe(1200);
    expect(convert('%', 'ppm', 1)).toBe(10_000);
    expect(convert('MW', 'W', 2)).toBe(2e6);
  });

  it('says same for one unit however spelled', () => {
    expect(conversionBetween('µg/m³', 'ug/m3')).toEqual({ kind: 'same' });
    expect(conversionBetween('dB', 'dB(A)')).toEqual({ kind: 'same' });
  });

  it('names the unknown unit', () => {
    expect(conversionBetween('furlong', 'm')).toEqual({ kind: 'unknown-unit', unit: 'furlong' });
    expect(conversionBetween('m', 'furlong')).toEqual({ kind: 'unknown-unit', unit: 'furlong' });
  });

  it('refuses to convert across dimensions, ppm into µg/m³ included', () => {
    const expected: Conversion = {
      kind: 'incompatible',
      from: 'ppm',
      to: 'µg/m³',
      fromDimension: 'ratio',
      toDimension: 'mass_concentration',
    };
    expect(conversionBetween('ppm', 'µg/m³')).toEqual(expected);
    expect(conversionBetween('%', 'g/kg').kind).toBe('incompatible');
    expect(conversionBetween('index', '1').kind).toBe('incompatible');
    expect(conversionBetween('dB', '1').kind).toBe('incompatible');
  });

  it('round-trips from → to → from within 1e-9 relative error for every pair of one dimension', () => {
    const pairs = UNITS.flatMap((a) =>
      UNITS.filter((b) => b.dimension === a.dimension).map((b) => [a.symbol, b.symbol] as const),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...pairs),
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        ([from, to], v) => {
          const back = convert(to, from, convert(from, to, v));
          // Offsets (°C, °F) make the error absolute near zero, hence the floor of 1.
          return Math.abs(back - v) <= 1e-9 * Math.max(Math.abs(v), 1);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
