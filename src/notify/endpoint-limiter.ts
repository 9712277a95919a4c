/**
 * @module At most N deliveries in flight per endpoint within this process, the rest waiting in line (FIFO),
 * so one slow receiver neither gets flooded nor holds up the others.
 */

export interface EndpointLimiter {
  /** Runs `work` when the endpoint has a free slot; resolves or rejects as `work` does. */
  run<T>(endpoint: string, work: () => Promise<T>): Promise<T>;
  /** Deliveries running for the endpoint now. */
  inFlight(endpoint: string): number;
  /** Deliveries waiting for a slot. */
  waiting(endpoint: string): number;
}

interface Lane {
  active: number;
  readonly queue: Array<() => void>;
}

export function createEndpointLimiter(maxPerEndpoint: number): EndpointLimiter {
  if (!Number.isInteger(maxPerEndpoint) || maxPerEndpoint < 1) {
    throw new RangeError(
      `endpoint limiter: maxPerEndpoint must be a positive integer, got ${maxPerEndpoint}`,
    );
  }
  const lanes = new Map<string, Lane>();

  const acquire = (endpoint: string): Promise<void> => {
    let lane = lanes.get(endpoint);
    if (lane === undefined) {
      lane = { active: 0, queue: [] };
      lanes.set(endpoint, lane);
    }
    if (lane.active < maxPerEndpoint) {
      lane.active += 1;
      return Promise.resolve();
    }
    const { queue } = lane;
    return new Promise((resolve) => queue.push(resolve));
  };

  const release = (endpoint: string): void => {
    const lane = lanes.get(endpoint);
    if (lane === undefined) return;
    const next = lane.queue.shift();
    // The slot passes straight to the next in line, so a newcomer cannot overtake it.
    if (next !== undefined) {
      next();
      return;
    }
    lane.active -= 1;
    // Forget idle endpoints: the map would otherwise grow with every URL ever seen.
    if (lane.active === 0) lanes.delete(endpoint);
  };

  return {
    async run<T>(endpoint: string, work: () => Promise<T>): Promise<T> {
      await acquire(endpoint);
      try {
        return await work();
      } finally {
        release(endpoint);
      }
    },
    inFlight: (endpoint) => lanes.get(endpoint)?.active ?? 0,
    waiting: (endpoint) => lanes.get(endpoint)?.queue.length ?? 0,
  };
}
