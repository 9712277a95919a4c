import { describe, expect, it } from 'vitest';
import { describeAnomaly, describeDetection, formatValue, localMoment } from './signal.ts';

describe('signal sentences', () => {
  it('reads like a duty officer would say it, in the station’s local time', () => {
    const tuesday8amDhaka = Date.parse('2026-11-24T02:00:00Z'); // UTC+6
    expect(
      describeAnomaly({
        variable: 'PM2.5',
        place: 'Dhaka-Agargaon',
        observed: 86,
        unit: 'µg/m³',
        expected: 22,
        spread: 6,
        timeMs: tuesday8amDhaka,
        timeZone: 'Asia/Dhaka',
      }),
    ).toBe('PM2.5 at Dhaka-Agargaon: 86 µg/m³, expected 22 ± 6 for a Tuesday 08:00; 10.7 σ above baseline');
  });

  it('says UTC when the zone is unknown, and survives a bad zone name', () => {
    const t = Date.parse('2026-11-24T02:00:00Z');
    expect(localMoment(t, null)).toBe('a Tuesday 02:00 UTC');
    expect(localMoment(t, 'Not/AZone')).toBe('a Tuesday 02:00 UTC');
  });

  it('keeps three significant digits', () => {
    expect(formatValue(86)).toBe('86');
    expect(formatValue(22.449)).toBe('22.4');
    expect(formatValue(0.031249)).toBe('0.0312');
    expect(formatValue(12345.6)).toBe('12,346');
  });
});

describe('detection sentences by reason', () => {
  const base = {
    variable: 'Water level',
    place: 'Nairobi River',
    observed: 2.4,
    unit: 'm',
    expected: 0.45,
    spread: 0.05,
    timeMs: Date.parse('2026-11-23T14:55:00Z'),
    timeZone: 'Africa/Nairobi',
  };
  it('says a record is a record rather than quoting a misleading σ', () => {
    expect(describeDetection({ ...base, reason: 'above_seen_range' })).toBe(
      'Water level at Nairobi River: 2.4 m at Monday 17:55, the highest since monitoring began',
    );
  });
  it('names a level shift and falls back to the z-score sentence', () => {
    expect(describeDetection({ ...base, reason: 'level_shift_up' })).toMatch(
      /the level has shifted up from about 0.45$/,
    );
    expect(describeDetection({ ...base, reason: 'above_baseline' })).toBe(describeAnomaly(base));
  });
});
