import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from './nats-bus.ts';

describe('bus events on the wire', () => {
  it('survive it unchanged', () => {
    const ids = fc.array(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { maxLength: 50 });
    fc.assert(
      fc.property(ids, ids, (signalIds, warningIds) => {
        expect(decodeEvent('signals.raised', encodeEvent('signals.raised', { signalIds }))).toEqual({
          signalIds,
        });
        expect(decodeEvent('warnings.published', encodeEvent('warnings.published', { warningIds }))).toEqual({
          warningIds,
        });
      }),
    );
  });

  it('refuse a message of another topic or of strangers', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(decodeEvent('signals.raised', bytes('{"warningIds":[1]}'))).toBeUndefined();
    expect(decodeEvent('signals.raised', bytes('{"signalIds":[1,"2"]}'))).toBeUndefined();
    expect(decodeEvent('signals.raised', bytes('{"signalIds":[0]}'))).toBeUndefined();
    expect(decodeEvent('signals.raised', bytes('oops'))).toBeUndefined();
    expect(decodeEvent('warnings.published', bytes('null'))).toBeUndefined();
  });
});
