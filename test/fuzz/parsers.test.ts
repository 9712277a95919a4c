/** Every parser of outside input under fast-check: only problems or an Ew4eError, never a crash; valid documents read back as written. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CI_MIN_CASES,
  DEFAULT_FUZZ_RUNS,
  fuzzRuns,
  fuzzSeed,
  ROUTE_FUZZ_WEIGHT,
  runsOf,
} from './fuzz-budget.ts';
import { PARSER_PROPERTIES } from './parser-properties.ts';

const seed = fuzzSeed();

describe('parsers under fuzzing', () => {
  it.each(PARSER_PROPERTIES.map((p) => [p.group, p.name, p] as const))('%s: %s', (_group, _name, p) => {
    fc.assert(
      fc.property(p.arbitrary, (input) => p.check(input)),
      { numRuns: runsOf(p.weight), ...(seed === undefined ? {} : { seed }) },
    );
  });
});

describe('the fuzzing budget', () => {
  it(`runs at least ${CI_MIN_CASES} cases in CI (parsers here, routes in test/route-fuzz.test.ts)`, () => {
    const total = (base: number) =>
      PARSER_PROPERTIES.reduce((sum, p) => sum + runsOf(p.weight, base), 0) + runsOf(ROUTE_FUZZ_WEIGHT, base);
    console.info(
      `fuzz cases this run: ${total(fuzzRuns())} (EW4E_FUZZ_RUNS=${fuzzRuns()}); ` +
        `in CI (${DEFAULT_FUZZ_RUNS}): ${total(DEFAULT_FUZZ_RUNS)}`,
    );
    expect(total(DEFAULT_FUZZ_RUNS)).toBeGreaterThanOrEqual(CI_MIN_CASES);
  });
});
