/**
 * @module The message that tells detection a series has new stored data: its subject (partitioned by series)
 * and its wire form. A hint, not the data: detection reads the observations from the database, from the
 * series' checkpoint, so a lost, repeated or late hint changes nothing but when the work happens.
 */

export interface ObservationHint {
  readonly seriesId: number;
  readonly organisationId: number;
  /** The newest observation time of the batch that raised the hint (ms since the epoch). */
  readonly newestMs: number;
}

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
 * The stream's de-duplication id: a publish retried after an unanswered attempt is stored once, and a
 * second hint for the same newest time (the same batch re-sent) adds no work.
 */
export function messageIdOf(hint: ObservationHint): string {
  return `obs:${hint.seriesId}:${hint.newestMs}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeHint(hint: ObservationHint): Uint8Array {
  return encoder.encode(
    JSON.stringify({ seriesId: hint.seriesId, organisationId: hint.organisationId, newestMs: hint.newestMs }),
  );
}

/** The hint in a message, or undefined when the bytes are not one (a stranger's publish on our subjects). */
export function decodeHint(bytes: Uint8Array): ObservationHint | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { seriesId, organisationId, newestMs } = value as Record<string, unknown>;
  if (!isPositiveInteger(seriesId) || !isPositiveInteger(organisationId) || !Number.isSafeInteger(newestMs))
    return undefined;
  return { seriesId, organisationId, newestMs: newestMs as number };
}

function isPositiveInteger(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) > 0;
}
