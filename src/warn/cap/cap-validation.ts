/** @module CAP 1.2 validation: the OASIS schema (CAP-v1.2.xsd) plus the rules of CAP 1.2 (OASIS Standard, 1 July 2010) §3.2–§3.3 that the schema cannot check. */

import { readFile } from 'node:fs/promises';
import { validateXML } from 'xmllint-wasm';
import type { CapAlert, CapTime } from './cap-alert.ts';
import { CAP_NAMESPACE, CAP_TIME_PATTERN, decodeXml, elementLines, lineOf, readCapXml } from './cap-xml.ts';

/** A reason an alert is not valid CAP 1.2: the line of the XML where known, and what is wrong. */
export interface CapValidationError {
  readonly line?: number;
  readonly pointer?: string;
  readonly reason: string;
}

export type CapValidationResult =
  | { readonly valid: true }
  | { readonly valid: false; readonly errors: readonly CapValidationError[] };

/** A broken rule, located by a pointer into the alert (`/alert/info/0/area/1/polygon/0`). */
export interface CapRuleViolation {
  readonly pointer: string;
  readonly reason: string;
}

export type CapRule = (alert: CapAlert) => CapRuleViolation[];

export interface CapValidationOptions {
  /** The schema text; by default the copy shipped beside this module. */
  readonly xsd?: string;
}

let shippedXsd: Promise<string> | undefined;
const loadShippedXsd = (): Promise<string> => {
  shippedXsd ??= readFile(new URL('./CAP-v1.2.xsd', import.meta.url), 'utf8');
  return shippedXsd;
};

/**
 * Validates CAP 1.2 XML: first that it is CAP 1.2 at all (no DOCTYPE, well-formed, the 1.2 namespace),
 * then against the OASIS schema (libxml2 in WASM, `--nonet`: nothing is ever fetched), then the rules
 * below. Bytes are decoded per the XML declaration (ISO-8859-1 alerts exist).
 */
export async function validateCapXml(
  input: string | Uint8Array,
  options: CapValidationOptions = {},
): Promise<CapValidationResult> {
  const reading = readCapXml(input);
  if (reading.alert === undefined) return { valid: false, errors: reading.problems };
  const xml = decodeXml(input);
  const errors: CapValidationError[] = [
    ...(await validateAgainstSchema(xml, options.xsd ?? (await loadShippedXsd()))),
  ];
  errors.push(...reading.problems);
  const lines = elementLines(xml);
  for (const v of checkCapRules(reading.alert)) {
    const line = lineOf(lines, v.pointer);
    errors.push(line === undefined ? v : { line, ...v });
  }
  return errors.length === 0 ? { valid: true } : { valid: false, errors };
}

/** The schema check alone. The text is already decoded, so its declaration is rewritten to say UTF-8. */
export async function validateAgainstSchema(xml: string, xsd: string): Promise<CapValidationError[]> {
  const utf8 = xml.replace(/^(\s*<\?xml[^>]*encoding\s*=\s*)(["'])[^"']*\2/i, '$1$2UTF-8$2');
  const result = await validateXML({
    xml: [{ fileName: 'alert.xml', contents: utf8 }],
    schema: [{ fileName: 'CAP-v1.2.xsd', contents: xsd }],
    // --nonet: never fetch a DTD, schema or entity, whatever the document asks for.
    modifyArguments: (args) => ['--nonet', ...args],
    maxMemoryPages: 8192, // 512 MiB: signed national alerts run to ~1 MB
  });
  if (result.valid) return [];
  return result.errors.map((e) => {
    const reason = `schema: ${e.message.replace(/^Schemas validity error\s*:\s*/, '').replaceAll(`{${CAP_NAMESPACE}}`, '')}`;
    return e.loc ? { line: e.loc.lineNumber, reason } : { reason };
  });
}

// ---------------------------------------------------------------- rules the schema cannot check

/** §3.2.1 identifier and sender: "MUST NOT include spaces, commas or restricted characters (< and &)". */
export const identifierAndSenderHaveNoRestrictedCharacters: CapRule = (alert) =>
  (['identifier', 'sender'] as const).flatMap((key) =>
    /[\s,<&]/.test(alert[key])
      ? [
          {
            pointer: `/alert/${key}`,
            reason: `<${key}> "${alert[key]}" contains a space, comma, < or & (CAP 1.2 §3.2.1)`,
          },
        ]
      : [],
  );

/** §3.3.2: times carry an explicit offset ("-00:00" for UTC); alphabetic zones such as "Z" MUST NOT be used. */
export const timesHaveExplicitOffset: CapRule = (alert) => {
  const out: CapRuleViolation[] = [];
  const check = (time: CapTime | undefined, pointer: string, name: string): void => {
    if (time !== undefined && !CAP_TIME_PATTERN.test(time)) {
      out.push({
        pointer,
        reason: `${name} "${time}" is not YYYY-MM-DDThh:mm:ss with a ±hh:mm offset (no Z) (CAP 1.2 §3.3.2)`,
      });
    }
  };
  check(alert.sent, '/alert/sent', '<sent>');
  alert.references.forEach((r, i) => {
    check(r.sent, '/alert/references', `the sent time of reference ${i + 1}`);
  });
  alert.info.forEach((info, i) => {
    for (const key of ['effective', 'onset', 'expires'] as const)
      check(info[key], `/alert/info/${i}/${key}`, `<${key}>`);
  });
  return out;
};

/** §3.2.2 effective/expires (README): an alert cannot expire before it takes effect. */
export const effectiveNotAfterExpires: CapRule = (alert) =>
  alert.info.flatMap((info, i) =>
    info.effective !== undefined &&
    info.expires !== undefined &&
    Date.parse(info.effective) > Date.parse(info.expires)
      ? [
          {
            pointer: `/alert/info/${i}/expires`,
            reason: `<expires> ${info.expires} is before <effective> ${info.effective} (CAP 1.2 §3.2.2)`,
          },
        ]
      : [],
  );

/** §3.2.1 msgType: Update, Cancel, Ack and Error refer to earlier messages "identified in <references>". */
export const referencesRequiredForFollowUps: CapRule = (alert) =>
  alert.msgType !== 'Alert' && alert.references.length === 0
    ? [
        {
          pointer: '/alert/msgType',
          reason: `msgType ${alert.msgType} requires <references> to the earlier message(s) (CAP 1.2 §3.2.1)`,
        },
      ]
    : [];

/** §3.2.1 references: "the group listing of identifying earlier message(s)" — never the message itself. */
export const referencesNotSelf: CapRule = (alert) =>
  alert.references.some((r) => r.sender === alert.sender && r.identifier === alert.identifier)
    ? [
        {
          pointer: '/alert/references',
          reason: 'the alert refers to itself in <references> (CAP 1.2 §3.2.1)',
        },
      ]
    : [];

/** §3.2.1 addresses: "Required when <scope> is Private". */
export const addressesRequiredWhenPrivate: CapRule = (alert) =>
  alert.scope === 'Private' && (alert.addresses ?? '').trim() === ''
    ? [{ pointer: '/alert/scope', reason: 'scope Private requires <addresses> (CAP 1.2 §3.2.1)' }]
    : [];

/** §3.2.1 restriction: "Used when <scope> value is Restricted" — and only then. */
export const restrictionOnlyWhenRestricted: CapRule = (alert) =>
  alert.restriction !== undefined && alert.scope !== 'Restricted'
    ? [
        {
          pointer: '/alert/restriction',
          reason: `<restriction> is only for scope Restricted, not ${alert.scope} (CAP 1.2 §3.2.1)`,
        },
      ]
    : [];

const pairsKey = (pairs: readonly { valueName: string; value: string }[]): string =>
  pairs
    .map((p) => `${p.valueName}=${p.value}`)
    .sort()
    .join('|');

/** §3.2.2 (README): the <info> blocks of one alert are translations: they share category and eventCode. */
export const infosShareCategoryAndEventCode: CapRule = (alert) => {
  const [first, ...rest] = alert.info;
  if (first === undefined) return [];
  const category = [...first.category].sort().join(',');
  const eventCode = pairsKey(first.eventCode);
  return rest.flatMap((info, j) => {
    const i = j + 1;
    const out: CapRuleViolation[] = [];
    if ([...info.category].sort().join(',') !== category) {
      out.push({
        pointer: `/alert/info/${i}/category/0`,
        reason: `<info> ${i + 1} has categories ${info.category.join(',')}, the first ${category} (CAP 1.2 §3.2.2)`,
      });
    }
    if (pairsKey(info.eventCode) !== eventCode) {
      out.push({
        pointer: `/alert/info/${i}/event`,
        reason: `<info> ${i + 1} has other eventCodes than the first (CAP 1.2 §3.2.2)`,
      });
    }
    return out;
  });
};

const latLon = (pair: string): [number, number] | undefined => {
  const m = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(pair);
  if (!m) return undefined;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : undefined;
};

/**
 * §3.2.4 polygon: "paired values of points … WGS 84 … A minimum of 4 coordinate pairs MUST be present
 * and the first and last pairs of coordinates MUST be the same."
 */
export const polygonsClosedWithFourPairs: CapRule = (alert) =>
  alert.info.flatMap((info, i) =>
    info.area.flatMap((area, a) =>
      area.polygon.flatMap((polygon, p) => {
        const pointer = `/alert/info/${i}/area/${a}/polygon/${p}`;
        const pairs = polygon.trim().split(/\s+/);
        const bad = pairs.find((pair) => latLon(pair) === undefined);
        if (bad !== undefined)
          return [
            { pointer, reason: `polygon pair "${bad}" is not "lat,lon" in WGS 84 range (CAP 1.2 §3.2.4)` },
          ];
        if (pairs.length < 4)
          return [
            {
              pointer,
              reason: `polygon has ${pairs.length} coordinate pairs, at least 4 needed (CAP 1.2 §3.2.4)`,
            },
          ];
        const [first, last] = [latLon(pairs[0] ?? ''), latLon(pairs[pairs.length - 1] ?? '')];
        return first?.[0] === last?.[0] && first?.[1] === last?.[1]
          ? []
          : [{ pointer, reason: 'polygon is not closed: its first and last pairs differ (CAP 1.2 §3.2.4)' }];
      }),
    ),
  );

/** §3.2.4 circle: "a central point … followed by a space character and a radius value in kilometers". */
export const circlesAreLatLonRadius: CapRule = (alert) =>
  alert.info.flatMap((info, i) =>
    info.area.flatMap((area, a) =>
      area.circle.flatMap((circle, c) => {
        const [center = '', radius, extra] = circle.trim().split(/\s+/);
        const r = Number(radius);
        return latLon(center) !== undefined &&
          extra === undefined &&
          radius !== undefined &&
          Number.isFinite(r) &&
          r >= 0
          ? []
          : [
              {
                pointer: `/alert/info/${i}/area/${a}/circle/${c}`,
                reason: `circle "${circle}" is not "lat,lon radiusKm" (CAP 1.2 §3.2.4)`,
              },
            ];
      }),
    ),
  );

/** Every rule, in the order its clause appears in the standard. */
export const CAP_RULES: readonly CapRule[] = [
  identifierAndSenderHaveNoRestrictedCharacters,
  referencesRequiredForFollowUps,
  referencesNotSelf,
  addressesRequiredWhenPrivate,
  restrictionOnlyWhenRestricted,
  infosShareCategoryAndEventCode,
  effectiveNotAfterExpires,
  polygonsClosedWithFourPairs,
  circlesAreLatLonRadius,
  timesHaveExplicitOffset,
];

/** The rules beyond the schema, on an alert already in the model. */
export function checkCapRules(alert: CapAlert): CapRuleViolation[] {
  return CAP_RULES.flatMap((rule) => rule(alert));
}
