import { describe, expect, it } from 'vitest';
import {
  type AnomalyLikelihoodSnapshot,
  createAnomalyLikelihood,
  logLikelihoodScore,
} from './anomaly-likelihood.ts';
import {
  checkpointProperty,
  expectSameSize,
  indexesWhere,
  regular,
  run,
  START_MS,
  seededRandom,
  snapshotSizes,
} from './detector-test-support.ts';

/** Raw scores mostly 0 with rare small blips, like a sparse HTM raw score on a predictable series. */
function quietScores(n: number, seed: number): number[] {
  const uniform = seededRandom(seed);
  return Array.from({ length: n }, () => (uniform() < 0.02 ? 0.3 * uniform() : 0));
}

describe('logLikelihoodScore', () => {
  it('is nupic’s log scale: 0.5 at a tail of 1e-5, 0.03 at even odds, 1 at 1e-10', () => {
    expect(logLikelihoodScore(1e-5)).toBeCloseTo(0.5, 6);
    expect(logLikelihoodScore(0.5)).toBeCloseTo(0.0301, 4);
    expect(logLikelihoodScore(0)).toBeCloseTo(1, 9);
  });
});

describe('createAnomalyLikelihood', () => {
  it('reports even odds while it learns', () => {
    const outputs = run(createAnomalyLikelihood(), regular(quietScores(400, 1)));
    expect(outputs.every((o) => o.likelihood === 0.5)).toBe(true);
  });

  it('turns red at the start of a burst of high raw scores, once', () => {
    const raw = quietScores(2000, 2);
    for (let i = 1500; i < 1530; i++) raw[i] = 1;
    const outputs = run(createAnomalyLikelihood(), regular(raw));
    const red = indexesWhere(outputs, (o) => o.score >= 0.5);
    // Red on the first or second high score (the short-window mean must clear the floored variance)…
    expect(red[0]).toBeGreaterThanOrEqual(1500);
    expect(red[0]).toBeLessThanOrEqual(1501);
    expect(outputs[red[0]!]!.reason).toBe('improbable_scores');
    // …and only then: nupic's filter softens the red that follows a red to yellow (0.3).
    expect(red).toEqual([red[0]]);
    expect(outputs[red[0]! + 1]!.score).toBeCloseTo(logLikelihoodScore(1e-3), 9);
  });

  it('stays calm when high raw scores are the norm', () => {
    const uniform = seededRandom(3);
    const raw = Array.from({ length: 3000 }, () => uniform());
    const outputs = run(createAnomalyLikelihood(), regular(raw));
    expect(indexesWhere(outputs, (o) => o.score >= 0.5)).toEqual([]);
  });

  it('does not call an unusually quiet stretch an anomaly', () => {
    const uniform = seededRandom(4);
    const raw = Array.from({ length: 2000 }, (_, i) => (i >= 1500 ? 0 : 0.5 * uniform()));
    const outputs = run(createAnomalyLikelihood(), regular(raw));
    expect(Math.max(...outputs.slice(1500).map((o) => o.score))).toBeLessThan(0.1);
  });

  it('skips missing raw scores', () => {
    const raw = quietScores(600, 5).map((v, i) => (i % 7 === 0 ? Number.NaN : v));
    const outputs = run(createAnomalyLikelihood(), regular(raw));
    expect(outputs.every((o) => Number.isFinite(o.score))).toBe(true);
  });

  it('says nothing expected for a missing score, restored from a snapshot or not (a case the property found)', () => {
    const config = { learningPeriod: 5, estimationSamples: 5, longMemory: 50 };
    const inputs = regular([...Array.from({ length: 11 }, () => 0), Number.NaN]);
    const whole = createAnomalyLikelihood(config);
    const outputs = run(whole, inputs);
    expect(outputs[10]?.expected).not.toBeNull();
    const first = createAnomalyLikelihood(config);
    run(first, inputs.slice(0, 11));
    const resumed = createAnomalyLikelihood(config, JSON.parse(JSON.stringify(first.snapshot())));
    expect(resumed.update(inputs[11]!)).toEqual(outputs[11]);
    expect(outputs[11]).toMatchObject({ expected: null, spread: null });
  });

  it('resumes exactly from a snapshot taken anywhere', () => {
    checkpointProperty(
      (snapshot?: AnomalyLikelihoodSnapshot) =>
        createAnomalyLikelihood({ learningPeriod: 5, estimationSamples: 5, longMemory: 50 }, snapshot),
      300,
      200,
    );
  });

  it('keeps its state the same size however long the stream', () => {
    const uniform = seededRandom(6);
    expectSameSize(
      snapshotSizes(
        () => createAnomalyLikelihood(),
        (i) => ({ timeMs: START_MS + i, value: uniform() < 0.05 ? 1 : 0 }),
        10_000,
        100_000,
      ),
    );
  });
});
