import { describe, expect, it } from 'vitest';
import { type CusumSnapshot, createCusum } from './cusum.ts';
import {
  checkpointProperty,
  expectSameSize,
  indexesWhere,
  MINUTE_MS,
  noise,
  regular,
  run,
  START_MS,
  seededNormal,
  snapshotSizes,
} from './detector-test-support.ts';

const STEP_MS = 5 * MINUTE_MS;

/** Indexes of the alarms over a series of values. */
function alarms(values: readonly number[], config = {}): number[] {
  const outputs = run(createCusum(config), regular(values, STEP_MS));
  return indexesWhere(outputs, (o) => o.score >= 1);
}

describe('createCusum', () => {
  it('flags a 3σ step at t = 500 within 4 samples, and never before it', () => {
    const values = noise(1000, 11).map((v, i) => (i >= 500 ? v + 3 : v));
    const outputs = run(createCusum(), regular(values, STEP_MS));
    const found = indexesWhere(outputs, (o) => o.score >= 1);
    expect(found[0]).toBeGreaterThanOrEqual(500);
    expect(found[0]).toBeLessThanOrEqual(504);
    const alarm = outputs[found[0]!]!;
    expect(alarm.reason).toBe('level_shift_up');
    // The change-point estimate lies at (or just before, by noise) the step.
    expect(alarm.changeStartMs).toBeGreaterThanOrEqual(START_MS + 495 * STEP_MS);
    expect(alarm.changeStartMs).toBeLessThanOrEqual(START_MS + 500 * STEP_MS);
  });

  it('fires once per shift: after the alarm it learns the new level', () => {
    const values = noise(1500, 12).map((v, i) => (i >= 500 ? v - 2 : v));
    const found = alarms(values);
    expect(found).toHaveLength(1);
    expect(found[0]).toBeGreaterThanOrEqual(500);
    expect(found[0]).toBeLessThanOrEqual(515);
  });

  it('finds a 1σ shift within 40 samples', () => {
    const values = noise(1000, 13).map((v, i) => (i >= 500 ? v + 1 : v));
    const found = alarms(values);
    expect(found[0]).toBeGreaterThanOrEqual(500);
    expect(found[0]).toBeLessThanOrEqual(540);
  });

  it('flags a slow drift of 0.02σ per sample within 100 samples, and names it a drift as it goes on', () => {
    const values = noise(1000, 14).map((v, i) => (i >= 500 ? v + 0.02 * (i - 500) : v));
    const outputs = run(createCusum(), regular(values, STEP_MS));
    const found = indexesWhere(outputs, (o) => o.score >= 1);
    expect(found[0]).toBeGreaterThanOrEqual(500);
    expect(found[0]).toBeLessThanOrEqual(600);
    // At the first alarm a drift looks like a shift; the same-direction alarms that follow are a drift.
    const following = found.slice(1).map((i) => outputs[i]!.reason);
    expect(following.length).toBeGreaterThan(0);
    expect(new Set(following)).toEqual(new Set(['drift_up']));
  });

  it('calls a continuing downward drift a drift down', () => {
    const values = noise(1000, 15).map((v, i) => (i >= 500 ? v - 0.03 * (i - 500) : v));
    const outputs = run(createCusum(), regular(values, STEP_MS));
    const found = indexesWhere(outputs, (o) => o.score >= 1);
    expect(found[0]).toBeGreaterThanOrEqual(500);
    expect(found.slice(1).map((i) => outputs[i]!.reason)).toContain('drift_down');
    expect(found.map((i) => outputs[i]!.reason)).not.toContain('level_shift_up');
  });

  it('is not a spike detector: one wild value is not a change', () => {
    const values = noise(1000, 16).map((v, i) => (i === 600 ? v + 50 : v));
    expect(alarms(values)).toEqual([]);
  });

  it('raises about one false alarm per 10⁴ in-control samples, as h = 8 is meant to', () => {
    // Siegmund's approximation gives a two-sided in-control run length of ~9500 for k = 0.5, h = 8.
    expect(alarms(noise(50_000, 17)).length).toBeLessThanOrEqual(10);
  });

  it('takes gaps and missing values without false alarms', () => {
    const normal = seededNormal(18);
    const inputs = Array.from({ length: 3000 }, (_, i) => ({
      timeMs: START_MS + i * STEP_MS + (i > 1000 ? 3 * 86_400_000 : 0),
      value: i % 50 === 0 ? Number.NaN : normal(),
    }));
    const outputs = run(createCusum(), inputs);
    expect(indexesWhere(outputs, (o) => o.score >= 1)).toEqual([]);
    expect(outputs.every((o) => Number.isFinite(o.score))).toBe(true);
  });

  it('resumes exactly from a snapshot taken anywhere', () => {
    checkpointProperty(
      (snapshot?: CusumSnapshot) => createCusum({ warmup: 5, h: 3, memory: 20 }, snapshot),
      300,
      200,
    );
    checkpointProperty((snapshot?: CusumSnapshot) => createCusum({}, snapshot), 800, 50);
  });

  it('keeps its state the same size however long the stream', () => {
    const normal = seededNormal(19);
    expectSameSize(
      snapshotSizes(
        () => createCusum(),
        (i) => ({ timeMs: START_MS + i * STEP_MS, value: normal() + (i % 20_000 < 10_000 ? 0 : 5) }),
        10_000,
        100_000,
      ),
    );
  });

  it('rejects settings out of range', () => {
    expect(() => createCusum({ h: 0 })).toThrow(/h must lie/);
    expect(() => createCusum({ warmup: 100, memory: 50 })).toThrow(/memory/);
  });
});
