import { describe, expect, it } from 'vitest';
import { createEndpointLimiter } from './endpoint-limiter.ts';

/** A promise resolved from outside, to hold work in flight for as long as a test wants. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('endpoint limiter', () => {
  it('never runs more than N at once per endpoint, and starts the waiting ones in order', async () => {
    const limiter = createEndpointLimiter(2);
    const gates = Array.from({ length: 6 }, gate);
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    const runs = gates.map((g, i) =>
      limiter.run('https://a.example/hook', async () => {
        started.push(i);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await g.promise;
        inFlight -= 1;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.inFlight('https://a.example/hook')).toBe(2);
    expect(limiter.waiting('https://a.example/hook')).toBe(4);
    // Finish out of order: the freed slot goes to the longest waiting, not to whoever asks next.
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(limiter.inFlight('https://a.example/hook')).toBe(0);
    expect(limiter.waiting('https://a.example/hook')).toBe(0);
  });

  it('keeps endpoints independent: a stuck one does not hold up another', async () => {
    const limiter = createEndpointLimiter(1);
    const stuck = gate();
    const slow = limiter.run('slow', () => stuck.promise);
    const waiting = limiter.run('slow', async () => 'second');
    expect(await limiter.run('fast', async () => 'done')).toBe('done');
    expect(limiter.waiting('slow')).toBe(1);
    stuck.open();
    await slow;
    expect(await waiting).toBe('second');
  });

  it('frees the slot when work fails', async () => {
    const limiter = createEndpointLimiter(1);
    await expect(limiter.run('e', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      limiter.run('e', () => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    expect(await limiter.run('e', async () => 1)).toBe(1);
    expect(limiter.inFlight('e')).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => createEndpointLimiter(0)).toThrow(RangeError);
    expect(() => createEndpointLimiter(1.5)).toThrow(RangeError);
  });
});
