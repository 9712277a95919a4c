/** @module The benchmark runner: `npm run bench -- <name> [options]` runs one benchmark and prints one JSON line per result to stdout. */
import type { Bench } from './bench.ts';
import { coverageBench } from './coverage.ts';
import { detectBench } from './detect.ts';
import { dispatchBench } from './dispatch.ts';
import { forecastBench } from './forecast.ts';
import { fuzzBench } from './fuzz.ts';
import { ingestBench } from './ingest.ts';
import { latencyBench } from './latency.ts';
import { loadBench } from './load.ts';
import { mapBench } from './map.ts';
import { matchBench } from './match.ts';
import { nabBench } from './nab.ts';
import { warnBench } from './warn.ts';
import { workersBench } from './workers.ts';

const BENCHES: readonly Bench[] = [
  ingestBench,
  detectBench,
  nabBench,
  warnBench,
  matchBench,
  latencyBench,
  loadBench,
  mapBench,
  coverageBench,
  fuzzBench,
  workersBench,
  dispatchBench,
  forecastBench,
];

async function main(argv: readonly string[]): Promise<number> {
  const name = argv[0];
  const bench = BENCHES.find((b) => b.name === name);
  if (bench === undefined) {
    process.stderr.write(
      `${name === undefined ? 'Name a benchmark' : `Unknown benchmark "${name}"`}: npm run bench -- <name> [options]\n` +
        BENCHES.map((b) => `  ${b.name.padEnd(12)} ${b.summary}\n`).join(''),
    );
    return 2;
  }
  await bench.run({
    args: argv.slice(1),
    env: process.env,
    report: (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
