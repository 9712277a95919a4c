/** @module A realistic {@link WarningMessage} for tests of channels and media: real warning words and a real CAP alert, in any of the six languages. */
import type { MultiPolygon, Polygon } from 'geojson';
import type { CapSeverity } from '../../warn/cap/cap-alert.ts';
import { capAlertOf, type WarningContent } from '../../warn/warning-cap.ts';
import {
  WARNING_LANGUAGES,
  type WarningFacts,
  type WarningLanguage,
  warningWords,
} from '../../warn/words/warning-words.ts';
import type { WarningMessage } from '../channel.ts';

/** A box around Dhaka, Bangladesh (counter-clockwise, RFC 7946 §3.1.6). */
export const DHAKA_POLYGON: Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [90.3, 23.65],
      [90.5, 23.65],
      [90.5, 23.9],
      [90.3, 23.9],
      [90.3, 23.65],
    ],
  ],
};

/** Two boxes either side of the antimeridian around Fiji, as RFC 7946 §3.1.9 cuts them. */
export const FIJI_ANTIMERIDIAN: MultiPolygon = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [177, -19],
        [180, -19],
        [180, -16],
        [177, -16],
        [177, -19],
      ],
    ],
    [
      [
        [-180, -19],
        [-178, -19],
        [-178, -16],
        [-180, -16],
        [-180, -19],
      ],
    ],
  ],
};

export interface TestMessageOptions {
  readonly language?: WarningLanguage;
  readonly severity?: CapSeverity;
  readonly areaName?: string;
  readonly geometry?: Polygon | MultiPolygon;
  readonly countries?: readonly string[];
  /** Languages the CAP alert carries (all six by default). */
  readonly capLanguages?: readonly WarningLanguage[];
  /** Fields set last, as they are (e.g. a language no pack has). */
  readonly overrides?: Partial<WarningMessage>;
}

const SENT_MS = Date.UTC(2024, 0, 1, 2, 0);
const EXPIRES_MS = Date.UTC(2024, 0, 2, 2, 0);

/** One delivery of an air-pollution warning for Dhaka, with its texts in `language` (English by default). */
export function testWarningMessage(options: TestMessageOptions = {}): WarningMessage {
  const language = options.language ?? 'en';
  const severity = options.severity ?? 'Severe';
  const geometry = options.geometry ?? DHAKA_POLYGON;
  const facts: WarningFacts = {
    hazard: 'air_pollution',
    msgType: 'Alert',
    severity,
    urgency: 'Immediate',
    certainty: 'Observed',
    areaName: options.areaName ?? 'Dhaka',
    measurement: { label: 'PM2.5', value: 175.4, unit: 'µg/m³', level: 3 },
    eventCount: null,
    onsetMs: SENT_MS,
    expiresMs: EXPIRES_MS,
    timeZone: 'Asia/Dhaka',
    leadTimeS: null,
    population: 10_234_567,
    corroborated: false,
    change: null,
  };
  const texts = (options.capLanguages ?? WARNING_LANGUAGES).map((lang) => ({
    language: lang,
    ...warningWords(facts, lang),
  }));
  const words = warningWords(facts, language);
  const identifier = 'urn:oid:2.49.0.1.50.0.2024.1.1';
  const content: WarningContent = {
    hazard: facts.hazard,
    levels: { severity, urgency: facts.urgency, certainty: facts.certainty },
    responseType: ['Avoid', 'Monitor'],
    onsetMs: SENT_MS,
    expiresMs: EXPIRES_MS,
    areaDesc: facts.areaName,
    geometry,
    circle: null,
    geocodes: [{ valueName: 'ISO3166-1', value: 'BD' }],
    texts,
    parameters: [],
  };
  const cap = capAlertOf(content, {
    identifier,
    sender: 'ew4e@example.org',
    senderName: 'EW4E test sender',
    sentMs: SENT_MS,
    status: 'Actual',
    msgType: 'Alert',
    references: [],
    incident: 'thread-7',
    web: 'https://ew4e.example.org/warnings/42',
  });
  return {
    deliveryId: 'd-42-7-1',
    warningId: 42,
    threadId: 7,
    identifier,
    msgType: 'Alert',
    sent: new Date(SENT_MS).toISOString(),
    expires: new Date(EXPIRES_MS).toISOString(),
    hazard: facts.hazard,
    severity,
    urgency: facts.urgency,
    certainty: facts.certainty,
    language,
    event: words.event,
    headline: words.headline,
    description: words.description,
    instruction: words.instruction,
    areaDesc: facts.areaName,
    geometry,
    countries: options.countries ?? ['BD'],
    senderName: 'EW4E test sender',
    cap,
    capUrl: `https://ew4e.example.org/cap/${encodeURIComponent(identifier)}.xml`,
    jsonUrl: `https://ew4e.example.org/cap/${encodeURIComponent(identifier)}.json`,
    webUrl: 'https://ew4e.example.org/warnings/42',
    unsubscribeUrl: 'https://ew4e.example.org/unsubscribe/tok-abc',
    acknowledgeUrl: null,
    ...options.overrides,
  };
}
