/** @module Test support for the streaming detectors: seeded synthetic series with a known answer, runners, and the checkpoint property. */

import fc from 'fast-check';
import type {
  DetectorInput,
  DetectorOutput,
  DetectorSnapshot,
  StreamingDetector,
} from './streaming-detector.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** 2024-01-01T00:00:00Z, a Monday. */
export const START_MS = Date.UTC(2024, 0, 1);

/** Mulberry32: a small seeded generator, so every synthetic series is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box-Muller) from a seeded generator. */
export function seededNormal(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => {
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** `values[i]` at `START_MS + i·stepMs`. */
export function regular(values: readonly number[], stepMs = 5 * MINUTE_MS): DetectorInput[] {
  return values.map((value, i) => ({ timeMs: START_MS + i * stepMs, value }));
}

/** n samples of `level + sd·N(0, 1)`. */
export function noise(n: number, seed: number, sd = 1, level = 0): number[] {
  const normal = seededNormal(seed);
  return Array.from({ length: n }, () => level + sd * normal());
}

/** A daily sine (low at 03:00 UTC, high at 15:00 UTC) plus noise, sampled every `stepMs`. */
export function dailySine(
  days: number,
  seed: number,
  options: { stepMs?: number; mean?: number; amplitude?: number; sd?: number } = {},
): DetectorInput[] {
  const { stepMs = 5 * MINUTE_MS, mean = 20, amplitude = 10, sd = 0.5 } = options;
  const normal = seededNormal(seed);
  const n = Math.round((days * DAY_MS) / stepMs);
  return Array.from({ length: n }, (_, i) => {
    const timeMs = START_MS + i * stepMs;
    return { timeMs, value: dailySineAt(timeMs, mean, amplitude) + sd * normal() };
  });
}

/** The noise-free value of `dailySine` at a time. */
export function dailySineAt(timeMs: number, mean = 20, amplitude = 10): number {
  const phase = ((timeMs - START_MS) % DAY_MS) / DAY_MS;
  return mean - amplitude * Math.cos(2 * Math.PI * (phase - 3 / 24));
}

/** Runs a detector over inputs and keeps a copy of every output (outputs are reused objects). */
export function run<O extends DetectorOutput>(
  detector: StreamingDetector<DetectorSnapshot, O>,
  inputs: readonly DetectorInput[],
): O[] {
  return inputs.map((input) => structuredClone(detector.update(input)));
}

/** Indexes where `predicate` holds. */
export function indexesWhere<T>(items: readonly T[], predicate: (item: T) => boolean): number[] {
  const found: number[] = [];
  items.forEach((item, i) => {
    if (predicate(item)) found.push(i);
  });
  return found;
}

/**
 * Arbitrary series for the checkpoint property: a random walk with jumps, gaps in time, duplicate
 * timestamps and missing (NaN) values.
 */
export function arbitrarySeries(maxLength: number): fc.Arbitrary<DetectorInput[]> {
  const step = fc.record({
    dtMs: fc.oneof(
      { weight: 8, arbitrary: fc.constant(5 * MINUTE_MS) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 * DAY_MS }) },
    ),
    move: fc.oneof(
      { weight: 10, arbitrary: fc.double({ min: -1, max: 1, noNaN: true }) },
      { weight: 1, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }) },
    ),
    hole: fc.integer({ min: 0, max: 30 }).map((n) => n === 0),
  });
  return fc.array(step, { minLength: 1, maxLength }).map((steps) => {
    let timeMs = START_MS;
    let level = 0;
    return steps.map(({ dtMs, move, hole }) => {
      timeMs += dtMs;
      level += move;
      return { timeMs, value: hole ? Number.NaN : level };
    });
  });
}

/**
 * The checkpoint property: a detector restored (through JSON) from a snapshot taken after `split`
 * inputs gives the same outputs, and ends in the same state, as one that never stopped.
 */
export function checkpointProperty<S extends DetectorSnapshot>(
  create: (snapshot?: S) => StreamingDetector<S, DetectorOutput>,
  maxLength: number,
  numRuns: number,
): void {
  fc.assert(
    fc.property(arbitrarySeries(maxLength), fc.double({ min: 0, max: 1, noNaN: true }), (inputs, at) => {
      const split = Math.floor(at * inputs.length);
      const whole = create();
      const expected = inputs.map((input) => JSON.stringify(whole.update(input)));
      const first = create();
      for (const input of inputs.slice(0, split)) first.update(input);
      const stored = JSON.parse(JSON.stringify(first.snapshot())) as S;
      const resumed = create(stored);
      const actual = inputs.slice(split).map((input) => JSON.stringify(resumed.update(input)));
      if (JSON.stringify(actual) !== JSON.stringify(expected.slice(split))) return false;
      return JSON.stringify(resumed.snapshot()) === JSON.stringify(whole.snapshot());
    }),
    { numRuns },
  );
}

/** What a snapshot holds: how many numbers (the memory it stands for) and how many JSON characters. */
export interface SnapshotSize {
  readonly numbers: number;
  readonly chars: number;
}

function sizeOf(snapshot: DetectorSnapshot): SnapshotSize {
  const json = JSON.stringify(snapshot);
  let numbers = 0;
  JSON.parse(json, (_key, value: unknown) => {
    if (typeof value === 'number') numbers++;
    return value;
  });
  return { numbers, chars: json.length };
}

/** Snapshot sizes after `short` and after `long` inputs of a series. */
export function snapshotSizes<S extends DetectorSnapshot>(
  create: () => StreamingDetector<S, DetectorOutput>,
  input: (i: number) => DetectorInput,
  short: number,
  long: number,
): [SnapshotSize, SnapshotSize] {
  const detector = create();
  let shortSize: SnapshotSize = { numbers: 0, chars: 0 };
  for (let i = 0; i < long; i++) {
    detector.update(input(i));
    if (i + 1 === short) shortSize = sizeOf(detector.snapshot());
  }
  return [shortSize, sizeOf(detector.snapshot())];
}

/** The same count of numbers, and JSON within 10 % (digits vary): nothing grows with the stream. */
export function expectSameSize([short, long]: [SnapshotSize, SnapshotSize]): void {
  if (long.numbers !== short.numbers || Math.abs(long.chars - short.chars) > 0.1 * short.chars) {
    throw new Error(`snapshot grew from ${JSON.stringify(short)} to ${JSON.stringify(long)}`);
  }
}
