/** @module Server-side downsampling: time buckets given as ISO 8601 durations, or chosen to fit a number of points. */

export const AGGREGATES = ['avg', 'min', 'max', 'count'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/** Buckets people read easily; `auto` picks the smallest that keeps a range within the requested number of points. */
export const NICE_BUCKETS_S = [
  60,
  300,
  900,
  1800,
  3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  86_400,
  7 * 86_400,
  30 * 86_400,
  365 * 86_400,
];

/**
 * Parses the ISO 8601 durations a bucket can be (PT30S, PT5M, PT1H, P1D, P7D, P1W); months and years are
 * refused because their length varies and date_bin needs a fixed width.
 */
export function parseBucket(text: string): { seconds: number } | { reason: string } {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    return { reason: 'bucket must be an ISO 8601 duration such as PT5M, PT1H or P1D, or "auto"' };
  }
  const [, w, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  const seconds = (w ?? 0) * 604_800 + (d ?? 0) * 86_400 + (h ?? 0) * 3600 + (min ?? 0) * 60 + (s ?? 0);
  if (seconds < 1) return { reason: 'bucket must be at least one second' };
  // Hundreds of digits make Infinity; past 2^53 seconds no date_bin width is exact anyway.
  if (!Number.isSafeInteger(seconds)) return { reason: 'bucket is too long' };
  return { seconds };
}

export function autoBucketS(fromMs: number, toMs: number, maxPoints: number): number {
  const spanS = Math.max(1, (toMs - fromMs) / 1000);
  for (const b of NICE_BUCKETS_S) if (spanS / b <= maxPoints) return b;
  return NICE_BUCKETS_S[NICE_BUCKETS_S.length - 1]!;
}

/** Formats seconds as an ISO 8601 duration, the form the reply names its bucket in. */
export function formatDurationS(seconds: number): string {
  if (seconds % 86_400 === 0) return `P${seconds / 86_400}D`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
}
