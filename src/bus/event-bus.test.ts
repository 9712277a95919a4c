import { describe, expect, it } from 'vitest';
import { InProcessBus } from './event-bus.ts';

describe('InProcessBus', () => {
  it('delivers in order to every subscriber until it unsubscribes, and survives a failing handler', () => {
    const errors: unknown[] = [];
    const bus = new InProcessBus((e) => errors.push(e));
    const seen: number[][] = [];
    bus.subscribe('signals.raised', () => {
      throw new Error('boom');
    });
    const stop = bus.subscribe('signals.raised', (e) => seen.push([...e.signalIds]));
    bus.publish('signals.raised', { signalIds: [1, 2] });
    stop();
    bus.publish('signals.raised', { signalIds: [3] });
    expect(seen).toEqual([[1, 2]]);
    expect(errors).toHaveLength(2);
  });
});
