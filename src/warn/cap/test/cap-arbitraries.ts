/** @module fast-check arbitraries over the CAP 1.2 model (OASIS Standard, 1 July 2010, §3.2). */

import fc from 'fast-check';
import {
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_MSG_TYPES,
  CAP_RESPONSE_TYPES,
  CAP_SCOPES,
  CAP_SEVERITIES,
  CAP_STATUSES,
  CAP_URGENCIES,
  type CapAlert,
  type CapArea,
  type CapInfo,
  type CapResource,
  type CapValuePair,
  capCircle,
  capTime,
} from '../cap-alert.ts';
import { geoJsonToCapPolygons } from '../cap-xml.ts';

/** Characters XML 1.0 allows (§2.2), with markup characters and non-ASCII made likely. CR is left out: parsers fold it into LF. */
const xmlChar = fc.oneof(
  fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&amp;', ' ', '\t', '\n', 'é', 'ঢা', 'µ', '😀'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
/** Text as the reader returns it: trimmed (whitespace at the ends of an element is not content). */
const text = fc.string({ unit: xmlChar, maxLength: 30 }).map((s) => s.trim());
const nonEmptyText = text.filter((s) => s !== '');
/** §3.2.1 identifier/sender-like tokens: no whitespace, commas, quotes, < or &. */
const token = fc.stringMatching(/^[A-Za-z0-9._:@\-/]{1,20}$/);
const time = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map(capTime);
const pair: fc.Arbitrary<CapValuePair> = fc.record({ valueName: text, value: text });
const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

/** Drops `undefined` properties (exactOptionalPropertyTypes). */
const present = <T extends object>(o: { readonly [K in keyof Required<T>]: T[K] | undefined }): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const lat = fc.double({ min: -89, max: 89, noNaN: true });
const lon = fc.double({ min: -179, max: 179, noNaN: true });
const polygon = fc.tuple(lat, lon, fc.double({ min: 0.001, max: 1, noNaN: true })).map(([y, x, d]) =>
  geoJsonToCapPolygons({
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + d, y],
        [x + d, y + d],
        [x, y],
      ],
    ],
  }),
);

const area: fc.Arbitrary<CapArea> = fc
  .record({
    areaDesc: text,
    polygon: fc.array(polygon, { maxLength: 2 }).map((ps) => ps.flat()),
    circle: fc.array(
      fc
        .tuple(lat, lon, fc.integer({ min: 0, max: 500 }))
        .map(([y, x, r]) => capCircle(Math.round(y * 1e4) / 1e4, Math.round(x * 1e4) / 1e4, r)),
      { maxLength: 2 },
    ),
    geocode: fc.array(pair, { maxLength: 2 }),
    altitude: opt(fc.integer({ min: -4000, max: 40000 }).map((n) => n / 4)),
    ceiling: opt(fc.integer({ min: 0, max: 200000 }).map((n) => n / 4)),
  })
  .map((r) => present<CapArea>(r));

const resource: fc.Arbitrary<CapResource> = fc
  .record({
    resourceDesc: text,
    mimeType: fc.constantFrom('image/png', 'application/pdf', 'text/html'),
    size: opt(fc.nat()),
    uri: opt(fc.webUrl()),
    derefUri: opt(fc.base64String({ maxLength: 16 }).filter((s) => s !== '')),
    digest: opt(fc.stringMatching(/^[0-9a-f]{40}$/)),
  })
  .map((r) => present<CapResource>(r));

const info: fc.Arbitrary<CapInfo> = fc
  .record({
    language: fc.constantFrom('en', 'fr', 'bn-BD', 'en-US', 'es-419'),
    category: fc.uniqueArray(fc.constantFrom(...CAP_CATEGORIES), { minLength: 1, maxLength: 3 }),
    event: text,
    responseType: fc.uniqueArray(fc.constantFrom(...CAP_RESPONSE_TYPES), { maxLength: 2 }),
    urgency: fc.constantFrom(...CAP_URGENCIES),
    severity: fc.constantFrom(...CAP_SEVERITIES),
    certainty: fc.constantFrom(...CAP_CERTAINTIES),
    audience: opt(nonEmptyText),
    eventCode: fc.array(pair, { maxLength: 2 }),
    effective: opt(time),
    onset: opt(time),
    expires: opt(time),
    senderName: opt(nonEmptyText),
    headline: opt(nonEmptyText),
    description: opt(nonEmptyText),
    instruction: opt(nonEmptyText),
    web: opt(fc.webUrl()),
    contact: opt(nonEmptyText),
    parameter: fc.array(pair, { maxLength: 2 }),
    resource: fc.array(resource, { maxLength: 1 }),
    area: fc.array(area, { maxLength: 2 }),
  })
  .map((r) => present<CapInfo>(r));

/** Any alert the model can hold and the schema accepts (the rules beyond the schema are not assumed). */
export const capAlertArbitrary: fc.Arbitrary<CapAlert> = fc
  .record({
    identifier: token,
    sender: token,
    sent: time,
    status: fc.constantFrom(...CAP_STATUSES),
    msgType: fc.constantFrom(...CAP_MSG_TYPES),
    source: opt(nonEmptyText),
    scope: fc.constantFrom(...CAP_SCOPES),
    restriction: opt(nonEmptyText),
    addresses: opt(nonEmptyText),
    code: fc.array(text, { maxLength: 2 }),
    note: opt(nonEmptyText),
    references: fc.array(fc.record({ sender: token, identifier: token, sent: time }), { maxLength: 2 }),
    incidents: fc.array(token, { maxLength: 2 }),
    info: fc.array(info, { maxLength: 2 }),
  })
  .map((r) => present<CapAlert>(r));
