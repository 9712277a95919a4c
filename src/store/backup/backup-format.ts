/**
 * @module The backup file's framing, pure: after a magic line, frames `kind (1 byte) | length (uint32 BE) | payload`:
 * `T` a table begins (its name), `D` some of its rows (PostgreSQL COPY text format, whole rows only), and last `M`,
 * the manifest (JSON). The whole stream is gzip'd by the writer. Hand-written rather than tar: a table streams
 * out of COPY without knowing its size first, and the reader checks each table while it reads it.
 */
import { createHash, type Hash } from 'node:crypto';
import { Ew4eError } from '../../errors.ts';

export const BACKUP_MAGIC = new TextEncoder().encode('EW4E-BACKUP\n');

/** A data frame is cut at the first row end after this many bytes: bounded memory on both sides. */
export const DATA_FRAME_BYTES = 1 << 20;

/** No frame is longer (PostgreSQL's largest field is 1 GiB): a corrupt length is refused, not awaited. */
export const MAX_FRAME_BYTES = 1 << 30;

const HEADER_BYTES = 5;
const NEWLINE = 0x0a;

export type Frame =
  | { readonly kind: 'table'; readonly table: string }
  | { readonly kind: 'data'; readonly rows: Uint8Array }
  | { readonly kind: 'manifest'; readonly json: string };

const KIND_BYTES = { table: 0x54, data: 0x44, manifest: 0x4d } as const; // 'T', 'D', 'M'

export function encodeFrame(frame: Frame): Uint8Array {
  const payload =
    frame.kind === 'data'
      ? frame.rows
      : new TextEncoder().encode(frame.kind === 'table' ? frame.table : frame.json);
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  out[0] = KIND_BYTES[frame.kind];
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, HEADER_BYTES);
  return out;
}

export function invalidBackup(reason: string, options?: ErrorOptions): Ew4eError {
  return new Ew4eError('EW4E_INVALID_BACKUP', `not a usable EW4E backup: ${reason}`, [], options);
}

/** Bytes arriving in chunks of any size, taken out again in exact lengths without copying more than once. */
class ByteQueue {
  #chunks: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The first `n` bytes, without removing them; n ≤ length. */
  peek(n: number): Uint8Array {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let filled = 0;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(0, n - filled);
      out.set(part, filled);
      filled += part.length;
      if (filled === n) break;
    }
    return out;
  }

  take(n: number): Uint8Array {
    const out = this.peek(n);
    let left = n;
    while (left > 0) {
      const first = this.#chunks[0]!;
      if (first.length <= left) {
        this.#chunks.shift();
        left -= first.length;
      } else {
        this.#chunks[0] = first.subarray(left);
        left = 0;
      }
    }
    this.#length -= n;
    return out;
  }
}

/** Reads frames incrementally from the (gunzipped) bytes of a backup, whatever their chunking. */
export class FrameReader {
  readonly #queue = new ByteQueue();
  #sawMagic = false;
  #sawManifest = false;
  /** Bytes read so far: the offset a problem is reported at. */
  #offset = 0;

  push(chunk: Uint8Array): Frame[] {
    this.#queue.push(chunk);
    const frames: Frame[] = [];
    if (!this.#sawMagic) {
      if (this.#queue.length < BACKUP_MAGIC.length) return frames;
      const magic = this.#queue.take(BACKUP_MAGIC.length);
      if (!magic.every((b, i) => b === BACKUP_MAGIC[i])) throw invalidBackup('it does not start as one');
      this.#sawMagic = true;
      this.#offset = magic.length;
    }
    while (this.#queue.length >= HEADER_BYTES) {
      const header = this.#queue.peek(HEADER_BYTES);
      const length = new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getUint32(1);
      if (length > MAX_FRAME_BYTES) throw invalidBackup(`a frame at byte ${this.#offset} is too long`);
      if (this.#queue.length < HEADER_BYTES + length) break;
      const kindByte = this.#queue.take(HEADER_BYTES)[0];
      const payload = this.#queue.take(length);
      if (this.#sawManifest) throw invalidBackup(`data after the manifest at byte ${this.#offset}`);
      frames.push(this.#frameOf(kindByte, payload));
      this.#offset += HEADER_BYTES + length;
    }
    return frames;
  }

  /** Call at the end of the input: refuses a file cut short. */
  end(): void {
    if (!this.#sawMagic) throw invalidBackup('the file is empty or cut short');
    if (this.#queue.length > 0 || !this.#sawManifest)
      throw invalidBackup(`the file is cut short after byte ${this.#offset}`);
  }

  #frameOf(kindByte: number | undefined, payload: Uint8Array): Frame {
    switch (kindByte) {
      case KIND_BYTES.table:
        return { kind: 'table', table: new TextDecoder('utf-8', { fatal: true }).decode(payload) };
      case KIND_BYTES.data:
        if (payload.length === 0 || payload[payload.length - 1] !== NEWLINE)
          throw invalidBackup(`a data frame at byte ${this.#offset} does not end at a row end`);
        return { kind: 'data', rows: payload };
      case KIND_BYTES.manifest:
        this.#sawManifest = true;
        return { kind: 'manifest', json: new TextDecoder('utf-8', { fatal: true }).decode(payload) };
      default:
        throw invalidBackup(`unknown frame kind ${kindByte} at byte ${this.#offset}`);
    }
  }
}

/**
 * Regroups the chunks COPY TO gives (one row each from PostgreSQL, the whole table from PGlite) into pieces of
 * about DATA_FRAME_BYTES that hold whole rows: each can be loaded by a COPY FROM of its own.
 */
export class RowChunker {
  readonly #queue = new ByteQueue();
  /** Offset in the queue of its last newline, or -1. */
  #lastRowEnd = -1;

  constructor(private readonly targetBytes = DATA_FRAME_BYTES) {}

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    // A long chunk (PGlite's one blob per COPY) goes in target-sized parts, so no piece grows past twice the target.
    for (let i = 0; i < chunk.length; i += this.targetBytes) {
      const part = chunk.subarray(i, i + this.targetBytes);
      const last = part.lastIndexOf(NEWLINE);
      if (last !== -1) this.#lastRowEnd = this.#queue.length + last;
      this.#queue.push(part);
      if (this.#queue.length >= this.targetBytes && this.#lastRowEnd >= 0) {
        out.push(this.#queue.take(this.#lastRowEnd + 1));
        this.#lastRowEnd = -1;
      }
    }
    return out;
  }

  /** The rows left; refuses data that does not end at a row end (COPY output always does). */
  end(): Uint8Array | undefined {
    if (this.#queue.length === 0) return undefined;
    const rest = this.#queue.take(this.#queue.length);
    if (rest[rest.length - 1] !== NEWLINE) throw new Error('COPY output does not end at a row end');
    return rest;
  }
}

/** Rows and SHA-256 of one table's data as it streams: COPY text format ends every row, and only a row, with a newline. */
export class TableDigest {
  readonly #hash: Hash = createHash('sha256');
  rows = 0;
  bytes = 0;

  update(data: Uint8Array): void {
    this.#hash.update(data);
    this.bytes += data.length;
    for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, i + 1)) this.rows++;
  }

  sha256(): string {
    return this.#hash.digest('hex');
  }
}

/** A PostgreSQL identifier in double quotes, for the SQL that backup and restore build from catalog names. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
