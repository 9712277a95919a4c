import { describe, expect, it } from 'vitest';
import { containsPoint } from '../geo/area-membership.ts';
import { findVariable } from '../registry/variables.ts';
import {
  DAY_MS,
  DEMO_AREAS,
  DEMO_ORGANISATIONS,
  DEMO_SEED,
  DEMO_SOURCES,
  DEMO_STATIONS,
  type DemoSeries,
  type DemoStation,
  demoEvents,
  episodeStrength,
  firstDueAfter,
  HOUR_MS,
  lastLocalTimeBefore,
  levelAt,
  localSolarHour,
  sampleAt,
  seriesCodeOf,
} from './demo-data.ts';

const MINUTE_MS = 60_000;
const T0 = Date.UTC(2025, 2, 3); // a Monday

function find(stationCode: string, variable: string): { station: DemoStation; series: DemoSeries } {
  const station = DEMO_STATIONS.find((s) => s.code === stationCode);
  const series = station?.series.find((s) => s.variable === variable);
  if (station === undefined || series === undefined) throw new Error(`no ${stationCode}:${variable}`);
  return { station, series };
}

/** Local solar hour of the largest level over one UTC day, sampled every minute. */
function peakHour(stationCode: string, variable: string, dayStartMs: number): number {
  const { station, series } = find(stationCode, variable);
  let best = Number.NEGATIVE_INFINITY;
  let bestTime = dayStartMs;
  for (let t = dayStartMs; t < dayStartMs + DAY_MS; t += MINUTE_MS) {
    const level = levelAt(station, series, t, DEMO_SEED);
    if (level > best) {
      best = level;
      bestTime = t;
    }
  }
  return localSolarHour(bestTime, station.lon);
}

/** Mean of the noise-free level at a local solar hour over a week. */
function meanLevelAtLocalHour(stationCode: string, variable: string, hour: number): number {
  const { station, series } = find(stationCode, variable);
  let sum = 0;
  for (let d = 0; d < 7; d++) {
    const t = lastLocalTimeBefore(T0 + (d + 1) * DAY_MS, hour, station.lon);
    sum += levelAt(station, series, t, DEMO_SEED);
  }
  return sum / 7;
}

describe('demo content', () => {
  it('uses only preset variables, known organisations and sources, and unique codes', () => {
    const organisations = new Set(DEMO_ORGANISATIONS.map((o) => o.code));
    const sources = new Set(DEMO_SOURCES.map((s) => `${s.organisation}/${s.code}`));
    for (const station of DEMO_STATIONS) {
      expect(organisations.has(station.organisation)).toBe(true);
      expect(sources.has(`${station.organisation}/${station.source}`)).toBe(true);
      for (const series of station.series)
        expect(findVariable(series.variable), series.variable).toBeDefined();
    }
    const codes = DEMO_STATIONS.map((s) => s.code);
    expect(new Set(codes).size).toBe(codes.length);
    const senses = new Set(DEMO_STATIONS.map((s) => s.sense));
    expect([...senses].sort()).toEqual([
      'acoustic',
      'aerial',
      'camera_trap',
      'citizen_report',
      'ground_station',
      'satellite',
    ]);
  });

  it('places stations inside the areas they belong to', () => {
    const area = (code: string) => DEMO_AREAS.find((a) => a.code === code)!.geometry;
    const inside = (station: string, areaCode: string) => {
      const s = DEMO_STATIONS.find((x) => x.code === station)!;
      return containsPoint(area(areaCode), s.lon, s.lat);
    };
    for (const s of [
      'bd-dhaka-agargaon',
      'bd-dhaka-gulshan',
      'bd-dhaka-farmgate-noise',
      'bd-dhaka-citizen',
    ]) {
      expect(inside(s, 'bd-dhaka'), s).toBe(true);
    }
    for (const s of ['ke-nairobi-cbd', 'ke-nairobi-river', 'ke-nairobi-np-cameratrap']) {
      expect(inside(s, 'ke-nairobi'), s).toBe(true);
    }
    expect(inside('ke-nairobi-np-cameratrap', 'wdpa-758')).toBe(true);
    expect(inside('ke-nairobi-cbd', 'wdpa-758')).toBe(false);
    expect(inside('br-manaus-drone', 'br-ducke')).toBe(true);
    expect(inside('br-manaus-sentinel2', 'br-ducke')).toBe(true);
  });

  it('dates every event in the days before now, the fire detections at VIIRS overpass hours', () => {
    const now = T0 + 10.25 * HOUR_MS;
    const events = demoEvents(now);
    expect(new Set(events.map((e) => e.kind))).toEqual(
      new Set(['fire_detection', 'forest_loss_alert', 'citizen_report']),
    );
    for (const e of events) {
      expect(e.timeMs).toBeLessThanOrEqual(now);
      expect(e.timeMs).toBeGreaterThan(now - 5 * DAY_MS);
    }
    for (const e of events.filter((x) => x.kind === 'fire_detection')) {
      const [lon] = (e.geometry as { coordinates: number[] }).coordinates;
      const hour = localSolarHour(e.timeMs, lon!);
      expect(Math.min(Math.abs(hour - 1.5), Math.abs(hour - 13.5))).toBeLessThan(0.05);
    }
    expect(new Set(events.map((e) => e.externalId)).size).toBe(events.length);
  });
});

describe('daily cycles', () => {
  it('peaks air temperature at 15:00 local solar time, in Dhaka and in Nairobi', () => {
    for (const day of [0, 90, 180, 270]) {
      expect(peakHour('bd-dhaka-agargaon', 'air_temperature', T0 + day * DAY_MS)).toBeCloseTo(15, 0);
      expect(peakHour('ke-nairobi-cbd', 'air_temperature', T0 + day * DAY_MS)).toBeCloseTo(15, 0);
    }
  });

  it('keeps relative humidity lowest when temperature is highest', () => {
    const { station, series } = find('bd-dhaka-agargaon', 'relative_humidity');
    let lowest = Number.POSITIVE_INFINITY;
    let lowestTime = T0;
    for (let t = T0; t < T0 + DAY_MS; t += MINUTE_MS) {
      const level = levelAt(station, series, t, DEMO_SEED);
      if (level < lowest) [lowest, lowestTime] = [level, t];
    }
    expect(localSolarHour(lowestTime, station.lon)).toBeCloseTo(15, 0);
  });

  it('gives Dhaka PM2.5 rush-hour peaks, a raised night and a clean afternoon', () => {
    const at = (h: number) => meanLevelAtLocalHour('bd-dhaka-agargaon', 'pm25', h);
    expect(at(8.5)).toBeGreaterThan(at(11.5));
    expect(at(20)).toBeGreaterThan(at(16));
    expect(at(3)).toBeGreaterThan(at(14));
    for (const h of [0, 3, 8.5, 14, 20]) {
      expect(at(h)).toBeGreaterThan(45);
      expect(at(h)).toBeLessThan(90);
    }
  });

  it('lowers traffic pollution on the local weekend (Friday in Dhaka)', () => {
    const { station, series } = find('bd-dhaka-agargaon', 'no2');
    const friday = lastLocalTimeBefore(T0 + 5 * DAY_MS, 20, station.lon); // Fri 7 March, 20:00 local
    const thursday = friday - DAY_MS;
    expect(new Date(friday + 6 * HOUR_MS).getUTCDay()).toBe(5);
    expect(levelAt(station, series, friday, DEMO_SEED)).toBeLessThan(
      levelAt(station, series, thursday, DEMO_SEED),
    );
  });

  it('makes noise louder by day, oxygen lowest before dawn, and animals busiest at dawn and dusk', () => {
    expect(meanLevelAtLocalHour('bd-dhaka-farmgate-noise', 'sound_level', 12)).toBeGreaterThan(
      meanLevelAtLocalHour('bd-dhaka-farmgate-noise', 'sound_level', 3) + 10,
    );
    expect(meanLevelAtLocalHour('ke-nairobi-river', 'dissolved_oxygen', 15.5)).toBeGreaterThan(
      meanLevelAtLocalHour('ke-nairobi-river', 'dissolved_oxygen', 3.5) + 2,
    );
    const count = (h: number) => meanLevelAtLocalHour('ke-nairobi-np-cameratrap', 'species_count', h);
    expect(count(6.3)).toBeGreaterThan(3 * count(12));
    expect(count(18.6)).toBeGreaterThan(3 * count(0));
  });

  it('dries the black soil between rains and wets it when it rains', () => {
    const { station, series } = find('cn-harbin-blacksoil', 'soil_moisture');
    const summer = Date.UTC(2025, 6, 1);
    let rises = 0;
    let falls = 0;
    let previous = levelAt(station, series, summer, DEMO_SEED);
    for (let t = summer + HOUR_MS; t < summer + 60 * DAY_MS; t += HOUR_MS) {
      const level = levelAt(station, series, t, DEMO_SEED);
      if (level > previous + 0.5) rises++;
      if (level < previous) falls++;
      previous = level;
    }
    expect(rises).toBeGreaterThan(3);
    expect(falls).toBeGreaterThan(60 * 24 * 0.7);
  });
});

describe('simulated values', () => {
  it('stay within the variable’s soft limits in normal hours, and within its hard limits unless a fault', () => {
    const outside: string[] = [];
    let checked = 0;
    for (const start of [
      Date.UTC(2025, 0, 10),
      Date.UTC(2025, 3, 10),
      Date.UTC(2025, 6, 10),
      Date.UTC(2025, 9, 10),
    ]) {
      for (const station of DEMO_STATIONS) {
        const cadenceMs = station.cadenceS * 1000;
        const span = station.cadenceS >= 86_400 ? 60 * DAY_MS : 2 * DAY_MS;
        for (const series of station.series) {
          const qc = findVariable(series.variable)!.qc;
          for (let t = firstDueAfter(start, cadenceMs); t < start + span; t += cadenceMs) {
            const sample = sampleAt(station, series, t, DEMO_SEED);
            if (sample === undefined || sample.state === 'fault') continue;
            checked++;
            const { value, state } = sample;
            const hard = value >= (qc.hardMin ?? -Infinity) && value <= (qc.hardMax ?? Infinity);
            const soft = value >= (qc.softMin ?? -Infinity) && value <= (qc.softMax ?? Infinity);
            if (!hard || (state === 'normal' && !soft)) {
              outside.push(
                `${seriesCodeOf(station, series)} at ${new Date(t).toISOString()} (${state}): ${value}`,
              );
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100_000);
    expect(outside.slice(0, 10)).toEqual([]);
  });

  it('puts a Dhaka smoke episode in every two days, raising PM2.5 well above the normal range', () => {
    const { station, series } = find('bd-dhaka-agargaon', 'pm25');
    const episode = series.episode!;
    let peak = 0;
    for (let t = T0; t < T0 + 2 * DAY_MS; t += MINUTE_MS) {
      if (episodeStrength(episode, station.lon, t, DEMO_SEED) > 0.9)
        peak = Math.max(peak, sampleAt(station, series, t, DEMO_SEED)!.value);
    }
    expect(peak).toBeGreaterThan(120);
  });

  it('are a function of seed, series and time only', () => {
    const { station, series } = find('bd-dhaka-gulshan', 'pm25');
    const times = Array.from({ length: 200 }, (_, i) => T0 + i * 7 * MINUTE_MS);
    const a = times.map((t) => sampleAt(station, series, t, 1)?.value);
    const b = times.map((t) => sampleAt(station, series, t, 1)?.value);
    const c = times.map((t) => sampleAt(station, series, t, 2)?.value);
    expect(a).toEqual(b);
    expect(a.filter((v, i) => v !== c[i]).length).toBeGreaterThan(150);
  });

  it('lie at multiples of the cadence, strictly after the last time written', () => {
    expect(firstDueAfter(T0, 60_000)).toBe(T0 + 60_000);
    expect(firstDueAfter(T0 + 1, 300_000)).toBe(T0 + 300_000);
    expect(firstDueAfter(T0 - 1, 3_600_000)).toBe(T0);
  });

  it('leaves some cloudy days without a satellite observation', () => {
    const { station, series } = find('br-manaus-sentinel2', 'ndvi');
    const days = Array.from({ length: 100 }, (_, i) => sampleAt(station, series, T0 + i * DAY_MS, DEMO_SEED));
    const missing = days.filter((d) => d === undefined).length;
    expect(missing).toBeGreaterThan(15);
    expect(missing).toBeLessThan(55);
  });
});
