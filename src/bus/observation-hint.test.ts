import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeHint,
  encodeHint,
  messageIdOf,
  OBSERVATION_PARTITIONS,
  partitionOf,
  subjectOf,
} from './observation-hint.ts';

const hint = fc.record({
  seriesId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  organisationId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  newestMs: fc.integer({ min: -8.64e15, max: 8.64e15 }),
});

describe('observation hints', () => {
  it('put a series always on the same one of 32 partitions, and spread consecutive series over all of them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (id) => {
        const p = partitionOf(id);
        expect(Number.isInteger(p) && p >= 0 && p < OBSERVATION_PARTITIONS).toBe(true);
        expect(subjectOf(id)).toBe(`ew4e.obs.${p}`);
      }),
    );
    const used = new Set(Array.from({ length: 64 }, (_, i) => partitionOf(1000 + i)));
    expect(used.size).toBe(OBSERVATION_PARTITIONS);
    expect(subjectOf(33)).toBe('ew4e.obs.1');
  });

  it('survive the wire unchanged', () => {
    fc.assert(
      fc.property(hint, (h) => {
        expect(decodeHint(encodeHint(h))).toEqual(h);
      }),
    );
  });

  it('name the batch they come from, so that a retried publish is stored once', () => {
    expect(messageIdOf({ seriesId: 7, organisationId: 3, newestMs: 1_700_000_000_000 })).toBe(
      'obs:7:1700000000000',
    );
  });

  it('refuse what is not a hint, whatever the bytes', () => {
    for (const text of [
      'not json',
      'null',
      '[]',
      '{"seriesId":1,"organisationId":2}',
      '{"seriesId":0,"organisationId":2,"newestMs":1}',
      '{"seriesId":1.5,"organisationId":2,"newestMs":1}',
      '{"seriesId":"1","organisationId":2,"newestMs":1}',
      '{"seriesId":1,"organisationId":2,"newestMs":1e300}',
    ]) {
      expect(decodeHint(new TextEncoder().encode(text)), text).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        const decoded = decodeHint(bytes);
        if (decoded !== undefined) expect(decodeHint(encodeHint(decoded))).toEqual(decoded);
      }),
    );
  });
});
