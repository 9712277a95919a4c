/** @module The seam every dissemination channel sits behind: one published warning, in one recipient's language, to one target. */
import type { MultiPolygon, Polygon } from 'geojson';
import type { CapAlert } from '../warn/cap/cap-alert.ts';

export const CHANNEL_KINDS = ['webhook', 'email', 'sms', 'mqtt', 'sse', 'audio', 'print'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** What a channel delivers: everything it may need, already chosen for the recipient (language, links). */
export interface WarningMessage {
  /** One stable id per delivery (subscription × warning version): receivers drop duplicates by it. */
  readonly deliveryId: string;
  readonly warningId: number;
  readonly threadId: number;
  /** The CAP identifier of the version. */
  readonly identifier: string;
  readonly msgType: 'Alert' | 'Update' | 'Cancel';
  /** ISO 8601 UTC. */
  readonly sent: string;
  readonly expires: string;
  readonly hazard: string;
  readonly severity: string;
  readonly urgency: string;
  readonly certainty: string;
  /** The language of the texts below (RFC 3066: en, fr, es, ar, ru, zh). */
  readonly language: string;
  readonly event: string;
  readonly headline: string;
  readonly description: string;
  readonly instruction: string;
  readonly areaDesc: string;
  readonly geometry: Polygon | MultiPolygon;
  /** ISO 3166-1 alpha-2 codes of the countries the area lies in (for topic trees), upper case. */
  readonly countries: readonly string[];
  readonly senderName: string;
  /** The version as CAP JSON (field for field, as /cap/:identifier.json). */
  readonly cap: CapAlert;
  readonly capUrl: string;
  readonly jsonUrl: string;
  /** Where a person reads more. */
  readonly webUrl: string;
  /** One-click unsubscribe for this subscription (null for organisation-managed ones). */
  readonly unsubscribeUrl: string | null;
  /** Where a responder acknowledges (null when no acknowledgement is asked). */
  readonly acknowledgeUrl: string | null;
}

/** A subscriber's digest: the warnings gathered for one time of day, the latest version of each, in one message. */
export interface DigestMessage {
  /** Stable over retries (see digestIdOf): the webhook-id, the e-mail Message-ID, the SMS reference. */
  readonly deliveryId: string;
  /** ISO 8601 UTC: the digest time the subscriber chose. */
  readonly digestAt: string;
  readonly language: string;
  /** Most severe first; an Update or Cancel stands for its warning (the earlier versions are in the log). */
  readonly items: readonly WarningMessage[];
  readonly unsubscribeUrl: string | null;
}

/** The outcome of one attempt, as the delivery log records it. */
export interface DeliveryAttempt {
  /** delivered: done; retry: a passing failure, try again later; failed: will never succeed (e.g. 410, bad address). */
  readonly outcome: 'delivered' | 'retry' | 'failed';
  /** HTTP status, SMTP reply code, or null. */
  readonly responseCode: number | null;
  readonly error: string | null;
  readonly latencyMs: number;
  /** What the channel produced, when it is a file (audio, PDF): its path or URL. */
  readonly artefact?: string;
}

export interface Channel {
  readonly kind: ChannelKind;
  /** Sends one message to one target (a URL, an address, a number, a topic prefix…). Never throws: failures are attempts. */
  send(message: WarningMessage, target: string): Promise<DeliveryAttempt>;
  /** Sends a digest as one message; channels without it (MQTT: machines want each warning) take no digest subscriptions. */
  sendDigest?(digest: DigestMessage, target: string): Promise<DeliveryAttempt>;
  /** Releases connections (SMTP pools, MQTT clients). */
  close?(): Promise<void>;
}
