/** @module When to poll a federated CAP feed next, and whether it is healthy: fixed interval while it answers, exponential backoff with jitter while it fails. */

export interface PollHealth {
  readonly state: 'ok' | 'failing' | 'unknown';
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  readonly nextPollAtMs: number;
}

/** Six hours: a feed that has been down all day is still retried four times a day. */
export const DEFAULT_MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;

/** ±10 %: feeds that failed together (one outage upstream) spread out instead of retrying in step. */
const JITTER = 0.1;

/** A feed never polled yet: due now. */
export function initialPollHealth(nowMs: number): PollHealth {
  return { state: 'unknown', consecutiveFailures: 0, lastError: null, nextPollAtMs: nowMs };
}

/**
 * After an outcome: ok → next poll after intervalMs; failure → exponential backoff
 * min(intervalMs * 2^failures, maxBackoffMs) with ±10% jitter from the given random().
 */
export function nextPollHealth(
  previous: PollHealth,
  outcome: 'ok' | 'failed',
  nowMs: number,
  intervalMs: number,
  error: string | null,
  random: () => number = Math.random,
  maxBackoffMs: number = DEFAULT_MAX_BACKOFF_MS,
): PollHealth {
  if (outcome === 'ok') {
    return { state: 'ok', consecutiveFailures: 0, lastError: null, nextPollAtMs: nowMs + intervalMs };
  }
  const failures = previous.consecutiveFailures + 1;
  // The ceiling never falls below the normal interval: a failing feed is not polled more often than a healthy one.
  const ceiling = Math.max(maxBackoffMs, intervalMs);
  // 2^1024 is Infinity and 0 · Infinity is NaN: the exponent stops long before.
  const backoff = Math.min(intervalMs * 2 ** Math.min(failures, 50), ceiling);
  const jitter = 1 + (Math.min(Math.max(random(), 0), 1) * 2 - 1) * JITTER;
  return {
    state: 'failing',
    consecutiveFailures: failures,
    lastError: error,
    nextPollAtMs: nowMs + Math.round(backoff * jitter),
  };
}
