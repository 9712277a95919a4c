/**
 * @module MQTT ingestion's topic tree and messages, pure: which station a topic names, which format a payload
 * has, what a refusal says and which PUBACK reason code it carries (MQTT 5.0, OASIS Standard, 7 March 2019).
 *
 *   {prefix}/{organisation code}/{station code}/observations   sensors publish here, QoS 1
 *   {prefix}/{organisation code}/{station code}/errors         EW4E reports each refused message here
 *
 * The prefix is `ew4e/in` by default. A payload is a batch as POST /v1/observations takes it (a JSON array,
 * NDJSON or CSV with a header row), told apart by the MQTT 5 Content Type or else by its first character.
 */
import { ERROR_CODES, type ErrorCode, type ProblemDetail } from '../errors.ts';

export const DEFAULT_INGEST_PREFIX = 'ew4e/in';

export interface IngestTopic {
  readonly organisationCode: string;
  readonly stationCode: string;
}

/** The subscription that takes every station's observations (§4.7.1.2: `+` matches one level). */
export function observationsFilter(prefix: string): string {
  return `${prefix}/+/+/observations`;
}

/** The organisation and station a topic names, or undefined for a topic outside the tree. */
export function parseIngestTopic(prefix: string, topic: string): IngestTopic | undefined {
  if (!topic.startsWith(`${prefix}/`)) return undefined;
  const levels = topic.slice(prefix.length + 1).split('/');
  if (levels.length !== 3 || levels[2] !== 'observations') return undefined;
  const [organisationCode, stationCode] = levels as [string, string];
  if (organisationCode === '' || stationCode === '') return undefined;
  return { organisationCode, stationCode };
}

export function errorsTopic(prefix: string, topic: IngestTopic): string {
  return `${prefix}/${topic.organisationCode}/${topic.stationCode}/errors`;
}

export type PayloadFormat = 'json' | 'ndjson' | 'csv';

const FORMAT_OF_CONTENT_TYPE: Readonly<Record<string, PayloadFormat>> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'text/csv': 'csv',
};

/**
 * The payload's format: its Content Type (§3.3.2.3.9) when the sender set one, else `[` means a JSON array,
 * `{` NDJSON, anything else CSV. Undefined for a content type we do not read.
 */
export function payloadFormat(contentType: string | undefined, text: string): PayloadFormat | undefined {
  if (contentType !== undefined && contentType !== '') {
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
    return FORMAT_OF_CONTENT_TYPE[mediaType];
  }
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)?.[0];
  if (first === '[') return 'json';
  if (first === '{') return 'ndjson';
  return 'csv';
}

/** What EW4E publishes on the errors topic for a refused message: an RFC 9457-like problem, plus where it came from. */
export interface IngestProblemReport {
  readonly code: ErrorCode;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly ProblemDetail[];
  /** The topic the refused message was published to. */
  readonly topic: string;
  readonly received_at: string;
}

export function problemReport(
  topic: string,
  error: { readonly code: ErrorCode; readonly message: string; readonly details: readonly ProblemDetail[] },
  receivedAtMs: number,
): IngestProblemReport {
  return {
    code: error.code,
    title: ERROR_CODES[error.code].title,
    detail: error.message,
    ...(error.details.length > 0 ? { errors: error.details } : {}),
    topic,
    received_at: new Date(receivedAtMs).toISOString(),
  };
}

/**
 * The PUBACK reason code of a refused message (§3.4.2.1). Any reason code acknowledges the message: the broker
 * does not send it again, so it is refused once, reported, and never blocks the messages behind it.
 */
export function pubackReasonOf(code: ErrorCode): number {
  switch (code) {
    case 'EW4E_INVALID_ROWS':
    case 'EW4E_BAD_REQUEST':
    case 'EW4E_BATCH_TOO_LARGE':
    case 'EW4E_UNSUPPORTED_MEDIA_TYPE':
      return 0x99; // Payload format invalid
    case 'EW4E_NOT_FOUND':
    case 'EW4E_FORBIDDEN':
    case 'EW4E_UNAUTHENTICATED':
      return 0x87; // Not authorized
    default:
      return 0x80; // Unspecified error
  }
}
