import { describe, expect, it } from 'vitest';
import { qcLimitsProblems } from '../ingest/quality-control.ts';
import { findUnit } from './units.ts';
import { DOMAINS, findVariable, VARIABLES } from './variables.ts';

describe('the preset variables', () => {
  it('have unique lower snake_case codes', () => {
    const codes = VARIABLES.map((v) => v.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
  });

  it('name a canonical unit symbol of the units table, not an alias', () => {
    for (const v of VARIABLES) expect(findUnit(v.unit)?.symbol, v.code).toBe(v.unit);
  });

  it('belong to a known domain, and every domain has a variable', () => {
    for (const v of VARIABLES) expect(DOMAINS).toContain(v.domain);
    const used = new Set(VARIABLES.map((v) => v.domain));
    for (const d of DOMAINS) expect(used.has(d), d).toBe(true);
  });

  it('carry usable QC limits with soft limits inside hard ones', () => {
    for (const { code, qc } of VARIABLES) {
      expect(qcLimitsProblems(qc), code).toEqual([]);
      const { hardMin = -Infinity, hardMax = Infinity, softMin = hardMin, softMax = hardMax } = qc;
      expect(softMin, code).toBeGreaterThanOrEqual(hardMin);
      expect(softMax, code).toBeLessThanOrEqual(hardMax);
      expect(softMin, code).toBeLessThan(softMax);
    }
  });

  it('include the platform presets in their expected units', () => {
    const expected: Record<string, string> = {
      pm25: 'µg/m³',
      pm10: 'µg/m³',
      no2: 'µg/m³',
      o3: 'µg/m³',
      so2: 'µg/m³',
      co: 'mg/m³',
      air_temperature: '°C',
      relative_humidity: '%',
      wind_speed: 'm/s',
      precipitation: 'mm',
      air_pressure: 'hPa',
      water_level: 'm',
      discharge: 'm³/s',
      water_temperature: '°C',
      dissolved_oxygen: 'mg/L',
      turbidity: 'NTU',
      water_ph: 'pH',
      conductivity: 'µS/cm',
      nitrate: 'mg/L',
      chlorophyll_a: 'µg/L',
      soil_moisture: '%',
      soil_organic_carbon: 'g/kg',
      soil_ph: 'pH',
      soil_bulk_density: 'g/cm³',
      soil_erosion: 't/ha/yr',
      ndvi: 'index',
      tree_cover_loss: 'ha',
      sound_level: 'dB',
      species_count: 'count',
      fire_radiative_power: 'MW',
    };
    for (const [code, unit] of Object.entries(expected)) expect(findVariable(code)?.unit, code).toBe(unit);
  });

  it('bound air temperature by the world records', () => {
    const qc = findVariable('air_temperature')?.qc;
    expect(qc?.hardMin).toBeLessThanOrEqual(-89.2);
    expect(qc?.hardMax).toBeGreaterThanOrEqual(56.7);
  });

  it('find nothing for an unknown code', () => {
    expect(findVariable('PM25')).toBeUndefined();
    expect(findVariable('unobtainium')).toBeUndefined();
  });
});
