import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BACKOFF_MS, initialPollHealth, nextPollHealth, type PollHealth } from './poll-health.ts';

const MINUTE = 60_000;
const NOW = 1_700_000_000_000;
const noJitter = () => 0.5;

describe('nextPollHealth', () => {
  it('starts unknown and due now', () => {
    expect(initialPollHealth(NOW)).toEqual({
      state: 'unknown',
      consecutiveFailures: 0,
      lastError: null,
      nextPollAtMs: NOW,
    });
  });

  it('polls again after the interval when the feed answered', () => {
    const failing: PollHealth = {
      state: 'failing',
      consecutiveFailures: 3,
      lastError: 'HTTP 500',
      nextPollAtMs: 0,
    };
    expect(nextPollHealth(failing, 'ok', NOW, 5 * MINUTE, null)).toEqual({
      state: 'ok',
      consecutiveFailures: 0,
      lastError: null,
      nextPollAtMs: NOW + 5 * MINUTE,
    });
  });

  it('doubles the wait after each failure, up to the ceiling', () => {
    let health = initialPollHealth(NOW);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      health = nextPollHealth(health, 'failed', NOW, MINUTE, `HTTP 50${i}`, noJitter, 10 * MINUTE);
      waits.push((health.nextPollAtMs - NOW) / MINUTE);
    }
    expect(waits).toEqual([2, 4, 8, 10, 10]);
    expect(health).toMatchObject({ state: 'failing', consecutiveFailures: 5, lastError: 'HTTP 504' });
  });

  it('jitters a failure wait by at most ±10 %', () => {
    const first = (random: () => number) =>
      nextPollHealth(initialPollHealth(NOW), 'failed', NOW, MINUTE, 'x', random).nextPollAtMs - NOW;
    expect(first(() => 0)).toBe(0.9 * 2 * MINUTE);
    expect(first(() => 1)).toBe(1.1 * 2 * MINUTE);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 24 * 60 * MINUTE }),
        (r, failures, intervalMs) => {
          const previous: PollHealth = {
            state: 'failing',
            consecutiveFailures: failures,
            lastError: 'x',
            nextPollAtMs: 0,
          };
          const wait = nextPollHealth(previous, 'failed', NOW, intervalMs, 'y', () => r).nextPollAtMs - NOW;
          const base = Math.min(
            intervalMs * 2 ** Math.min(failures + 1, 50),
            Math.max(DEFAULT_MAX_BACKOFF_MS, intervalMs),
          );
          expect(Number.isFinite(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(Math.floor(base * 0.9));
          expect(wait).toBeLessThanOrEqual(Math.ceil(base * 1.1));
        },
      ),
    );
  });

  it('never polls a failing feed more often than a healthy one, even with a low ceiling', () => {
    const health = nextPollHealth(initialPollHealth(NOW), 'failed', NOW, 60 * MINUTE, 'x', noJitter, MINUTE);
    expect(health.nextPollAtMs - NOW).toBe(60 * MINUTE);
  });
});
