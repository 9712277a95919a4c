/**
 * @module How many cases each fuzz property runs: one knob, EW4E_FUZZ_RUNS (the base), times the property's
 * weight. CI runs the default base; the bench (`npm run bench -- fuzz`) scales the base to 10⁶ cases in all.
 */

/** The base run count when EW4E_FUZZ_RUNS is not set: what CI runs. */
export const DEFAULT_FUZZ_RUNS = 300;

/** What the issue asks of CI: at least 10⁵ fuzz cases over all properties. */
export const CI_MIN_CASES = 100_000;

/** The base run count of this process (EW4E_FUZZ_RUNS, else the default). */
export function fuzzRuns(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env.EW4E_FUZZ_RUNS;
  if (text === undefined || text === '') return DEFAULT_FUZZ_RUNS;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`EW4E_FUZZ_RUNS must be a positive integer, got "${text}"`);
  return n;
}

/** Runs of a property of `weight` at base `base`: never fewer than one. */
export function runsOf(weight: number, base = fuzzRuns()): number {
  return Math.max(1, Math.round(weight * base));
}

/** A seed fixed per process when EW4E_FUZZ_SEED is set (to replay a failure), else fast-check's own. */
export function fuzzSeed(
  env: Readonly<Record<string, string | undefined>> = process.env,
): number | undefined {
  const text = env.EW4E_FUZZ_SEED;
  return text === undefined || text === '' ? undefined : Number(text);
}

/**
 * Route fuzzing's share (test/route-fuzz.test.ts): weight × base requests in all, spread over the routes by
 * their own weights. An inject on PGlite costs a millisecond or more, a parser case tens of microseconds.
 */
export const ROUTE_FUZZ_WEIGHT = 20;
