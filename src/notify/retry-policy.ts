/**
 * @module When to try a failed delivery again: exponential backoff with full jitter, and when to give up
 * (Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015).
 */

export interface BackoffOptions {
  /** The ceiling of the first delay; doubles with every attempt. Default 5 s. */
  readonly baseMs?: number;
  /** The ceiling never grows beyond this. Default 1 h. */
  readonly maxMs?: number;
  /** A number in [0, 1); injectable so tests and simulations are reproducible. Default Math.random. */
  readonly random?: () => number;
}

export const DEFAULT_BASE_MS = 5_000;
export const DEFAULT_MAX_MS = 3_600_000;

/**
 * Attempts per delivery before it goes to the dead letters. With the default backoff the expected wait
 * between the first and the last attempt is about 3.2 hours and never more than about 6.4 hours (the sum
 * of the ceilings, checked by a test): a receiver down for a day is NOT covered by retries alone; raise
 * this or `maxMs` for that (about 57 attempts at the default 1 h ceiling).
 */
export const MAX_ATTEMPTS = 15;

/** The upper bound of the delay after `attempt` attempts: min(max, base · 2^attempt). */
export function backoffCeilingMs(attempt: number, options: BackoffOptions = {}): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`backoff: attempt must be a non-negative integer, got ${attempt}`);
  }
  const baseMs = options.baseMs ?? DEFAULT_BASE_MS;
  const maxMs = options.maxMs ?? DEFAULT_MAX_MS;
  // 2 ** 1100 is Infinity, which min() absorbs: no overflow to guard beyond that.
  return Math.min(maxMs, baseMs * 2 ** attempt);
}

/**
 * How long to wait before the next attempt, `attempt` being the number of attempts made so far
 * (1 after the first failure). "Full jitter": uniformly random in [0, ceiling), which spreads the retries
 * of many deliveries that failed together (one receiver's outage) instead of firing them in waves.
 */
export function nextAttemptDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const random = options.random ?? Math.random;
  return Math.floor(random() * backoffCeilingMs(attempt, options));
}

/** After `attempts` failed attempts, the delivery stops being retried and is kept for an operator to see. */
export function isDeadLetter(attempts: number, maxAttempts: number = MAX_ATTEMPTS): boolean {
  return attempts >= maxAttempts;
}
