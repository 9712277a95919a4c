/**
 * @module Fuzzing at scale: the parser properties of test/fuzz/parser-properties.ts run on 10⁶ generated cases in
 * all (or `--cases N`), one JSON line per property group: cases, failures, cases/s. The yardstick is a plain loop
 * calling JSON.parse (in try/catch) on the same texts, so the ratio says how many JSON.parse calls one fuzz case
 * costs, whatever the machine. Generation is outside both timings. The routes are fuzzed in test/route-fuzz.test.ts.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { type FuzzProperty, PARSER_PROPERTIES } from '../test/fuzz/parser-properties.ts';
import { type Bench, benchResult } from './bench.ts';

/** Cases generated at once: enough to time well, few enough to keep memory small. */
const CHUNK = 2_000;

interface GroupTally {
  cases: number;
  failures: number;
  checkMs: number;
  yardstickMs: number;
  firstFailure?: string;
}

function runProperty(p: FuzzProperty, cases: number, seed: number, tally: GroupTally): void {
  for (let done = 0, chunk = 0; done < cases; chunk++) {
    const n = Math.min(CHUNK, cases - done);
    const inputs = fc.sample(p.arbitrary, { numRuns: n, seed: seed + chunk });
    const texts = inputs.map((input) => p.textOf(input));
    let start = performance.now();
    for (const input of inputs) {
      try {
        p.check(input);
      } catch (error) {
        tally.failures++;
        tally.firstFailure ??= `${p.name}: ${String((error as Error)?.message ?? error).slice(0, 300)} on ${JSON.stringify(input).slice(0, 2000)}`;
      }
    }
    tally.checkMs += performance.now() - start;
    start = performance.now();
    for (const text of texts) {
      try {
        JSON.parse(text);
      } catch {
        // Most fuzz texts are not JSON: the yardstick pays for the throw as the parsers pay for their problems.
      }
    }
    tally.yardstickMs += performance.now() - start;
    tally.cases += n;
    done += n;
  }
}

export const fuzzBench: Bench = {
  name: 'fuzz',
  summary: 'the parser fuzz properties on 10⁶ cases: failures and cases/s per group, beside JSON.parse',
  async run({ args, report, log }) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        cases: { type: 'string', default: '1000000' },
        seed: { type: 'string', default: '20261120' },
      },
    });
    const total = Number(values.cases);
    const seed = Number(values.seed);
    const weights = PARSER_PROPERTIES.reduce((sum, p) => sum + p.weight, 0);
    const groups = new Map<string, GroupTally>();
    for (const p of PARSER_PROPERTIES) {
      const tally = groups.get(p.group) ?? { cases: 0, failures: 0, checkMs: 0, yardstickMs: 0 };
      groups.set(p.group, tally);
      const cases = Math.round((total * p.weight) / weights);
      log(`${p.group}: ${p.name} — ${cases} cases`);
      runProperty(p, cases, seed, tally);
    }
    let failures = 0;
    for (const [group, tally] of groups) {
      failures += tally.failures;
      const perSecond = tally.cases / (tally.checkMs / 1000);
      const yardstick = tally.cases / (tally.yardstickMs / 1000);
      report({
        ...benchResult({
          bench: 'fuzz',
          case: `${group}: ${tally.cases} cases, ${tally.failures} failures`,
          value: perSecond,
          unit: 'cases/s',
          yardstick,
          better: 'higher',
        }),
      });
      if (tally.firstFailure !== undefined) log(`FAILURE ${tally.firstFailure}`);
    }
    if (failures > 0) throw new Error(`${failures} fuzz cases failed (first of each group above)`);
  },
};
