import fc from 'fast-check';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { xmllintValidate } from '../../test/support/cap-tools.ts';
import {
  CAP_CERTAINTIES,
  CAP_SEVERITIES,
  CAP_STATUSES,
  CAP_URGENCIES,
  type CapAlert,
  type CapReference,
  capTime,
} from './cap/cap-alert.ts';
import { checkCapRules } from './cap/cap-validation.ts';
import { capPolygonToGeoJson, parseCapXml, toCapXml } from './cap/cap-xml.ts';
import { circleToPolygon } from './exposure.ts';
import { findHazard, HAZARDS, type HazardCode } from './hazards.ts';
import { type CapEnvelope, capAlertOf, type WarningContent, type WarningText } from './warning-cap.ts';
import { WARNING_LANGUAGES, type WarningFacts, warningWords } from './words/warning-words.ts';

type MsgType = 'Alert' | 'Update' | 'Cancel';

/** A coordinate text with at most 6 decimals and no exponent (Google Public Alerts profile). */
const DECIMAL6 = /^-?\d+(?:\.\d{1,6})?$/;
/** Half a unit of the 6th decimal, plus float noise. */
const ROUNDING = 5.000001e-7;

// ---------------------------------------------------------------- geometry

/** An area as the platform stores it, and the outer rings (lon, lat) its CAP polygons must trace. */
interface Area {
  readonly geometry: WarningContent['geometry'];
  readonly circle: WarningContent['circle'];
  readonly outerRings: readonly Position[][];
}

const ringOf = (w: number, s: number, e: number, n: number): Position[] => [
  [w, s],
  [e, s],
  [e, n],
  [w, n],
  [w, s],
];

/** Doubles with all their decimals, so that the 6-decimal rounding has work to do. */
const double = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** A rectangle of 0.001°–1.5° (never small enough to collapse when rounded), optionally with a hole. */
const rectangle = fc
  .record({
    w: double(-179, 177),
    s: double(-80, 78),
    width: double(0.001, 1.5),
    height: double(0.001, 1.5),
    hole: fc.boolean(),
  })
  .map(({ w, s, width, height, hole }) => {
    const [e, n] = [w + width, s + height];
    const outer = ringOf(w, s, e, n);
    const inner = ringOf(w + width / 4, s + height / 4, w + width / 2, s + height / 2);
    return { rings: hole ? [outer, inner] : [outer], outer };
  });

/** A rectangle across ±180°, cut there into its eastern and western parts (RFC 7946 §3.1.9). */
const acrossAntimeridian = fc
  .record({ east: double(0.001, 2), west: double(0.001, 2), s: double(-80, 78), height: double(0.001, 2) })
  .map(({ east, west, s, height }): Area => {
    const eastern = ringOf(180 - east, s, 180, s + height);
    const western = ringOf(-180, s, -180 + west, s + height);
    return {
      geometry: { type: 'MultiPolygon', coordinates: [[eastern], [western]] },
      circle: null,
      outerRings: [eastern, western],
    };
  });

const area: fc.Arbitrary<Area> = fc.oneof(
  rectangle.map(
    ({ rings, outer }): Area => ({
      geometry: { type: 'Polygon', coordinates: rings } satisfies Polygon,
      circle: null,
      outerRings: [outer],
    }),
  ),
  fc.array(rectangle, { minLength: 1, maxLength: 4 }).map(
    (parts): Area => ({
      geometry: { type: 'MultiPolygon', coordinates: parts.map((p) => p.rings) } satisfies MultiPolygon,
      circle: null,
      outerRings: parts.map((p) => p.outer),
    }),
  ),
  acrossAntimeridian,
  // A station's circle: carried in CAP as a circle, with the polygon kept for exposure and matching.
  fc.record({ lon: double(-180, 180), lat: double(-80, 80), radiusKm: double(0.1, 500) }).map(
    (circle): Area => ({
      geometry: circleToPolygon(circle.lon, circle.lat, circle.radiusKm),
      circle,
      outerRings: [],
    }),
  ),
);

// ---------------------------------------------------------------- words and content

/** Area names as people write them, in any script, with the markup characters XML escapes. */
const nameChar = fc.oneof(
  fc.constantFrom('<', '>', '&', '"', "'", ']]>', '&amp;', ' ', '\t', '\n', '-', '…'),
  fc.constantFrom('ঢা', 'কা', 'ال', 'قاهرة', 'دبي', '北京', '上海', '区', 'Москва', 'é', 'ñ', '😀'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
const areaName = fc.string({ unit: nameChar, minLength: 1, maxLength: 60 });

const TIME_ZONES = [null, 'UTC', 'Asia/Dhaka', 'Asia/Shanghai', 'Africa/Cairo', 'Europe/Moscow', 'Not/AZone'];

/** Platform times: now-ish, in whole seconds or not. */
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) });

const token = fc.stringMatching(/^[a-z0-9]{1,12}$/);

interface Case {
  readonly content: WarningContent;
  readonly envelope: CapEnvelope;
  readonly outerRings: readonly Position[][];
}

const levels = fc.record({
  severity: fc.constantFrom(...CAP_SEVERITIES),
  urgency: fc.constantFrom(...CAP_URGENCIES),
  certainty: fc.constantFrom(...CAP_CERTAINTIES),
});

const measurement = fc.option(
  fc.record({
    label: fc.constantFrom('PM2.5', 'NO₂', 'O3 <8h>', 'pH & co', ''),
    value: fc.oneof(double(-1e6, 1e6), fc.constantFrom(0, -0, 75.234, 1e21)),
    unit: fc.constantFrom('µg/m³', 'mg/L', '%', '', 'dB(A)'),
    level: fc.option(fc.integer({ min: 0, max: 5 })),
  }),
);

/** One message the platform could publish: its content, words in a random subset of the six languages, and envelope. */
function caseOf(msgType: MsgType): fc.Arbitrary<Case> {
  return fc
    .record({
      hazard: fc.constantFrom(...HAZARDS.map((h) => h.code)),
      levels,
      area,
      areaName,
      languages: fc.subarray([...WARNING_LANGUAGES], { minLength: 1 }),
      measurement,
      eventCount: fc.option(fc.integer({ min: 0, max: 100_000 })),
      leadTimeS: fc.option(fc.integer({ min: 0, max: 30 * 86_400 })),
      population: fc.option(fc.integer({ min: 0, max: 30_000_000 })),
      corroborated: fc.boolean(),
      change:
        msgType === 'Update'
          ? fc.constantFrom('escalated' as const, 'deescalated' as const, 'extended' as const, null)
          : fc.constant(null),
      timeZone: fc.constantFrom(...TIME_ZONES),
      sentMs: instant,
      onsetOffsetMs: fc.integer({ min: -30 * 86_400_000, max: 30 * 86_400_000 }),
      // Negative lives too: the envelope must still expire after it was sent.
      lifeMs: fc.integer({ min: -3_600_000, max: 90 * 86_400_000 }),
      status: fc.constantFrom(...CAP_STATUSES),
      org: token,
      thread: fc.integer({ min: 1, max: 1_000_000 }),
      version: fc.integer({ min: 1, max: 1000 }),
      references: fc.uniqueArray(fc.record({ version: fc.integer({ min: 1, max: 1000 }), sentMs: instant }), {
        minLength: msgType === 'Alert' ? 0 : 1,
        maxLength: msgType === 'Alert' ? 0 : 3,
        selector: (r) => r.version,
      }),
      note: fc.option(fc.string({ unit: nameChar, maxLength: 20 }), { nil: undefined }),
      geocodes: fc.uniqueArray(
        fc.record({
          valueName: fc.constantFrom('ISO3166-1', 'ISO3166-2'),
          value: fc.constantFrom('BD', 'BD-13', 'CN', 'CN-BJ', 'EG', 'FJ'),
        }),
        { maxLength: 3, selector: (g) => `${g.valueName}=${g.value}` },
      ),
    })
    .map((g): Case => {
      const onsetMs = g.sentMs + g.onsetOffsetMs;
      const expiresMs = g.sentMs + g.lifeMs;
      const facts: WarningFacts = {
        hazard: g.hazard,
        msgType,
        ...g.levels,
        areaName: g.areaName,
        measurement: g.measurement,
        eventCount: g.eventCount,
        onsetMs,
        expiresMs,
        timeZone: g.timeZone,
        leadTimeS: g.leadTimeS,
        population: g.population,
        corroborated: g.corroborated,
        change: g.change,
      };
      const texts = g.languages.map(
        (language): WarningText => ({ language, ...warningWords(facts, language) }),
      );
      const sender = `ew4e-${g.org}@warnings.example.org`;
      const references: CapReference[] = g.references
        // A message never refers to itself (CAP 1.2 §3.2.1).
        .filter((r) => r.version !== g.version)
        .map((r) => ({
          sender,
          identifier: `ew4e-${g.org}-${g.thread}-v${r.version}`,
          sent: capTime(new Date(r.sentMs)),
        }));
      if (msgType !== 'Alert' && references.length === 0) {
        references.push({
          sender,
          identifier: `ew4e-${g.org}-${g.thread}-v0`,
          sent: capTime(new Date(g.sentMs)),
        });
      }
      const hazard = findHazard(g.hazard);
      if (hazard === undefined) throw new Error(`no hazard ${g.hazard}`);
      return {
        content: {
          hazard: g.hazard,
          levels: g.levels,
          responseType: hazard.responseType,
          onsetMs,
          expiresMs,
          areaDesc: g.areaName,
          geometry: g.area.geometry,
          circle: g.area.circle,
          geocodes: g.geocodes,
          texts,
          parameters: [
            { valueName: 'EW4E:thread', value: String(g.thread) },
            { valueName: 'EW4E:signals', value: String(g.version * 3) },
            { valueName: 'EW4E:population', value: String(g.population ?? 0) },
            { valueName: 'EW4E:senses', value: g.corroborated ? 'citizen_report satellite' : 'none' },
          ],
        },
        envelope: {
          identifier: `ew4e-${g.org}-${g.thread}-v${g.version}`,
          sender,
          senderName:
            g.areaName.length % 2 === 0 ? 'Department of Environment <DoE> & Partners' : 'وزارة البيئة',
          sentMs: g.sentMs,
          status: g.status,
          msgType,
          references,
          incident: `ew4e-${g.org}-${g.thread}`,
          web: `https://warnings.example.org/warnings/${g.thread}?lang=en&v=${g.version}`,
          ...(g.note === undefined ? {} : { note: g.note }),
        },
        outerRings: g.area.outerRings,
      };
    });
}

// ---------------------------------------------------------------- checks

const alertOf = (xml: string): CapAlert => {
  const read = parseCapXml(xml);
  if (!('alert' in read)) throw new Error(`parseCapXml: ${JSON.stringify(read.problems)}`);
  return read.alert;
};

/** Everything but the schema: rules, read-back, Google profile, polygons. */
function expectEmittable({ content, envelope, outerRings }: Case, alert: CapAlert, xml: string): void {
  expect(checkCapRules(alertOf(xml))).toEqual([]);
  expect(checkCapRules(alert)).toEqual([]);

  const read = alertOf(xml);
  expect(read.identifier).toBe(envelope.identifier);
  expect(read.msgType).toBe(envelope.msgType);
  expect(read.references).toEqual(envelope.references);
  expect(read.info.map((i) => i.language)).toEqual(content.texts.map((t) => t.language));

  const cancel = envelope.msgType === 'Cancel';
  for (const info of read.info) {
    expect(info.severity).toBe(content.levels.severity);
    expect(info.certainty).toBe(content.levels.certainty);
    expect(info.urgency).toBe(cancel ? 'Past' : content.levels.urgency);
    expect(info.responseType).toEqual(cancel ? ['AllClear'] : content.responseType);
    // Google Public Alerts profile: expires, description and an area in every info.
    expect(info.expires).toBeDefined();
    expect(info.description ?? '').not.toBe('');
    expect(info.area).toHaveLength(1);
    expect(Date.parse(info.expires ?? '')).toBeGreaterThan(Date.parse(read.sent));

    const [place] = info.area;
    if (place === undefined) throw new Error('no area');
    if (content.circle === null) {
      expect(place.circle).toEqual([]);
      expect(place.polygon).toHaveLength(outerRings.length);
      place.polygon.forEach((polygon, p) => {
        const pairs = polygon.split(' ');
        expect(pairs.length).toBeGreaterThanOrEqual(4);
        expect(pairs[0]).toBe(pairs.at(-1));
        for (const pair of pairs) {
          const [lat = '', lon = ''] = pair.split(',');
          expect(lat).toMatch(DECIMAL6);
          expect(lon).toMatch(DECIMAL6);
        }
        // The polygon traces the outer ring it came from, latitude first, rounded to 6 decimals.
        const ring = capPolygonToGeoJson(polygon).coordinates[0] ?? [];
        const expected = outerRings[p] ?? [];
        expect(ring).toHaveLength(expected.length);
        ring.forEach(([lon = Number.NaN, lat = Number.NaN], k) => {
          expect(Math.abs(lon - (expected[k]?.[0] ?? Number.NaN))).toBeLessThanOrEqual(ROUNDING);
          expect(Math.abs(lat - (expected[k]?.[1] ?? Number.NaN))).toBeLessThanOrEqual(ROUNDING);
        });
      });
    } else {
      expect(place.polygon).toEqual([]);
      expect(place.circle).toHaveLength(1);
      const [center = '', radius] = (place.circle[0] ?? '').split(' ');
      const [lat = '', lon = ''] = center.split(',');
      expect(lat).toMatch(DECIMAL6);
      expect(lon).toMatch(DECIMAL6);
      expect(Math.abs(Number(lat) - content.circle.lat)).toBeLessThanOrEqual(ROUNDING);
      expect(Math.abs(Number(lon) - content.circle.lon)).toBeLessThanOrEqual(ROUNDING);
      expect(Number(radius)).toBeCloseTo(content.circle.radiusKm, 6); // written with at most 6 decimals
    }
  }
}

async function expectValid(cases: readonly Case[]): Promise<void> {
  const built = cases.map((c) => {
    const alert = capAlertOf(c.content, c.envelope);
    return { c, alert, xml: toCapXml(alert) };
  });
  // One xmllint per document, all at once: the binary takes a few ms, the spawn most of the time.
  const lints = await Promise.all(built.map(({ xml }) => xmllintValidate(xml)));
  built.forEach(({ c, alert, xml }, i) => {
    expect(lints[i], xml).toEqual({ ok: true, output: expect.stringContaining('validates') });
    expectEmittable(c, alert, xml);
  });
}

// ---------------------------------------------------------------- tests

describe('capAlertOf → toCapXml: every CAP document the platform can emit', () => {
  it('validates against the OASIS schema (xmllint), passes the CAP rules and reads back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(caseOf('Alert'), caseOf('Update'), caseOf('Cancel')), (cases) =>
        expectValid(cases),
      ),
      { numRuns: 60 },
    );
  });

  const dhaka: Case = fc.sample(caseOf('Alert'), { numRuns: 1, seed: 42 })[0] as Case;
  const RECT: Polygon = { type: 'Polygon', coordinates: [ringOf(90.3, 23.7, 90.5, 23.9)] };

  it('cuts nothing from an antimeridian area: its two parts become two closed CAP polygons', async () => {
    const c: Case = {
      ...dhaka,
      content: {
        ...dhaka.content,
        geometry: {
          type: 'MultiPolygon',
          coordinates: [[ringOf(179.5, -17, 180, -16)], [ringOf(-180, -17, -179.5, -16)]],
        },
        circle: null,
      },
      outerRings: [ringOf(179.5, -17, 180, -16), ringOf(-180, -17, -179.5, -16)],
    };
    await expectValid([c]);
    const polygons = alertOf(toCapXml(capAlertOf(c.content, c.envelope))).info[0]?.area[0]?.polygon;
    expect(polygons).toEqual([
      '-17,179.5 -17,180 -16,180 -16,179.5 -17,179.5',
      '-17,-180 -17,-179.5 -16,-179.5 -16,-180 -17,-180',
    ]);
  });

  it('a Cancel tells people it is over: responseType AllClear and urgency Past in every language', () => {
    const content: WarningContent = {
      ...dhaka.content,
      hazard: 'chemical_spill' satisfies HazardCode,
      levels: { severity: 'Severe', urgency: 'Immediate', certainty: 'Observed' },
      responseType: ['Avoid', 'Shelter'],
      geometry: RECT,
      circle: null,
      texts: ['en', 'ar', 'zh'].map((language) => ({
        language,
        event: 'e',
        headline: 'h',
        description: 'd',
        instruction: 'i',
      })),
    };
    const cancel = capAlertOf(content, {
      ...dhaka.envelope,
      msgType: 'Cancel',
      references: [{ sender: dhaka.envelope.sender, identifier: 'earlier', sent: capTime(new Date(0)) }],
    });
    expect(cancel.info.map((i) => [i.responseType, i.urgency, i.severity])).toEqual([
      [['AllClear'], 'Past', 'Severe'],
      [['AllClear'], 'Past', 'Severe'],
      [['AllClear'], 'Past', 'Severe'],
    ]);
    const alert = capAlertOf(content, { ...dhaka.envelope, msgType: 'Alert', references: [] });
    expect(alert.info.map((i) => [i.responseType, i.urgency])).toEqual([
      [['Avoid', 'Shelter'], 'Immediate'],
      [['Avoid', 'Shelter'], 'Immediate'],
      [['Avoid', 'Shelter'], 'Immediate'],
    ]);
  });

  it('never expires before it is sent: expires is at least a minute after sent', () => {
    const sentMs = Date.UTC(2026, 0, 14, 5, 30, 0);
    const alert = capAlertOf(
      { ...dhaka.content, expiresMs: sentMs - 3_600_000 },
      { ...dhaka.envelope, sentMs },
    );
    expect(alert.info.map((i) => [i.effective, i.expires])).toEqual(
      alert.info.map(() => ['2026-01-14T05:30:00-00:00', '2026-01-14T05:31:00-00:00']),
    );
  });

  it('carries a station circle as a CAP circle with a rounded centre, not as a polygon', () => {
    const circle = { lon: 90.412345678, lat: 23.812345449, radiusKm: 10 };
    const alert = capAlertOf(
      { ...dhaka.content, geometry: circleToPolygon(circle.lon, circle.lat, 10), circle },
      dhaka.envelope,
    );
    expect(alert.info[0]?.area).toEqual([
      {
        areaDesc: dhaka.content.areaDesc,
        polygon: [],
        circle: ['23.812345,90.412346 10'],
        geocode: dhaka.content.geocodes,
      },
    ]);
  });

  // An area's name is stored as given; the writer drops what XML 1.0 §2.2 forbids (found by this test).
  it('stays well-formed for an area name holding a control character', async () => {
    await expectValid([{ ...dhaka, content: { ...dhaka.content, areaDesc: 'Dhaka\u0001South' } }]);
  });
});
