/**
 * @module A warning version as a CAP 1.2 alert: its content (what an approver reviews and may edit) plus
 * the envelope of the message (identifier, sender, msgType, references) → one `info` per language.
 * Follows the Google Public Alerts profile: `expires`, `description` and `area` always present, polygons
 * closed with at most 6 decimals.
 */
import {
  type CapAlert,
  type CapArea,
  type CapInfo,
  type CapMsgType,
  type CapReference,
  type CapResponseType,
  type CapStatus,
  type CapValuePair,
  capCircle,
  capTime,
} from './cap/cap-alert.ts';
import { geoJsonToCapPolygons } from './cap/cap-xml.ts';
import { EVENT_CODE_VALUE_NAME, findHazard, type HazardCode } from './hazards.ts';
import type { AreaGeometry } from './warning-area.ts';
import type { WarningLevels } from './warning-policy.ts';

export interface WarningText {
  /** RFC 3066 tag: en, fr, es, ar, ru, zh. */
  readonly language: string;
  readonly event: string;
  readonly headline: string;
  readonly description: string;
  readonly instruction: string;
}

/** What a version says. Stored with the version; the approver's edits replace parts of it. */
export interface WarningContent {
  readonly hazard: HazardCode;
  readonly levels: WarningLevels;
  readonly responseType: readonly CapResponseType[];
  readonly onsetMs: number;
  readonly expiresMs: number;
  readonly areaDesc: string;
  readonly geometry: AreaGeometry;
  /** Set when the area is a circle around a station (CAP carries it as a circle, not a polygon). */
  readonly circle: { readonly lon: number; readonly lat: number; readonly radiusKm: number } | null;
  /** ISO 3166 codes of the countries and cities the area belongs to. */
  readonly geocodes: readonly CapValuePair[];
  readonly texts: readonly WarningText[];
  readonly parameters: readonly CapValuePair[];
}

/** The message around the content. */
export interface CapEnvelope {
  readonly identifier: string;
  readonly sender: string;
  readonly senderName: string;
  readonly sentMs: number;
  readonly status: CapStatus;
  readonly msgType: CapMsgType;
  readonly references: readonly CapReference[];
  /** The thread: every version of one episode names the same incident. */
  readonly incident: string;
  /** Where people read more: the warning's page. */
  readonly web: string;
  readonly note?: string;
}

export function capAlertOf(content: WarningContent, envelope: CapEnvelope): CapAlert {
  const hazard = findHazard(content.hazard);
  if (hazard === undefined) throw new RangeError(`unknown hazard ${content.hazard}`);
  const area: CapArea = {
    areaDesc: content.areaDesc,
    polygon: content.circle === null ? geoJsonToCapPolygons(content.geometry) : [],
    circle:
      content.circle === null
        ? []
        : [capCircle(round6(content.circle.lat), round6(content.circle.lon), content.circle.radiusKm)],
    geocode: content.geocodes,
  };
  const cancel = envelope.msgType === 'Cancel';
  const info = content.texts.map(
    (text): CapInfo => ({
      language: text.language,
      category: hazard.category,
      event: text.event,
      // A cancel tells people the danger has passed (CAP §3.2.2 responseType AllClear).
      responseType: cancel ? ['AllClear'] : content.responseType,
      urgency: cancel ? 'Past' : content.levels.urgency,
      severity: content.levels.severity,
      certainty: content.levels.certainty,
      eventCode: [{ valueName: EVENT_CODE_VALUE_NAME, value: hazard.eventCode }],
      effective: capTime(new Date(envelope.sentMs)),
      onset: capTime(new Date(content.onsetMs)),
      expires: capTime(new Date(Math.max(content.expiresMs, envelope.sentMs + 60_000))),
      senderName: envelope.senderName,
      headline: text.headline,
      description: text.description,
      instruction: text.instruction,
      web: envelope.web,
      parameter: content.parameters,
      resource: [],
      area: [area],
    }),
  );
  return {
    identifier: envelope.identifier,
    sender: envelope.sender,
    sent: capTime(new Date(envelope.sentMs)),
    status: envelope.status,
    msgType: envelope.msgType,
    scope: 'Public',
    code: [],
    ...(envelope.note === undefined ? {} : { note: envelope.note }),
    references: envelope.references,
    incidents: [envelope.incident],
    info,
  };
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;
