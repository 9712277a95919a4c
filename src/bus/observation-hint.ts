/**
 * @module The hint that tells detection a series has new stored data: its subject (partitioned by series)
 * and the wire form of a message of hints. It may carry the batch's rows (those detection uses: QC not rejected), so that a detect
 * worker need not read back from the database what the ingesting process has just written. The database stays
 * the record: a worker uses carried rows only when nothing else is stored after its checkpoint, before, between
 * or after them, and otherwise reads the series from its checkpoint, as it does for a hint without rows. So a
 * lost, repeated or late message changes nothing but when the work happens.
 */
import { endianness } from 'node:os';

export interface ObservationHint {
  readonly seriesId: number;
  readonly organisationId: number;
  /** The newest observation time of the batch that raised the hint (ms since the epoch). */
  readonly newestMs: number;
  /** The batch's rows of this series that detection uses, strictly ascending in time; absent for big batches. */
  readonly rows?: CarriedRows;
}

export interface CarriedRows {
  readonly timeMs: Float64Array;
  readonly value: Float64Array;
  /**
   * The series' revision when the batch was stored (`series.revision`, raised by every re-sent batch that
   * replaced stored values): a worker that finds it changed reads the series, which holds the latest values.
   */
  readonly revision: number;
}

/**
 * A batch carries its rows up to this many per series (16 bytes each: 512 KiB, half of NATS's default
 * max_payload); a bigger one (an import of history) sends a bare hint and the worker reads the database.
 */
export const MAX_CARRIED_ROWS = 32_768;

/**
 * Subjects are `ew4e.obs.<partition>`, partition = seriesId mod 32. Fixed: changing it re-partitions the stream.
 * One durable consumer takes all partitions today; the partitions let an operator split the stream
 * (a consumer per partition range, or a stream per site) without touching the publishers.
 */
export const OBSERVATION_PARTITIONS = 32;
export const OBSERVATION_SUBJECT_PREFIX = 'ew4e.obs';

export function partitionOf(seriesId: number): number {
  return ((seriesId % OBSERVATION_PARTITIONS) + OBSERVATION_PARTITIONS) % OBSERVATION_PARTITIONS;
}

export function subjectOf(seriesId: number): string {
  return `${OBSERVATION_SUBJECT_PREFIX}.${partitionOf(seriesId)}`;
}

/**
 * Hints travel together: one message per partition per batch, packed up to this size (NATS's default
 * max_payload is 1 MiB; one series' rows take at most 24 + 16 × MAX_CARRIED_ROWS bytes, so they always fit).
 * A message per series cost the ingesting process most of its CPU in the client's per-request bookkeeping.
 */
export const MAX_MESSAGE_BYTES = 768 * 1024;

const decoder = new TextDecoder();

/**
 * Binary (JSON would spend more on printing and parsing numbers than detection spends on them), little-endian:
 * byte 0 = HINTS_FORMAT (a hint from before, JSON, starts with `{`), 3 bytes of padding, u32 hint count; then
 * per hint u32 series id, u32 organisation id, f64 newest time, u32 row count (0: a bare hint), u32 the series'
 * revision (0 in messages from before it was sent), the times (f64 ms), the values (f64). Every part starts on an 8-byte boundary.
 */
const HINTS_FORMAT = 1;
const MESSAGE_HEADER_BYTES = 8;
const HINT_HEADER_BYTES = 24;

/** Float64Arrays are in the machine's byte order: copied whole where that is the wire's, else number by number. */
const LITTLE_ENDIAN = endianness() === 'LE';

export function encodedSizeOf(hint: ObservationHint): number {
  return HINT_HEADER_BYTES + 16 * (hint.rows?.timeMs.length ?? 0);
}

export function encodeHints(hints: readonly ObservationHint[]): Uint8Array {
  let size = MESSAGE_HEADER_BYTES;
  for (const hint of hints) size += encodedSizeOf(hint);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, HINTS_FORMAT);
  view.setUint32(4, hints.length, true);
  let at = MESSAGE_HEADER_BYTES;
  for (const { seriesId, organisationId, newestMs, rows } of hints) {
    const count = rows?.timeMs.length ?? 0;
    view.setUint32(at, seriesId, true);
    view.setUint32(at + 4, organisationId, true);
    view.setFloat64(at + 8, newestMs, true);
    view.setUint32(at + 16, count, true);
    view.setUint32(at + 20, rows?.revision ?? 0, true);
    at += HINT_HEADER_BYTES;
    if (rows === undefined) continue;
    if (LITTLE_ENDIAN) {
      new Float64Array(bytes.buffer, at, count).set(rows.timeMs);
      new Float64Array(bytes.buffer, at + 8 * count, count).set(rows.value);
    } else {
      for (let i = 0; i < count; i++) {
        view.setFloat64(at + 8 * i, rows.timeMs[i]!, true);
        view.setFloat64(at + 8 * (count + i), rows.value[i]!, true);
      }
    }
    at += 16 * count;
  }
  return bytes;
}

/** The hints in a message, or undefined when the bytes are not hints (a stranger's publish on our subjects). */
export function decodeHints(bytes: Uint8Array): ObservationHint[] | undefined {
  if (bytes[0] !== HINTS_FORMAT) {
    const hint = decodeJsonHint(bytes);
    return hint === undefined ? undefined : [hint];
  }
  if (bytes.length < MESSAGE_HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hints: ObservationHint[] = [];
  const expected = view.getUint32(4, true);
  let at = MESSAGE_HEADER_BYTES;
  while (at < bytes.length) {
    if (bytes.length - at < HINT_HEADER_BYTES) return undefined;
    const seriesId = view.getUint32(at, true);
    const organisationId = view.getUint32(at + 4, true);
    const newestMs = view.getFloat64(at + 8, true);
    const count = view.getUint32(at + 16, true);
    const revision = view.getUint32(at + 20, true);
    at += HINT_HEADER_BYTES;
    if (seriesId === 0 || organisationId === 0 || !isTime(newestMs)) return undefined;
    if (count > MAX_CARRIED_ROWS || bytes.length - at < 16 * count) return undefined;
    if (count === 0) {
      hints.push({ seriesId, organisationId, newestMs });
      continue;
    }
    const rows = rowsAt(bytes, view, at, count, revision);
    if (rows === undefined || rows.timeMs[count - 1]! > newestMs) return undefined;
    hints.push({ seriesId, organisationId, newestMs, rows });
    at += 16 * count;
  }
  return hints.length === expected ? hints : undefined;
}

/** `count` rows at byte `at`, checked: whole milliseconds strictly ascending, finite values. */
function rowsAt(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  count: number,
  revision: number,
): CarriedRows | undefined {
  let timeMs: Float64Array;
  let value: Float64Array;
  if (LITTLE_ENDIAN) {
    // Copied out: the message's bytes need not start on an 8-byte boundary, and the rows outlive the message.
    const start = bytes.byteOffset + at;
    timeMs = new Float64Array(bytes.buffer.slice(start, start + 8 * count));
    value = new Float64Array(bytes.buffer.slice(start + 8 * count, start + 16 * count));
  } else {
    timeMs = new Float64Array(count);
    value = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      timeMs[i] = view.getFloat64(at + 8 * i, true);
      value[i] = view.getFloat64(at + 8 * (count + i), true);
    }
  }
  for (let i = 0; i < count; i++) {
    if (!isTime(timeMs[i]) || !Number.isFinite(value[i]) || (i > 0 && timeMs[i]! <= timeMs[i - 1]!))
      return undefined;
  }
  return { timeMs, value, revision };
}

/** A hint as one JSON object: what ingesting processes published before hints travelled together. */
function decodeJsonHint(bytes: Uint8Array): ObservationHint | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { seriesId, organisationId, newestMs } = value as Record<string, unknown>;
  if (!isPositiveInteger(seriesId) || !isPositiveInteger(organisationId) || !isTime(newestMs))
    return undefined;
  return { seriesId, organisationId, newestMs };
}

function isPositiveInteger(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) > 0;
}

/** Integer milliseconds within the range of a JavaScript Date. */
function isTime(n: unknown): n is number {
  return Number.isSafeInteger(n) && Math.abs(n as number) <= 8.64e15;
}
