/**
 * @module A circuit breaker per endpoint, as plain data so it can be stored beside the endpoint: after
 * repeated failures stop sending for a while, then let one probe through to learn whether it recovered
 * (Michael Nygard, "Release It!", ch. 5 "Circuit Breaker"). Pure: the caller passes the time and stores the state.
 */

export interface BreakerState {
  /** closed: send; open: do not send; half_open: one probe is out, wait for its outcome. */
  readonly state: 'closed' | 'open' | 'half_open';
  /** Consecutive failures. */
  readonly failures: number;
  /** When it opened (open), or when the probe was let through (half_open); null when closed. */
  readonly openedAtMs: number | null;
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  readonly failureThreshold?: number;
  /** How long an open breaker waits before a probe; also how long a probe may stay unanswered. Default 30 s. */
  readonly coolDownMs?: number;
}

/** What {@link mayAttempt} decided, and the state to store (letting a probe through is a change of state). */
export interface BreakerDecision {
  readonly allowed: boolean;
  readonly breaker: BreakerState;
}

export const DEFAULT_FAILURE_THRESHOLD = 5;
export const DEFAULT_COOL_DOWN_MS = 30_000;

const CLOSED: BreakerState = { state: 'closed', failures: 0, openedAtMs: null };

export function initialBreaker(): BreakerState {
  return CLOSED;
}

/**
 * Whether a delivery to the endpoint may be attempted now. Store the returned `breaker`: when the
 * cool-down is over, the one probe that is allowed moves the breaker to half_open so that no second
 * attempt gets through before the probe's outcome is known.
 */
export function mayAttempt(b: BreakerState, nowMs: number, options: BreakerOptions = {}): BreakerDecision {
  const coolDownMs = options.coolDownMs ?? DEFAULT_COOL_DOWN_MS;
  switch (b.state) {
    case 'closed':
      return { allowed: true, breaker: b };
    case 'open':
    case 'half_open': {
      // In half_open the same wait replaces a probe whose outcome never came (its worker died).
      const waited = nowMs - (b.openedAtMs ?? Number.NEGATIVE_INFINITY);
      if (waited < coolDownMs) return { allowed: false, breaker: b };
      return { allowed: true, breaker: { state: 'half_open', failures: b.failures, openedAtMs: nowMs } };
    }
    default: {
      const unknown: never = b.state;
      throw new Error(`circuit breaker: unknown state ${String(unknown)}`);
    }
  }
}

/** The state after an attempt ended: a success closes it from any state, a failure counts toward opening. */
export function afterAttempt(
  b: BreakerState,
  success: boolean,
  nowMs: number,
  options: BreakerOptions = {},
): BreakerState {
  if (success) return CLOSED;
  const failureThreshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
  const failures = b.failures + 1;
  switch (b.state) {
    case 'closed':
      return failures >= failureThreshold
        ? { state: 'open', failures, openedAtMs: nowMs }
        : { state: 'closed', failures, openedAtMs: null };
    case 'half_open':
      // The probe failed: wait a whole cool-down again.
      return { state: 'open', failures, openedAtMs: nowMs };
    case 'open':
      // A late failure of an attempt started before it opened: the cool-down keeps running from the opening.
      return { state: 'open', failures, openedAtMs: b.openedAtMs ?? nowMs };
    default: {
      const unknown: never = b.state;
      throw new Error(`circuit breaker: unknown state ${String(unknown)}`);
    }
  }
}
