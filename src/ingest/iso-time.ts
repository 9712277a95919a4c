/** @module Strict ISO 8601 / RFC 3339 instants (date, 'T', time, zone) read by a character scanner, because Date.parse accepts local times and junk. */

export type IsoInstantResult =
  | { readonly ok: true; readonly timeMs: number }
  | { readonly ok: false; readonly reason: string };

const EXAMPLE = 'expected ISO 8601 like 2026-11-23T08:00:00Z';
const MS_PER_DAY = 86_400_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Reads `YYYY-MM-DDThh:mm[:ss[.fff…]]` followed by a required zone designator: `Z`, `±hh:mm` or `±hhmm`
 * (ISO 8601-1:2019 §5.3.4.2; RFC 3339 §5.6, which also allows a lower-case `t` and `z`).
 *
 * Choices, all deliberate:
 * - A zone is required: a local time names no instant, and guessing UTC silently shifts data by hours.
 * - A space instead of `T` is refused (RFC 3339 permits it only "for readability" by agreement; ISO 8601 never).
 * - Seconds may be left out (ISO 8601 reduced precision, `08:00Z`); the fraction may use `.` or `,`
 *   (ISO 8601 §3.2.6) and has any number of digits; digits past milliseconds are truncated, not rounded,
 *   so an instant never moves into the next second.
 * - Second 60 is accepted only where a leap second can be (23:59:60 UTC on the last day of a month,
 *   ITU-R TF.460-6 §2.2) and is read as 23:59:59.999, because POSIX time has no leap seconds and this keeps
 *   the order of readings within that minute without colliding with 00:00:00 of the next day.
 * - Only 4-digit years 0000–9999 (RFC 3339 §5.6 `date-fullyear`); hour 24 is refused (RFC 3339).
 */
export function parseIsoInstant(text: string): IsoInstantResult {
  const length = text.length;
  if (length < 10 || text.charCodeAt(4) !== 45 /* - */ || text.charCodeAt(7) !== 45 /* - */) {
    return failure(EXAMPLE);
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return failure(EXAMPLE);
  if (length === 10) return failure(`time of day missing; ${EXAMPLE}`);

  const separator = text.charCodeAt(10);
  if (separator === 32 /* space */) return failure(`${EXAMPLE} (use 'T' between date and time, not a space)`);
  if (separator !== 84 /* T */ && separator !== 116 /* t */) return failure(EXAMPLE);

  if (length < 16 || text.charCodeAt(13) !== 58 /* : */) return failure(EXAMPLE);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  if (hour < 0 || minute < 0) return failure(EXAMPLE);

  let second = 0;
  let milli = 0;
  let at = 16;
  if (text.charCodeAt(at) === 58 /* : */) {
    second = digits(text, at + 1, 2);
    if (second < 0) return failure(EXAMPLE);
    at += 3;
    const mark = text.charCodeAt(at);
    if (mark === 46 /* . */ || mark === 44 /* , */) {
      at++;
      const start = at;
      let scale = 100;
      for (let code = text.charCodeAt(at); code >= 48 && code <= 57; code = text.charCodeAt(++at)) {
        milli += (code - 48) * scale;
        scale = scale > 1 ? scale / 10 : 0;
      }
      if (at === start) return failure(`a digit must follow the decimal mark; ${EXAMPLE}`);
    }
  }

  if (at === length) return failure('time zone missing (add Z for UTC)');
  let offsetMinutes = 0;
  const zone = text.charCodeAt(at);
  if (zone === 90 /* Z */ || zone === 122 /* z */) {
    if (at + 1 !== length) return failure(EXAMPLE);
  } else if (zone === 43 /* + */ || zone === 45 /* - */) {
    const offsetHour = digits(text, at + 1, 2);
    const colon = text.charCodeAt(at + 3) === 58 ? 1 : 0;
    const offsetMinute = digits(text, at + 3 + colon, 2);
    if (offsetHour < 0 || offsetMinute < 0 || at + 5 + colon !== length) {
      return failure(`time zone offset must be Z, ±hh:mm or ±hhmm; ${EXAMPLE}`);
    }
    if (offsetHour > 23 || offsetMinute > 59)
      return failure(`time zone offset ${text.slice(at)} is out of range`);
    offsetMinutes = (zone === 45 ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  } else {
    return failure(EXAMPLE);
  }

  if (month < 1 || month > 12) return failure(`month ${month} is out of range 1-12`);
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > monthDays) {
    return failure(`day ${day} is out of range for ${text.slice(0, 7)} (1-${monthDays})`);
  }
  if (hour > 23) return failure(`hour ${hour} is out of range 0-23`);
  if (minute > 59) return failure(`minute ${minute} is out of range 0-59`);
  if (second > 60) return failure(`second ${second} is out of range 0-59 (60 only for a leap second)`);

  const localMs = daysFromCivil(year, month, day) * MS_PER_DAY + hour * 3_600_000 + minute * 60_000;
  const utcMinuteMs = localMs - offsetMinutes * 60_000;
  if (second === 60) {
    // A leap second ends a UTC day, and that day ends a month: the next second is the 1st at 00:00:00.
    const nextSecondMs = utcMinuteMs + 60_000;
    if (nextSecondMs % MS_PER_DAY !== 0 || new Date(nextSecondMs).getUTCDate() !== 1) {
      return failure('second 60 is only valid for a leap second, at 23:59:60 UTC on the last day of a month');
    }
    return { ok: true, timeMs: utcMinuteMs + 59_999 };
  }
  return { ok: true, timeMs: utcMinuteMs + second * 1000 + milli };
}

function failure(reason: string): IsoInstantResult {
  return { ok: false, reason };
}

/** The value of `count` ASCII digits at `start`, or -1 if any of them is not a digit (or is past the end). */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i) - 48;
    // NaN past the end fails this test too.
    if (!(code >= 0 && code <= 9)) return -1;
    value = value * 10 + code;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date: Howard Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms", `days_from_civil`. Used instead of Date.UTC, which maps years 0–99 to 1900–1999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
