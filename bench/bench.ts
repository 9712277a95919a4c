/** @module What every benchmark shares: a result beside its yardstick, the context the runner gives, and the Bench shape. */

/**
 * One measured figure beside its yardstick, measured in the same run on the same machine.
 * ratio is ours / yardstick as throughput, so above 1 is always faster than the yardstick,
 * whatever the unit (for a time, lower is better and the ratio is yardstick / ours).
 */
export interface BenchResult {
  readonly bench: string;
  readonly case: string;
  readonly value: number;
  readonly unit: string;
  readonly yardstick: number;
  readonly ratio: number;
}

/** A line beside the results: a sample over time, or a result's details (p99, memory, backlog). */
export interface BenchRecord {
  readonly bench: string;
  readonly case: string;
  readonly [field: string]: unknown;
}

/** What a benchmark receives from the runner: its own arguments, the environment, and where to put results. */
export interface BenchContext {
  /** The command-line arguments after the benchmark's name. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Prints one result (or a sample, or a result with its details) as a JSON line on stdout. */
  report(result: BenchResult | BenchRecord): void;
  /** A line of human-readable progress or summary on stderr. */
  log(line: string): void;
}

export interface Bench {
  readonly name: string;
  /** One line for the list of benchmarks. */
  readonly summary: string;
  run(context: BenchContext): Promise<void>;
}

/** Builds a result; `better` says which direction of `value` is faster, so that ratio > 1 always means faster. */
export function benchResult(r: {
  bench: string;
  case: string;
  value: number;
  unit: string;
  yardstick: number;
  better: 'higher' | 'lower';
}): BenchResult {
  const ratio = r.better === 'higher' ? r.value / r.yardstick : r.yardstick / r.value;
  return {
    bench: r.bench,
    case: r.case,
    value: round(r.value),
    unit: r.unit,
    yardstick: round(r.yardstick),
    ratio: Math.round(ratio * 100) / 100,
  };
}

/** Integers for large figures, four significant digits for small ones (a NAB score to two decimals). */
function round(n: number): number {
  return Math.abs(n) >= 1000 ? Math.round(n) : Number(n.toPrecision(4));
}
