/** @module NAB's zone-less timestamps (`YYYY-MM-DD HH:MM:SS[.ffffff]`), read and written as UTC milliseconds. */

const MS_PER_SECOND = 1000;

/**
 * Reads a NAB timestamp as UTC: `2014-04-10 07:15:00` (data and results files) or `2014-04-10 07:15:00.000000`
 * (`labels/combined_windows.json`). NAB's files carry no zone; NAB itself compares them as naive datetimes, so
 * reading every one of them as UTC keeps data, labels and results consistent and never skips or repeats an hour.
 * Digits of the fraction past milliseconds are truncated. Returns `undefined` for anything else.
 */
export function parseNabTimestamp(text: string): number | undefined {
  const length = text.length;
  if (length < 19) return undefined;
  if (
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(7) !== 45 /* - */ ||
    text.charCodeAt(10) !== 32 /* space */ ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58 /* : */
  ) {
    return undefined;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  if (day > daysInMonth(year, month)) return undefined;

  let milli = 0;
  if (length > 19) {
    if (text.charCodeAt(19) !== 46 /* . */ || length === 20) return undefined;
    let scale = 100;
    for (let at = 20; at < length; at++) {
      const code = text.charCodeAt(at);
      if (code < 48 || code > 57) return undefined;
      milli += (code - 48) * scale;
      scale = scale > 1 ? scale / 10 : 0;
    }
  }
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, milli);
  return date.getTime();
}

/**
 * Writes UTC milliseconds as NAB writes timestamps (pandas' default datetime format): `YYYY-MM-DD HH:MM:SS`,
 * with `.ffffff` only when the instant is not a whole second.
 */
export function formatNabTimestamp(timeMs: number): string {
  const date = new Date(timeMs);
  if (!Number.isFinite(timeMs) || Number.isNaN(date.getTime())) {
    throw new RangeError(`not a representable instant: ${timeMs}`);
  }
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} does not fit NAB's YYYY timestamps`);
  const whole =
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  const milli = ((timeMs % MS_PER_SECOND) + MS_PER_SECOND) % MS_PER_SECOND;
  return milli === 0 ? whole : `${whole}.${pad(milli, 3)}000`;
}

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let at = start; at < start + count; at++) {
    const code = text.charCodeAt(at);
    if (code < 48 || code > 57) return -1;
    value = value * 10 + (code - 48);
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
