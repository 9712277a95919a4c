import { describe, expect, it } from 'vitest';
import { afterAttempt, type BreakerState, initialBreaker, mayAttempt } from './circuit-breaker.ts';

const fail = (b: BreakerState, times: number, nowMs: number): BreakerState => {
  let state = b;
  for (let i = 0; i < times; i += 1) state = afterAttempt(state, false, nowMs);
  return state;
};

describe('circuit breaker', () => {
  it('starts closed and lets attempts through', () => {
    const b = initialBreaker();
    expect(b).toEqual({ state: 'closed', failures: 0, openedAtMs: null });
    expect(mayAttempt(b, 0)).toEqual({ allowed: true, breaker: b });
  });

  it('opens after five consecutive failures, not four', () => {
    expect(fail(initialBreaker(), 4, 1_000)).toEqual({ state: 'closed', failures: 4, openedAtMs: null });
    const open = fail(initialBreaker(), 5, 1_000);
    expect(open).toEqual({ state: 'open', failures: 5, openedAtMs: 1_000 });
    expect(mayAttempt(open, 1_000 + 29_999).allowed).toBe(false);
  });

  it('forgets failures after a success', () => {
    const b = afterAttempt(fail(initialBreaker(), 4, 0), true, 0);
    expect(fail(b, 4, 0).state).toBe('closed');
  });

  it('lets exactly one probe through after the cool-down, and closes when it succeeds', () => {
    const open = fail(initialBreaker(), 5, 0);
    const probe = mayAttempt(open, 30_000);
    expect(probe).toEqual({
      allowed: true,
      breaker: { state: 'half_open', failures: 5, openedAtMs: 30_000 },
    });
    // While the probe is out, nobody else goes.
    expect(mayAttempt(probe.breaker, 30_001).allowed).toBe(false);
    expect(afterAttempt(probe.breaker, true, 30_500)).toEqual(initialBreaker());
  });

  it('opens again for a whole cool-down when the probe fails', () => {
    const probe = mayAttempt(fail(initialBreaker(), 5, 0), 31_000).breaker;
    const reopened = afterAttempt(probe, false, 32_000);
    expect(reopened).toEqual({ state: 'open', failures: 6, openedAtMs: 32_000 });
    expect(mayAttempt(reopened, 61_999).allowed).toBe(false);
    expect(mayAttempt(reopened, 62_000).allowed).toBe(true);
  });

  it('replaces a probe whose outcome never came after another cool-down', () => {
    const probe = mayAttempt(fail(initialBreaker(), 5, 0), 30_000).breaker;
    expect(mayAttempt(probe, 59_999).allowed).toBe(false);
    expect(mayAttempt(probe, 60_000)).toEqual({
      allowed: true,
      breaker: { state: 'half_open', failures: 5, openedAtMs: 60_000 },
    });
  });

  it('keeps the cool-down running when a late attempt fails while open', () => {
    const open = fail(initialBreaker(), 5, 0);
    expect(afterAttempt(open, false, 10_000)).toEqual({ state: 'open', failures: 6, openedAtMs: 0 });
  });

  it('takes its threshold and cool-down from options', () => {
    const options = { failureThreshold: 2, coolDownMs: 1_000 };
    const open = afterAttempt(afterAttempt(initialBreaker(), false, 0, options), false, 0, options);
    expect(open.state).toBe('open');
    expect(mayAttempt(open, 999, options).allowed).toBe(false);
    expect(mayAttempt(open, 1_000, options).allowed).toBe(true);
  });

  it('is plain data that survives JSON storage', () => {
    const b = fail(initialBreaker(), 5, 123);
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });
});
