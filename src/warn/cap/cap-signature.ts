/**
 * @module XML digital signatures on CAP 1.2 alerts: enveloped XML-DSig (W3C XML Signature 1.1) as the
 * WMO strict profile asks of registered alerting authorities, signed and verified with xml-crypto.
 */

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyLike,
  KeyObject,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';
import { DOMParser, type Element, type Node, XMLSerializer } from '@xmldom/xmldom';
import {
  C14nCanonicalization,
  C14nCanonicalizationWithComments,
  type CanonicalizationOrTransformationAlgorithm,
  createOptionalCallbackFunction,
  type HashAlgorithm,
  type SignatureAlgorithm,
  SignedXml,
  toPem,
} from 'xml-crypto';
import { CAP_NAMESPACE } from './cap-xml.ts';

// ---------------------------------------------------------------- algorithms (URIs per XMLDSig 1.1 §6, RFC 9231)

const DSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
const DSIG11_NAMESPACE = 'http://www.w3.org/2009/xmldsig11#';
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

const ENVELOPED_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXCLUSIVE_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const C14N_10 = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const C14N_11 = 'http://www.w3.org/2006/12/xml-c14n11';

/** Canonicalizations allowed in SignedInfo and as a Reference's last transform. */
const CANONICALIZATIONS = new Set([
  EXCLUSIVE_C14N,
  `${EXCLUSIVE_C14N}WithComments`,
  C14N_10,
  `${C14N_10}#WithComments`,
  C14N_11,
  `${C14N_11}#WithComments`,
]);

const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

/** sha256 and stronger only: sha1 (and anything unknown) is refused. */
const DIGESTS: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  [SHA256]: 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const ECDSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256';

interface SignatureMethod {
  readonly keyType: 'rsa' | 'ec';
  readonly hash: 'sha256' | 'sha384' | 'sha512';
}

/** Public-key methods only: no sha1, and no HMAC, whose "key" a verifier could be tricked into taking from a public key (key confusion). */
const SIGNATURE_METHODS: Readonly<Record<string, SignatureMethod>> = {
  [RSA_SHA256]: { keyType: 'rsa', hash: 'sha256' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { keyType: 'rsa', hash: 'sha384' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { keyType: 'rsa', hash: 'sha512' },
  [ECDSA_SHA256]: { keyType: 'ec', hash: 'sha256' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { keyType: 'ec', hash: 'sha384' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { keyType: 'ec', hash: 'sha512' },
};

/** XMLDSig 1.1 §4.5.2.3.1 NamedCurve URIs (RFC 5480 curve OIDs) for an ECKeyValue. */
const CURVE_OIDS: Readonly<Record<string, string>> = {
  'P-256': '1.2.840.10045.3.1.7',
  'P-384': '1.3.132.0.34',
  'P-521': '1.3.132.0.35',
};

/**
 * A signature method for xml-crypto (which knows neither ECDSA nor rsa-sha384). ECDSA values are the
 * raw r‖s octets XMLDSig 1.1 §6.4.3 prescribes ("ieee-p1363"), not the DER that OpenSSL defaults to.
 * The key's type must fit the method, so an RSA URI never verifies with an EC key or the reverse.
 */
function signatureMethodClass(uri: string, method: SignatureMethod): new () => SignatureAlgorithm {
  const options = (key: KeyObject) =>
    method.keyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' as const } : { key };
  const keyOfType = <K extends KeyObject>(key: K): K => {
    if (key.asymmetricKeyType !== method.keyType) {
      throw new Error(`${uri} needs an ${method.keyType.toUpperCase()} key, not ${key.asymmetricKeyType}`);
    }
    return key;
  };
  return class implements SignatureAlgorithm {
    getSignature = createOptionalCallbackFunction(
      (signedInfo: string | NodeJS.ArrayBufferView, privateKey: KeyLike) =>
        sign(
          method.hash,
          typeof signedInfo === 'string' ? Buffer.from(signedInfo, 'utf8') : signedInfo,
          options(keyOfType(privateKey instanceof KeyObject ? privateKey : createPrivateKey(privateKey))),
        ).toString('base64'),
    );
    verifySignature = createOptionalCallbackFunction(
      (material: string, key: KeyLike, signatureValue: string) =>
        verify(
          method.hash,
          Buffer.from(material, 'utf8'),
          options(keyOfType(createPublicKey(key))),
          Buffer.from(signatureValue.replace(/\s+/g, ''), 'base64'),
        ),
    );
    getAlgorithmName = () => uri;
  };
}

function digestClass(uri: string, hash: string): new () => HashAlgorithm {
  return class implements HashAlgorithm {
    getHash = (xml: string) => createHash(hash).update(xml, 'utf8').digest('base64');
    getAlgorithmName = () => uri;
  };
}

/**
 * Canonical XML 1.1 as xml-crypto's Canonical XML 1.0. The two differ only in how `xml:id` and
 * `xml:base` of omitted ancestors are carried into a document subset (C14N 1.1 §2.4); the verifier
 * refuses `xml:*` attributes on the ancestors involved (<alert>, <Signature>), so the outputs agree.
 */
class C14n11Canonicalization extends C14nCanonicalization {
  override getAlgorithmName(): string {
    return C14N_11;
  }
}
class C14n11CanonicalizationWithComments extends C14nCanonicalizationWithComments {
  override getAlgorithmName(): string {
    return `${C14N_11}#WithComments`;
  }
}

/** The canonicalizations and transforms allowed, as xml-crypto classes (its own, plus C14N 1.1). */
const CANONICALIZATION_CLASSES: Readonly<
  Record<string, new () => CanonicalizationOrTransformationAlgorithm>
> = {
  ...Object.fromEntries(
    Object.entries(new SignedXml().CanonicalizationAlgorithms).filter(
      ([uri]) => CANONICALIZATIONS.has(uri) || uri === ENVELOPED_SIGNATURE,
    ),
  ),
  [C14N_11]: C14n11Canonicalization,
  [`${C14N_11}#WithComments`]: C14n11CanonicalizationWithComments,
};

const DIGEST_CLASSES = Object.fromEntries(
  Object.entries(DIGESTS).map(([uri, hash]) => [uri, digestClass(uri, hash)]),
);

const SIGNATURE_METHOD_CLASSES = Object.fromEntries(
  Object.entries(SIGNATURE_METHODS).map(([uri, method]) => [uri, signatureMethodClass(uri, method)]),
);

/** A SignedXml that knows only the algorithms allowed here (its defaults include sha1 and rsa-sha1). */
function restrictedSignedXml(options: ConstructorParameters<typeof SignedXml>[0]): SignedXml {
  const signedXml = new SignedXml(options);
  signedXml.CanonicalizationAlgorithms = { ...CANONICALIZATION_CLASSES };
  signedXml.HashAlgorithms = { ...DIGEST_CLASSES };
  signedXml.SignatureAlgorithms = { ...SIGNATURE_METHOD_CLASSES };
  return signedXml;
}

// ---------------------------------------------------------------- parsing

/** Thrown by {@link signCapXml} for a document or key it cannot sign. */
export class CapSignatureError extends Error {
  override readonly name = 'CapSignatureError';
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const COMMENT_NODE = 8;
const PROCESSING_INSTRUCTION_NODE = 7;

type Parsed = { readonly root: Element } | { readonly problem: string };

/**
 * Parses with @xmldom/xmldom after refusing a DOCTYPE outright: no DTD is read, no entity defined or
 * expanded (XXE, billion laughs), exactly as `readCapXml` does for unsigned CAP.
 */
function parseAlert(xml: string): Parsed {
  const doctype = /<!DOCTYPE/i.exec(xml);
  if (doctype) {
    const line = xml.slice(0, doctype.index).split('\n').length;
    return { problem: `a DOCTYPE (line ${line}) is not allowed in CAP: DTDs and entities are not read` };
  }
  let root: Element | null;
  let problem: string | undefined;
  try {
    root = new DOMParser({
      onError: (level, message, context: { locator?: { lineNumber?: number } } | undefined) => {
        if (level === 'warning') return;
        const line = context?.locator?.lineNumber;
        problem = `malformed XML${line === undefined || line < 1 ? '' : ` (line ${line})`}: ${message}`;
        throw new Error(problem);
      },
    }).parseFromString(xml, 'text/xml').documentElement;
  } catch (error) {
    return { problem: problem ?? `malformed XML: ${error instanceof Error ? error.message : error}` };
  }
  if (root === null) return { problem: 'no root element' };
  if (root.localName !== 'alert' || root.namespaceURI !== CAP_NAMESPACE) {
    const namespace = root.namespaceURI === null ? 'no namespace' : `namespace "${root.namespaceURI}"`;
    return { problem: `the root element is <${root.tagName}> in ${namespace}, not the CAP 1.2 <alert>` };
  }
  return { root };
}

const elementChildren = (node: Node): Element[] =>
  Array.from(node.childNodes).filter((n): n is Element => n.nodeType === ELEMENT_NODE);

const isDsig = (element: Element, localName: string): boolean =>
  element.namespaceURI === DSIG_NAMESPACE && element.localName === localName;

const dsigElements = (node: Element | Node, localName = '*'): Element[] =>
  Array.from((node as Element).getElementsByTagNameNS(DSIG_NAMESPACE, localName));

// ---------------------------------------------------------------- signing

export interface CapSigningKey {
  readonly privateKeyPem: string;
  readonly certificatePem?: string;
  /** when no certificate: the public key goes into KeyInfo as KeyValue or is omitted */
  readonly publicKeyPem?: string;
}

const spkiDer = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });
const base64OfBase64Url = (text: string | undefined): string =>
  Buffer.from(text ?? '', 'base64url').toString('base64');

/**
 * KeyValue for a bare public key: RSAKeyValue (XMLDSig §4.5.2.2) or dsig11:ECKeyValue with a named
 * curve and the uncompressed point 04‖x‖y (XMLDSig 1.1 §4.5.2.3). A verifier must not trust it by
 * itself; it tells one which configured key to use.
 */
function keyValueXml(publicKey: KeyObject, prefix: string): string | null {
  const jwk = publicKey.export({ format: 'jwk' });
  if (publicKey.asymmetricKeyType === 'rsa') {
    return (
      `<${prefix}:KeyValue><${prefix}:RSAKeyValue><${prefix}:Modulus>${base64OfBase64Url(jwk.n)}</${prefix}:Modulus>` +
      `<${prefix}:Exponent>${base64OfBase64Url(jwk.e)}</${prefix}:Exponent></${prefix}:RSAKeyValue></${prefix}:KeyValue>`
    );
  }
  const oid = CURVE_OIDS[jwk.crv ?? ''];
  if (publicKey.asymmetricKeyType !== 'ec' || oid === undefined) return null;
  const point = Buffer.concat([
    Buffer.of(4),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  return (
    `<${prefix}:KeyValue><dsig11:ECKeyValue xmlns:dsig11="${DSIG11_NAMESPACE}">` +
    `<dsig11:NamedCurve URI="urn:oid:${oid}"/><dsig11:PublicKey>${point.toString('base64')}</dsig11:PublicKey>` +
    `</dsig11:ECKeyValue></${prefix}:KeyValue>`
  );
}

/** A certificate's or public key's key must be the signing key's, or the signature could never verify. */
function assertSameKey(publicKey: KeyObject, privateKey: KeyObject, what: string): KeyObject {
  if (!spkiDer(publicKey).equals(spkiDer(createPublicKey(privateKey)))) {
    throw new CapSignatureError(`the ${what} does not belong to the private key`);
  }
  return publicKey;
}

/**
 * Signs a CAP XML document with an enveloped XML-DSig <Signature> as the last child of <alert> (the CAP 1.2 schema allows ##other xmldsig elements there). RSA keys → rsa-sha256, EC keys → ecdsa-sha256; digest sha256; exclusive c14n; Reference URI="" with the enveloped-signature transform. KeyInfo carries the X509Certificate when given.
 *
 * The XML declaration is rewritten to say UTF-8, the encoding to write the result in.
 * Throws {@link CapSignatureError} for a DOCTYPE, malformed XML, a root other than the CAP 1.2
 * <alert>, an alert already signed, a processing instruction outside <alert> (below), an unsupported
 * key type, or a certificate / public key that is not the private key's.
 */
export function signCapXml(text: string, key: CapSigningKey): string {
  // The result is text, to be written as UTF-8: a declaration naming another encoding (ISO-8859-1
  // alerts exist) would make a reader decode other characters than were signed.
  const xml = text.replace(/^(\s*<\?xml[^>]*encoding\s*=\s*)(["'])[^"']*\2/i, '$1$2UTF-8$2');
  const parsed = parseAlert(xml);
  if ('problem' in parsed) throw new CapSignatureError(parsed.problem);
  if (dsigElements(parsed.root).length > 0) {
    throw new CapSignatureError('the alert already carries XML-DSig elements: sign the unsigned alert');
  }
  // URI="" signs the whole document, top-level processing instructions included (XMLDSig §4.4.3.2);
  // xml-crypto digests only the document element. With such a PI the two readings disagree and
  // conforming verifiers (xmlsec1) would reject what xml-crypto signed, so refuse rather than guess.
  const outside = Array.from(parsed.root.ownerDocument?.childNodes ?? []).find(
    (n) => n.nodeType === PROCESSING_INSTRUCTION_NODE && n.nodeName !== 'xml',
  );
  if (outside !== undefined) {
    throw new CapSignatureError(
      `the processing instruction <?${outside.nodeName}?> outside <alert> cannot be signed consistently: remove it`,
    );
  }

  const privateKey = createPrivateKey(key.privateKeyPem);
  const signatureAlgorithm =
    privateKey.asymmetricKeyType === 'rsa'
      ? RSA_SHA256
      : privateKey.asymmetricKeyType === 'ec'
        ? ECDSA_SHA256
        : undefined;
  if (signatureAlgorithm === undefined) {
    throw new CapSignatureError(
      `a ${privateKey.asymmetricKeyType} key cannot sign CAP here: use an RSA or EC (ECDSA) key`,
    );
  }
  const prefix = 'ds';
  let keyInfoContent: string | null = null;
  if (key.certificatePem !== undefined) {
    // Only the signer's own certificate (the first in the PEM): XMLDSig does not order X509Data, so
    // a published chain would leave verifiers to guess which certificate signed.
    const certificate = new X509Certificate(key.certificatePem);
    assertSameKey(certificate.publicKey, privateKey, 'certificate');
    keyInfoContent = `<${prefix}:X509Data><${prefix}:X509Certificate>${certificate.raw.toString('base64')}</${prefix}:X509Certificate></${prefix}:X509Data>`;
  } else if (key.publicKeyPem !== undefined) {
    keyInfoContent = keyValueXml(
      assertSameKey(createPublicKey(key.publicKeyPem), privateKey, 'public key'),
      prefix,
    );
  }

  const signedXml = restrictedSignedXml({
    privateKey: key.privateKeyPem,
    signatureAlgorithm,
    canonicalizationAlgorithm: EXCLUSIVE_C14N,
    getKeyInfoContent: () => keyInfoContent,
  });
  signedXml.addReference({
    xpath: '/*',
    transforms: [ENVELOPED_SIGNATURE, EXCLUSIVE_C14N],
    digestAlgorithm: SHA256,
    // URI="": the whole alert, so no Id attribute is added (CAP's schema has none to add).
    isEmptyUri: true,
  });
  signedXml.computeSignature(xml, { prefix, location: { reference: '/*', action: 'append' } });
  return signedXml.getSignedXml();
}

// ---------------------------------------------------------------- verifying

export type CapSignatureCheck =
  | { readonly status: 'unsigned' }
  | {
      readonly status: 'valid';
      /** certificate subject or 'public key' */
      readonly signer: string;
      readonly certificatePem?: string;
    }
  | { readonly status: 'invalid'; readonly reason: string };

export interface CapSignatureVerifyOptions {
  /**
   * PEM certificates or public keys. When given, the signing certificate must be one of these
   * certificates (or carry one of these public keys); without a certificate in KeyInfo, each is tried.
   */
  readonly trusted?: readonly string[];
  /**
   * When the signature does not verify as given, try again with whitespace-only text nodes removed:
   * alerts get pretty-printed after signing (the WMO example in ../shared/cap was). Default true.
   * In that second reading, whitespace-only text is the one thing not protected by the signature;
   * every character of every value still is.
   */
  readonly retryWithoutBlankText?: boolean;
}

const invalid = (reason: string): CapSignatureCheck => ({ status: 'invalid', reason });

/** A key to verify with, and who it stands for. */
interface VerificationKey {
  readonly publicKeyPem: string;
  readonly signer: string;
  readonly certificatePem?: string;
}

const subjectOf = (certificate: X509Certificate): string => certificate.subject.split('\n').join(', ');

const fromCertificate = (certificate: X509Certificate): VerificationKey => ({
  publicKeyPem: certificate.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  signer: subjectOf(certificate),
  certificatePem: certificate.toString(),
});

type Trusted =
  | { readonly kind: 'certificate'; readonly certificate: X509Certificate }
  | { readonly kind: 'public key'; readonly publicKey: KeyObject };

function readTrusted(pem: string): Trusted {
  return /-----BEGIN CERTIFICATE-----/.test(pem)
    ? { kind: 'certificate', certificate: new X509Certificate(pem) }
    : { kind: 'public key', publicKey: createPublicKey(pem) };
}

const isTrusted = (certificate: X509Certificate, trusted: Trusted): boolean =>
  trusted.kind === 'certificate'
    ? certificate.raw.equals(trusted.certificate.raw)
    : spkiDer(certificate.publicKey).equals(spkiDer(trusted.publicKey));

/** The shape this verifier accepts (XMLDSig §4 with CAP's needs): anything else is refused, not skipped. */
interface SignatureShape {
  readonly signature: Element;
  /** Reference's transforms as xml-crypto runs them: C14N 1.0 is implied after a node-set (XMLDSig §4.4.3.2). */
  readonly transforms: readonly string[];
  readonly inclusiveNamespaces: readonly string[];
  readonly certificates: readonly Element[];
}

function algorithmOf(element: Element | undefined): string {
  return element?.getAttribute('Algorithm') ?? '';
}

function expectChildren(parent: Element, names: readonly string[], where: string): Element[] | string {
  const children = elementChildren(parent);
  const got = children.map((c) => (c.namespaceURI === DSIG_NAMESPACE ? c.localName : c.tagName));
  const fits =
    children.length === names.length &&
    children.every((c, i) => c.namespaceURI === DSIG_NAMESPACE && c.localName === names[i]);
  return fits ? children : `<${where}> holds <${got.join('>, <')}>, expected <${names.join('>, <')}>`;
}

/**
 * Checks the signature's structure before any cryptography (null: there is none). Exactly one
 * Signature, a child of <alert>; one SignedInfo with one Reference, `URI=""` (the whole alert: an
 * `#id` could point at a copy hidden elsewhere, the signature-wrapping attack), enveloped-signature
 * then at most one canonicalization, and allowed algorithms only.
 */
function checkShape(root: Element): SignatureShape | null | string {
  const signatures = dsigElements(root, 'Signature');
  const [signature] = signatures;
  if (signature === undefined) return null;
  if (signatures.length > 1)
    return `the alert carries ${signatures.length} <Signature> elements, expected one`;
  if (signature.parentNode !== root) return '<Signature> is not a direct child of <alert>';
  const stray = dsigElements(root).find((e) => e !== signature && !isInside(e, signature));
  if (stray !== undefined) return `an XML-DSig <${stray.localName}> appears outside the <Signature>`;
  // xml-crypto does not carry xml:* attributes of ancestors into canonical XML (C14N §2.4).
  for (const element of [root, signature]) {
    const xmlAttribute = Array.from(element.attributes).find((a) => a.namespaceURI === XML_NAMESPACE);
    if (xmlAttribute !== undefined) return `${xmlAttribute.name} on <${element.localName}> is not supported`;
  }

  const top = elementChildren(signature);
  const keyInfo = top[2];
  const shape = expectChildren(
    signature,
    keyInfo === undefined ? ['SignedInfo', 'SignatureValue'] : ['SignedInfo', 'SignatureValue', 'KeyInfo'],
    'Signature',
  );
  if (typeof shape === 'string') return shape;
  const [signedInfo] = shape;
  if (signedInfo === undefined) return '<Signature> has no <SignedInfo>';
  const info = expectChildren(
    signedInfo,
    ['CanonicalizationMethod', 'SignatureMethod', 'Reference'],
    'SignedInfo',
  );
  if (typeof info === 'string') return info;
  const [c14n, method, reference] = info;
  if (!CANONICALIZATIONS.has(algorithmOf(c14n))) {
    return `canonicalization "${algorithmOf(c14n)}" is not allowed`;
  }
  if (SIGNATURE_METHODS[algorithmOf(method)] === undefined) {
    return `signature method "${algorithmOf(method)}" is not allowed (RSA or ECDSA with SHA-256/384/512 only)`;
  }
  if (method !== undefined && elementChildren(method).length > 0)
    return '<SignatureMethod> takes no parameters here';
  if (reference === undefined) return '<SignedInfo> has no <Reference>';
  if (!reference.hasAttribute('URI') || reference.getAttribute('URI') !== '') {
    const uri = reference.getAttribute('URI');
    return `the <Reference> points at ${uri === null ? 'nothing (no URI)' : `URI="${uri}"`}: only URI="" (the whole alert) is accepted`;
  }
  const parts = elementChildren(reference);
  const transformsElement = parts[0] !== undefined && isDsig(parts[0], 'Transforms') ? parts[0] : undefined;
  const digestParts = expectChildren(
    reference,
    transformsElement === undefined
      ? ['DigestMethod', 'DigestValue']
      : ['Transforms', 'DigestMethod', 'DigestValue'],
    'Reference',
  );
  if (typeof digestParts === 'string') return digestParts;
  const digestMethod = digestParts.find((e) => e.localName === 'DigestMethod');
  if (DIGESTS[algorithmOf(digestMethod)] === undefined) {
    return `digest "${algorithmOf(digestMethod)}" is not allowed (SHA-256/384/512 only)`;
  }
  const transformElements = transformsElement === undefined ? [] : elementChildren(transformsElement);
  if (transformElements.some((t) => !isDsig(t, 'Transform')))
    return '<Transforms> holds something else than <Transform>';
  const transforms = transformElements.map(algorithmOf);
  const [first, second, ...more] = transforms;
  if (
    first !== ENVELOPED_SIGNATURE ||
    more.length > 0 ||
    (second !== undefined && !CANONICALIZATIONS.has(second))
  ) {
    return `transforms [${transforms.join(', ')}] are not allowed: enveloped-signature, then at most one canonicalization`;
  }
  const inclusiveNamespaces = transformElements
    .slice(1)
    .flatMap(elementChildren)
    .filter((e) => e.localName === 'InclusiveNamespaces')
    .flatMap((e) => (e.getAttribute('PrefixList') ?? '').split(/\s+/))
    .filter((p) => p !== '');

  const certificates =
    keyInfo === undefined
      ? []
      : elementChildren(keyInfo)
          .filter((e) => isDsig(e, 'X509Data'))
          .flatMap(elementChildren)
          .filter((e) => isDsig(e, 'X509Certificate'));
  return {
    signature,
    transforms: second === undefined ? [ENVELOPED_SIGNATURE, C14N_10] : [ENVELOPED_SIGNATURE, second],
    inclusiveNamespaces,
    certificates,
  };
}

function isInside(node: Node, ancestor: Node): boolean {
  for (let n = node.parentNode; n !== null; n = n.parentNode) if (n === ancestor) return true;
  return false;
}

/** The keys to try, or why there is none. */
function keysFor(
  certificateElements: readonly Element[],
  trustedPems: readonly string[] | undefined,
): VerificationKey[] | string {
  let certificates: X509Certificate[];
  try {
    certificates = certificateElements.map(
      (e) => new X509Certificate(toPem(e.textContent ?? '', 'CERTIFICATE')),
    );
  } catch (error) {
    return `the X509Certificate in KeyInfo cannot be read: ${error instanceof Error ? error.message : error}`;
  }
  if (trustedPems === undefined) {
    return certificates.length > 0
      ? certificates.map(fromCertificate)
      : 'no X509Certificate in KeyInfo and no trusted key to verify with';
  }
  // A configuration error, not a property of the alert: let it throw.
  const trusted = trustedPems.map(readTrusted);
  if (certificates.length > 0) {
    const known = certificates.filter((c) => trusted.some((t) => isTrusted(c, t)));
    return known.length > 0
      ? known.map(fromCertificate)
      : `signed with a certificate that is not trusted (${certificates.map(subjectOf).join('; ')})`;
  }
  return trusted.map((t) =>
    t.kind === 'certificate'
      ? fromCertificate(t.certificate)
      : {
          publicKeyPem: t.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          signer: 'public key',
        },
  );
}

/** Removes whitespace-only text nodes below `node` (what `xmllint --noblanks` does to indentation). */
function removeBlankText(node: Node): boolean {
  let removed = false;
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === TEXT_NODE && /^[ \t\r\n]*$/.test(child.nodeValue ?? '')) {
      node.removeChild(child);
      removed = true;
    } else if (child.nodeType === ELEMENT_NODE && removeBlankText(child)) {
      removed = true;
    }
  }
  return removed;
}

/** Serializes as xml-crypto does: a CR that came from `&#13;` must stay one when parsed again. */
const serialize = (node: Node): string => new XMLSerializer().serializeToString(node).replace(/\r/g, '&#xD;');

/** The alert as its Reference's transforms see it, from our own parse: alert minus Signature and comments. */
function canonicalAlert(root: Element, signature: Element, shape: SignatureShape): string {
  const copy = root.cloneNode(true) as Element;
  const index = Array.from(root.childNodes).indexOf(signature);
  const signatureCopy = copy.childNodes[index];
  if (signatureCopy !== undefined && signatureCopy !== null) copy.removeChild(signatureCopy);
  const strip = (node: Node): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === COMMENT_NODE) node.removeChild(child);
      else strip(child);
    }
  };
  strip(copy);
  const last = shape.transforms[shape.transforms.length - 1] ?? C14N_10;
  const algorithm = CANONICALIZATION_CLASSES[last];
  if (algorithm === undefined) throw new Error(`no canonicalization ${last}`);
  return String(
    new algorithm().process(copy, {
      inclusiveNamespacesPrefixList: [...shape.inclusiveNamespaces],
      ancestorNamespaces: [],
    }),
  );
}

/** One attempt: xml-crypto's check of a document (as text) with a key, plus our check of what it signed. */
function attempt(
  xml: string,
  root: Element,
  shape: SignatureShape,
  key: VerificationKey,
): string | undefined {
  const signedXml = restrictedSignedXml({
    publicCert: key.publicKeyPem,
    // The key is chosen above (trusted, or the certificate the policy allows), never by xml-crypto.
    getCertFromKeyInfo: () => null,
  });
  try {
    signedXml.loadSignature(shape.signature);
    if (!signedXml.checkSignature(xml)) {
      return 'the alert was changed after signing: its digest does not match the signed <DigestValue>';
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return /signature value .* is incorrect/.test(message)
      ? `the signature value does not verify with the key of ${key.signer}`
      : message;
  }
  // xml-crypto's advice: trust only what was signed. Its bytes come from its own parse (xmldom 0.8)
  // of the text; they must equal the canonical form of the alert as we parsed it, so the alert a
  // caller reads from this document is the one that was signed (no parser differential).
  const signed = signedXml.getSignedReferences();
  if (signed.length !== 1 || signed[0] !== canonicalAlert(root, shape.signature, shape)) {
    return 'the signed content differs from the alert as parsed';
  }
  return undefined;
}

/**
 * Verifies an enveloped signature on a CAP alert: exactly one Signature, a direct child of alert, one Reference with URI="" covering the whole alert (refuse other URIs, multiple references, wrapping attacks), allowed algorithms only (rsa-sha256/384/512, ecdsa-sha256/384/512, sha256+ digests; reject sha1 and HMAC). The key comes from the X509Certificate in KeyInfo, or from `trusted` public keys/certificates if given (when `trusted` is given, the signing certificate must be one of them).
 *
 * A DOCTYPE makes the document invalid before it is parsed. The certificate is not checked against a
 * CA or for expiry: that is trust policy, which `trusted` expresses. Comments are never signed
 * (XMLDSig §4.4.3.3), and xml-crypto signs the <alert> element, so processing instructions outside
 * it (a stylesheet) are not covered either. Throws only for an unreadable `trusted` entry.
 */
export function verifyCapSignature(xml: string, options: CapSignatureVerifyOptions = {}): CapSignatureCheck {
  const parsed = parseAlert(xml);
  if ('problem' in parsed) return invalid(parsed.problem);
  const shape = checkShape(parsed.root);
  if (shape === null) return { status: 'unsigned' };
  if (typeof shape === 'string') return invalid(shape);
  const keys = keysFor(shape.certificates, options.trusted);
  if (typeof keys === 'string') return invalid(keys);
  if (keys.length === 0) return invalid('no trusted key to verify with (`trusted` is empty)');

  // First the document exactly as given; then, if it was pretty-printed after signing (the whitespace
  // between elements then differs from what was signed), the same document without blank text, which
  // is how the signer's output looked. Both readings run the full checks above and below.
  const readings: { xml: string; root: Element; shape: SignatureShape }[] = [
    { xml, root: parsed.root, shape },
  ];
  if (options.retryWithoutBlankText ?? true) {
    const copy = parsed.root.ownerDocument?.cloneNode(true);
    const copyRoot = (copy as { documentElement?: Element | null } | undefined)?.documentElement;
    if (copy !== undefined && copyRoot != null && removeBlankText(copyRoot)) {
      const copyShape = checkShape(copyRoot);
      if (copyShape !== null && typeof copyShape !== 'string')
        readings.push({ xml: serialize(copy), root: copyRoot, shape: copyShape });
    }
  }
  let firstFailure: string | undefined;
  for (const reading of readings) {
    for (const key of keys) {
      const failure = attempt(reading.xml, reading.root, reading.shape, key);
      if (failure === undefined) {
        return key.certificatePem === undefined
          ? { status: 'valid', signer: key.signer }
          : { status: 'valid', signer: key.signer, certificatePem: key.certificatePem };
      }
      firstFailure ??= failure;
    }
  }
  return invalid(
    readings.length > 1 ? `${firstFailure} (also with blank text removed)` : (firstFailure ?? 'not verified'),
  );
}
