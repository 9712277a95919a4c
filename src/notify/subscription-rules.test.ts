import { describe, expect, it } from 'vitest';
import { type DigestSetting, deliverAt, digestAt, digestIdOf } from './subscription-rules.ts';

const at = (iso: string) => Date.parse(iso);
const SLOW = { hazard: 'soil_carbon_loss', severity: 'Moderate' } as const;
const SUDDEN = { hazard: 'air_pollution', severity: 'Severe' } as const;

describe('quiet hours', () => {
  const quiet = { start: '22:00', end: '06:00', timeZone: 'Asia/Dhaka' }; // UTC+6
  it('holds a warning published in them until their end, to the minute', () => {
    const v = { severity: 'Severe', msgType: 'Alert' } as const;
    expect(deliverAt(quiet, at('2026-03-01T18:30:20Z'), v)).toBe(at('2026-03-02T00:00:00Z'));
    expect(deliverAt(quiet, at('2026-03-01T03:00:00Z'), v)).toBe(at('2026-03-01T03:00:00Z'));
  });
  it('lets Extreme warnings and all-clears through', () => {
    const now = at('2026-03-01T18:30:00Z');
    expect(deliverAt(quiet, now, { severity: 'Extreme', msgType: 'Alert' })).toBe(now);
    expect(deliverAt(quiet, now, { severity: 'Minor', msgType: 'Cancel' })).toBe(now);
  });
});

describe('digest time', () => {
  const nairobi: DigestSetting = { at: '07:00', timeZone: 'Africa/Nairobi', onset: 'slow' }; // UTC+3

  it('is the next local digest hour', () => {
    expect(digestAt(nairobi, at('2026-03-01T01:15:42Z'), SLOW)).toBe(at('2026-03-01T04:00:00Z'));
    expect(digestAt(nairobi, at('2026-03-01T05:00:00Z'), SLOW)).toBe(at('2026-03-02T04:00:00Z'));
  });

  it('at the digest minute itself, waits for the next day: that digest may be on its way already', () => {
    expect(digestAt(nairobi, at('2026-03-01T04:00:30Z'), SLOW)).toBe(at('2026-03-02T04:00:00Z'));
  });

  it('sends sudden-onset hazards at once unless every warning is asked for, and Extreme ones always', () => {
    expect(digestAt(nairobi, at('2026-03-01T01:00:00Z'), SUDDEN)).toBeNull();
    expect(digestAt({ ...nairobi, onset: 'all' }, at('2026-03-01T01:00:00Z'), SUDDEN)).toBe(
      at('2026-03-01T04:00:00Z'),
    );
    expect(digestAt({ ...nairobi, onset: 'all' }, 0, { ...SLOW, severity: 'Extreme' })).toBeNull();
    expect(digestAt(null, 0, SLOW)).toBeNull();
  });

  it('keeps the wall-clock hour across a daylight-saving change', () => {
    const paris: DigestSetting = { at: '08:00', timeZone: 'Europe/Paris', onset: 'all' };
    // Clocks go forward on 29 March 2026 at 02:00 CET: 08:00 that day is 06:00 UTC, the day before 07:00 UTC.
    expect(digestAt(paris, at('2026-03-28T12:00:00Z'), SLOW)).toBe(at('2026-03-29T06:00:00Z'));
    expect(digestAt(paris, at('2026-10-24T12:00:00Z'), SLOW)).toBe(at('2026-10-25T07:00:00Z'));
  });

  it('an unknown zone does not hold a warning back', () => {
    expect(digestAt({ ...nairobi, timeZone: 'Mars/Olympus' }, 0, SLOW)).toBeNull();
  });

  it('names a digest by subscriber, time and first version', () => {
    expect(digestIdOf(12, at('2026-03-01T04:00:00Z'), 345)).toBe('dgs_12_1772337600_345');
  });
});
