import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoInstant } from './iso-time.ts';

function timeOf(text: string): number | string {
  const result = parseIsoInstant(text);
  return result.ok ? result.timeMs : result.reason;
}

describe('parseIsoInstant', () => {
  it('reads UTC instants with and without a fraction', () => {
    expect(timeOf('2026-11-23T08:00:00Z')).toBe(Date.UTC(2026, 10, 23, 8));
    expect(timeOf('2026-11-23T08:00:00.5Z')).toBe(Date.UTC(2026, 10, 23, 8, 0, 0, 500));
    expect(timeOf('2026-11-23T08:00:00.123Z')).toBe(Date.UTC(2026, 10, 23, 8, 0, 0, 123));
    expect(timeOf('2026-11-23t08:00:00z')).toBe(Date.UTC(2026, 10, 23, 8));
  });

  it('truncates digits past the millisecond', () => {
    expect(timeOf('2026-11-23T08:00:00.123999999Z')).toBe(Date.UTC(2026, 10, 23, 8, 0, 0, 123));
    expect(timeOf('2026-11-23T08:00:59,9999Z')).toBe(Date.UTC(2026, 10, 23, 8, 0, 59, 999));
  });

  it('accepts minutes precision (ISO 8601 reduced precision)', () => {
    expect(timeOf('2026-11-23T08:00Z')).toBe(Date.UTC(2026, 10, 23, 8));
    expect(timeOf('2026-11-23T08:00+01:00')).toBe(Date.UTC(2026, 10, 23, 7));
  });

  it('applies offsets in both notations', () => {
    expect(timeOf('2026-11-23T08:00:00+02:00')).toBe(Date.UTC(2026, 10, 23, 6));
    expect(timeOf('2026-11-23T08:00:00+0530')).toBe(Date.UTC(2026, 10, 23, 2, 30));
    expect(timeOf('2026-11-23T08:00:00-03:00')).toBe(Date.UTC(2026, 10, 23, 11));
    expect(timeOf('2026-01-01T00:30:00+01:00')).toBe(Date.UTC(2025, 11, 31, 23, 30));
    expect(timeOf('2026-11-23T08:00:00-00:00')).toBe(Date.UTC(2026, 10, 23, 8));
  });

  it('handles years 0-99 literally, unlike Date.UTC', () => {
    expect(timeOf('0050-06-01T00:00:00Z')).toBe(new Date('0050-06-01T00:00:00Z').getTime());
    expect(timeOf('0000-01-01T00:00:00Z')).toBe(new Date('0000-01-01T00:00:00Z').getTime());
  });

  it('requires a time zone', () => {
    expect(timeOf('2026-11-23T08:00:00')).toBe('time zone missing (add Z for UTC)');
    expect(timeOf('2026-11-23T08:00:00.250')).toBe('time zone missing (add Z for UTC)');
    expect(timeOf('2026-11-23T08:00')).toBe('time zone missing (add Z for UTC)');
  });

  it('refuses a space between date and time, and says what is expected', () => {
    expect(timeOf('2026-11-23 08:00:00Z')).toContain('expected ISO 8601 like 2026-11-23T08:00:00Z');
    expect(timeOf('2026-11-23 08:00:00Z')).toContain('not a space');
  });

  it.each([
    '',
    'yesterday',
    '2026',
    '2026-11',
    '26-11-23T08:00:00Z',
    '2026/11/23T08:00:00Z',
    '20261123T080000Z',
    '2026-11-23T8:00:00Z',
    '2026-11-23T08:00:00ZZ',
    '2026-11-23T08:00:00 Z',
    '2026-11-23T08:00:00Z ',
    ' 2026-11-23T08:00:00Z',
    '2026-11-23T08:00:0Z',
    '+02026-11-23T08:00:00Z',
    '2026-11-23T08:00:00.Z',
    '2026-11-23T08:00:00+02',
    '2026-11-23T08:00:00+2:00',
    '2026-11-23T08:00:00+02:0',
    '2026-11-23T08:00:00+02:000',
    '２０２６-11-23T08:00:00Z',
  ])('refuses %j', (text) => {
    const result = parseIsoInstant(text);
    expect(result.ok).toBe(false);
  });

  it('gives the date alone a reason of its own', () => {
    expect(timeOf('2026-11-23')).toMatch(/^time of day missing; expected ISO 8601 like/);
  });

  it('validates calendar ranges', () => {
    expect(timeOf('2026-13-01T00:00:00Z')).toBe('month 13 is out of range 1-12');
    expect(timeOf('2026-00-01T00:00:00Z')).toBe('month 0 is out of range 1-12');
    expect(timeOf('2026-11-31T00:00:00Z')).toBe('day 31 is out of range for 2026-11 (1-30)');
    expect(timeOf('2026-11-00T00:00:00Z')).toBe('day 0 is out of range for 2026-11 (1-30)');
    expect(timeOf('2026-02-29T00:00:00Z')).toBe('day 29 is out of range for 2026-02 (1-28)');
    expect(timeOf('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(timeOf('2000-02-29T00:00:00Z')).toBe(Date.UTC(2000, 1, 29));
    expect(timeOf('1900-02-29T00:00:00Z')).toBe('day 29 is out of range for 1900-02 (1-28)');
    expect(timeOf('2026-11-23T24:00:00Z')).toBe('hour 24 is out of range 0-23');
    expect(timeOf('2026-11-23T08:60:00Z')).toBe('minute 60 is out of range 0-59');
    expect(timeOf('2026-11-23T08:00:61Z')).toMatch(/^second 61 is out of range/);
    expect(timeOf('2026-11-23T08:00:00+24:00')).toMatch(/offset \+24:00 is out of range/);
    expect(timeOf('2026-11-23T08:00:00+01:60')).toMatch(/offset \+01:60 is out of range/);
  });

  it('reads a real leap second as 23:59:59.999 and refuses second 60 elsewhere', () => {
    expect(timeOf('2016-12-31T23:59:60Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    expect(timeOf('2016-12-31T23:59:60.5Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    // The same leap second seen from UTC+01:00.
    expect(timeOf('2017-01-01T00:59:60+01:00')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
    expect(timeOf('2015-06-30T23:59:60Z')).toBe(Date.UTC(2015, 5, 30, 23, 59, 59, 999));
    expect(timeOf('2016-12-30T23:59:60Z')).toMatch(/only valid for a leap second/);
    expect(timeOf('2016-12-31T12:00:60Z')).toMatch(/only valid for a leap second/);
  });

  it('round-trips Date#toISOString for any instant between 1900 and 2100', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2100-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        (date) => {
          expect(parseIsoInstant(date.toISOString())).toEqual({ ok: true, timeMs: date.getTime() });
        },
      ),
    );
  });

  it('agrees with Date.parse on instants written with an offset', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2100-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (date, offsetMinutes) => {
          // Write the instant as local time at that offset, e.g. 2026-11-23T10:00:00.000+02:00.
          const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
          const abs = Math.abs(offsetMinutes);
          const zone = `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
          expect(parseIsoInstant(local + zone)).toEqual({ ok: true, timeMs: date.getTime() });
        },
      ),
    );
  });

  it('never throws, and anything it accepts Date.parse reads as the same instant', () => {
    const isoish = fc
      .array(fc.constantFrom(...'0123456789-:T Z+.,tz'), { maxLength: 32 })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), isoish), (text) => {
        const result = parseIsoInstant(text);
        if (result.ok && !text.includes(',') && !/:60/.test(text)) {
          const parsed = Date.parse(text.toUpperCase());
          if (!Number.isNaN(parsed)) expect(result.timeMs).toBe(parsed);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
