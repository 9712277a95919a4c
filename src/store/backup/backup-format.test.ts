import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKUP_MAGIC,
  encodeFrame,
  type Frame,
  FrameReader,
  quoteIdentifier,
  RowChunker,
  TableDigest,
} from './backup-format.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

function fileOf(frames: readonly Frame[]): Uint8Array {
  const parts = [BACKUP_MAGIC, ...frames.map(encodeFrame)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feeds `file` to a reader in pieces cut at `cuts` and returns what it read. */
function readInPieces(file: Uint8Array, cuts: readonly number[]): Frame[] {
  const reader = new FrameReader();
  const frames: Frame[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    frames.push(...reader.push(file.subarray(from, cut)));
    from = cut;
  }
  frames.push(...reader.push(file.subarray(from)));
  reader.end();
  return frames;
}

const sample: Frame[] = [
  { kind: 'table', table: 'organisation' },
  { kind: 'data', rows: bytes('1\t\\N\tglobal\n2\t1\tbd\n') },
  { kind: 'table', table: 'observation' },
  { kind: 'manifest', json: '{"format":"ew4e-backup"}' },
];

describe('backup frames', () => {
  it('read back exactly as written, however the bytes are cut into chunks', () => {
    const file = fileOf(sample);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: file.length }), { maxLength: 12 }), (cuts) => {
        const read = readInPieces(file, cuts);
        expect(read.map((f) => f.kind)).toEqual(['table', 'data', 'table', 'manifest']);
        expect(read[0]).toEqual({ kind: 'table', table: 'organisation' });
        expect(text((read[1] as { rows: Uint8Array }).rows)).toBe('1\t\\N\tglobal\n2\t1\tbd\n');
        expect(read[3]).toEqual({ kind: 'manifest', json: '{"format":"ew4e-backup"}' });
      }),
    );
  });

  it('refuse a file that is not a backup', () => {
    expect(() => new FrameReader().push(bytes('PGDMP\u0001\u0002 some other dump format'))).toThrow(
      /does not start as one/,
    );
  });

  it('refuse a file cut short, at a frame boundary or inside a frame', () => {
    const file = fileOf(sample);
    const withoutManifest = fileOf(sample.slice(0, 3));
    for (const cut of [withoutManifest.length, file.length - 3, 5]) {
      const reader = new FrameReader();
      reader.push(file.subarray(0, cut));
      expect(() => reader.end()).toThrow(expect.objectContaining({ code: 'EW4E_INVALID_BACKUP' }));
    }
  });

  it('refuse anything after the manifest, an unknown frame kind, and rows cut inside a row', () => {
    const trailing = fileOf([...sample, { kind: 'table', table: 'x' }]);
    expect(() => new FrameReader().push(trailing)).toThrow(/after the manifest/);
    const unknown = fileOf(sample);
    unknown[BACKUP_MAGIC.length] = 0x5a; // 'Z'
    expect(() => new FrameReader().push(unknown)).toThrow(/unknown frame kind 90 at byte 12/);
    const halfRow = fileOf([
      { kind: 'table', table: 't' },
      { kind: 'data', rows: bytes('1\tabc') },
    ]);
    expect(() => new FrameReader().push(halfRow)).toThrow(/does not end at a row end/);
  });
});

describe('RowChunker', () => {
  const rowsArb = fc
    .array(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), { maxLength: 60 })
    .map((rows) => rows.map((r) => `${r.replaceAll('\n', ' ')}\n`).join(''));

  it('cuts the stream into pieces of whole rows that add up to it, none far past the target', () => {
    fc.assert(
      fc.property(
        rowsArb,
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 10 }),
        fc.integer({ min: 8, max: 200 }),
        (data, cuts, target) => {
          const all = bytes(data);
          const chunker = new RowChunker(target);
          const pieces: Uint8Array[] = [];
          let from = 0;
          for (const cut of [...cuts, all.length].sort((a, b) => a - b).map((c) => Math.min(c, all.length))) {
            pieces.push(...chunker.push(all.subarray(from, cut)));
            from = Math.max(from, cut);
          }
          const rest = chunker.end();
          if (rest) pieces.push(rest);
          expect(pieces.map(text).join('')).toBe(data);
          const longestRow = Math.max(0, ...data.split('\n').map((r) => r.length + 1));
          for (const piece of pieces) {
            expect(piece.at(-1)).toBe(0x0a);
            expect(piece.length).toBeLessThanOrEqual(2 * target + longestRow);
          }
        },
      ),
    );
  });

  it('splits one large chunk (PGlite gives a table as one blob) into bounded pieces', () => {
    const row = 'x'.repeat(99);
    const blob = bytes(`${row}\n`.repeat(1000));
    const chunker = new RowChunker(1000);
    const pieces = chunker.push(blob);
    const rest = chunker.end();
    expect(pieces.length).toBeGreaterThanOrEqual(90);
    expect(pieces.every((p) => p.length >= 1000 && p.length <= 2000)).toBe(true);
    expect(pieces.reduce((n, p) => n + p.length, 0) + (rest?.length ?? 0)).toBe(blob.length);
  });

  it('refuses output that does not end at a row end', () => {
    const chunker = new RowChunker(1000);
    chunker.push(bytes('1\ta\n2\tb'));
    expect(() => chunker.end()).toThrow(/row end/);
  });
});

describe('TableDigest', () => {
  it('counts rows by their newlines (COPY escapes newlines inside values) and hashes the bytes', () => {
    const digest = new TableDigest();
    digest.update(bytes('1\tline one\\nline two\n'));
    digest.update(bytes('2\t\\N\n'));
    expect(digest.rows).toBe(2);
    expect(digest.bytes).toBe(26);
    expect(digest.sha256()).toBe('f06c1ae88c894dafa953445193c60bc12c38e5aa797fb8d725d488a406f0b9b3');
  });
});

it('quotes identifiers as PostgreSQL does', () => {
  expect(quoteIdentifier('warning_audit')).toBe('"warning_audit"');
  expect(quoteIdentifier('odd"name')).toBe('"odd""name"');
});
