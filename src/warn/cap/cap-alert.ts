/** @module The CAP 1.2 message model as readonly values (OASIS CAP 1.2, 1 July 2010, §3.2 data dictionary: alert, info, resource, area). */

/** §3.2.1 status. */
export const CAP_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
/** §3.2.1 msgType. */
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
/** §3.2.1 scope. */
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const;
/** §3.2.2 category. */
export const CAP_CATEGORIES = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
] as const;
/** §3.2.2 responseType. */
export const CAP_RESPONSE_TYPES = [
  'Shelter',
  'Evacuate',
  'Prepare',
  'Execute',
  'Avoid',
  'Monitor',
  'Assess',
  'AllClear',
  'None',
] as const;
/** §3.2.2 urgency. */
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
/** §3.2.2 severity. */
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
/** §3.2.2 certainty. */
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;

export type CapStatus = (typeof CAP_STATUSES)[number];
export type CapMsgType = (typeof CAP_MSG_TYPES)[number];
export type CapScope = (typeof CAP_SCOPES)[number];
export type CapCategory = (typeof CAP_CATEGORIES)[number];
export type CapResponseType = (typeof CAP_RESPONSE_TYPES)[number];
export type CapUrgency = (typeof CAP_URGENCIES)[number];
export type CapSeverity = (typeof CAP_SEVERITIES)[number];
export type CapCertainty = (typeof CAP_CERTAINTIES)[number];

/**
 * A CAP date-time, §3.3.2: `YYYY-MM-DDThh:mm:ss±hh:mm`, always with an explicit offset, never `Z`
 * (UTC is written `-00:00`). Kept as text so an imported alert keeps the sender's local offset.
 */
export type CapTime = string;

/**
 * A CAP polygon, §3.2.4: space-separated `lat,lon` pairs (WGS 84, latitude FIRST), at least four,
 * the first equal to the last. Built from GeoJSON with `geoJsonToCapPolygons` (cap-xml.ts).
 */
export type CapPolygon = string;

/** A CAP circle, §3.2.4: `lat,lon radius` with the radius in kilometres. */
export type CapCircle = string;

/** valueName/value pairs: eventCode, parameter, geocode (§3.2.2, §3.2.4). */
export interface CapValuePair {
  readonly valueName: string;
  readonly value: string;
}

/** One entry of `references`, §3.2.1: the message referred to. */
export interface CapReference {
  readonly sender: string;
  readonly identifier: string;
  readonly sent: CapTime;
}

/** §3.2.3 resource. */
export interface CapResource {
  readonly resourceDesc: string;
  readonly mimeType: string;
  readonly size?: number;
  readonly uri?: string;
  readonly derefUri?: string;
  readonly digest?: string;
}

/** §3.2.4 area. `altitude` and `ceiling` are in feet above mean sea level. */
export interface CapArea {
  readonly areaDesc: string;
  readonly polygon: readonly CapPolygon[];
  readonly circle: readonly CapCircle[];
  readonly geocode: readonly CapValuePair[];
  readonly altitude?: number;
  readonly ceiling?: number;
}

/** §3.2.2 info: one per language. */
export interface CapInfo {
  /** RFC 3066 tag; the schema's default is `en-US` when absent. */
  readonly language: string;
  readonly category: readonly CapCategory[];
  readonly event: string;
  readonly responseType: readonly CapResponseType[];
  readonly urgency: CapUrgency;
  readonly severity: CapSeverity;
  readonly certainty: CapCertainty;
  readonly audience?: string;
  readonly eventCode: readonly CapValuePair[];
  readonly effective?: CapTime;
  readonly onset?: CapTime;
  readonly expires?: CapTime;
  readonly senderName?: string;
  readonly headline?: string;
  readonly description?: string;
  readonly instruction?: string;
  readonly web?: string;
  readonly contact?: string;
  readonly parameter: readonly CapValuePair[];
  readonly resource: readonly CapResource[];
  readonly area: readonly CapArea[];
}

/** §3.2.1 alert. */
export interface CapAlert {
  readonly identifier: string;
  readonly sender: string;
  readonly sent: CapTime;
  readonly status: CapStatus;
  readonly msgType: CapMsgType;
  readonly source?: string;
  readonly scope: CapScope;
  readonly restriction?: string;
  /** Space-separated addresses; quoted when an address holds a space (§3.2.1). */
  readonly addresses?: string;
  readonly code: readonly string[];
  readonly note?: string;
  readonly references: readonly CapReference[];
  readonly incidents: readonly string[];
  readonly info: readonly CapInfo[];
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * A CAP time (§3.3.2) in UTC, written with `-00:00` as the standard requires ("The timezone for UTC
 * MUST be represented as -00:00"); sub-second precision is dropped because the schema's pattern has none.
 */
export function capTime(at: Date): CapTime {
  if (Number.isNaN(at.getTime())) throw new RangeError('capTime: invalid date');
  return (
    `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}` +
    `T${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}-00:00`
  );
}

/** A CAP circle (§3.2.4) `lat,lon radiusKm`. */
export function capCircle(lat: number, lon: number, radiusKm: number): CapCircle {
  // Fixed notation with at most 6 decimals: String(1e-7) would be exponent notation, which is no decimal.
  const radius = Number(radiusKm.toFixed(6));
  return `${lat},${lon} ${radius.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 6 })}`;
}
