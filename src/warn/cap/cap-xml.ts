/** @module CAP 1.2 XML writing and reading (OASIS CAP 1.2, 1 July 2010, §3.2 element order, §3.3.2 dates, §3.2.4 polygon/circle, §3.4 namespace). */

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { MultiPolygon, Polygon, Position } from 'geojson';
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
  type CapPolygon,
  type CapReference,
  type CapResource,
  type CapTime,
  type CapValuePair,
  capTime,
} from './cap-alert.ts';

/** §3.4: the XML namespace of CAP 1.2. */
export const CAP_NAMESPACE = 'urn:oasis:names:tc:emergency:cap:1.2';

/** A reason an input cannot be read as CAP 1.2: where (line of the XML, pointer into the model) and why. */
export interface CapProblem {
  readonly line?: number;
  readonly pointer?: string;
  readonly reason: string;
}

export type CapParseResult = { readonly alert: CapAlert } | { readonly problems: readonly CapProblem[] };

// ---------------------------------------------------------------- writing

/** xs:decimal / xs:integer text: never exponent notation, which `String(1e21)` would give. */
export function decimalText(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/** Anything outside XML 1.0's Char production (§2.2) but tab, LF and CR: a pair of surrogates is checked below. */
const MAYBE_NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/;

/** Drops what XML 1.0 (§2.2) forbids anywhere: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF. */
function xmlCharsOnly(s: string): string {
  if (!MAYBE_NOT_XML.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const allowed =
      c === 0x9 ||
      c === 0xa ||
      c === 0xd ||
      (c >= 0x20 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      c >= 0x10000;
    if (allowed) out += ch;
  }
  return out;
}

/** Escapes markup, and drops what no XML document may hold (an area name pasted with a control character). */
const escapeText = (s: string): string =>
  xmlCharsOnly(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** §3.3.2 pattern: explicit numeric offset, no fraction, no `Z`. */
export const CAP_TIME_PATTERN = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/;

/** A time in the form §3.3.2 requires: kept if already so, otherwise (`Z`, fractions) rewritten in UTC as `-00:00`. */
export function toCapTime(time: CapTime): CapTime {
  if (CAP_TIME_PATTERN.test(time)) return time;
  return capTime(new Date(time));
}

/** §3.2.1 addresses/incidents: space-delimited, an item holding whitespace in double quotes. */
const joinSpaced = (items: readonly string[]): string =>
  items.map((s) => (/\s/.test(s) ? `"${s}"` : s)).join(' ');

function splitSpaced(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

class XmlWriter {
  readonly #lines: string[] = [];
  #depth = 0;
  open(name: string, attrs = ''): void {
    this.#lines.push(`${'  '.repeat(this.#depth)}<${name}${attrs}>`);
    this.#depth++;
  }
  close(name: string): void {
    this.#depth--;
    this.#lines.push(`${'  '.repeat(this.#depth)}</${name}>`);
  }
  leaf(name: string, value: string | number | undefined): void {
    if (value === undefined) return;
    const text = typeof value === 'number' ? decimalText(value) : escapeText(value);
    this.#lines.push(`${'  '.repeat(this.#depth)}<${name}>${text}</${name}>`);
  }
  pairs(name: string, pairs: readonly CapValuePair[]): void {
    for (const p of pairs) {
      this.open(name);
      this.leaf('valueName', p.valueName);
      this.leaf('value', p.value);
      this.close(name);
    }
  }
  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

const optTime = (t: CapTime | undefined): CapTime | undefined => (t === undefined ? undefined : toCapTime(t));

/**
 * The alert as CAP 1.2 XML: UTF-8, namespace {@link CAP_NAMESPACE}, elements in the order of the
 * schema's sequences (§3.2 / CAP-v1.2.xsd), times per §3.3.2.
 */
export function toCapXml(alert: CapAlert): string {
  const w = new XmlWriter();
  w.open('alert', ` xmlns="${CAP_NAMESPACE}"`);
  w.leaf('identifier', alert.identifier);
  w.leaf('sender', alert.sender);
  w.leaf('sent', toCapTime(alert.sent));
  w.leaf('status', alert.status);
  w.leaf('msgType', alert.msgType);
  w.leaf('source', alert.source);
  w.leaf('scope', alert.scope);
  w.leaf('restriction', alert.restriction);
  w.leaf('addresses', alert.addresses);
  for (const c of alert.code) w.leaf('code', c);
  w.leaf('note', alert.note);
  if (alert.references.length > 0) {
    w.leaf(
      'references',
      alert.references.map((r) => `${r.sender},${r.identifier},${toCapTime(r.sent)}`).join(' '),
    );
  }
  if (alert.incidents.length > 0) w.leaf('incidents', joinSpaced(alert.incidents));
  for (const info of alert.info) writeInfo(w, info);
  w.close('alert');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${w.toString()}`;
}

function writeInfo(w: XmlWriter, info: CapInfo): void {
  w.open('info');
  w.leaf('language', info.language);
  for (const c of info.category) w.leaf('category', c);
  w.leaf('event', info.event);
  for (const r of info.responseType) w.leaf('responseType', r);
  w.leaf('urgency', info.urgency);
  w.leaf('severity', info.severity);
  w.leaf('certainty', info.certainty);
  w.leaf('audience', info.audience);
  w.pairs('eventCode', info.eventCode);
  w.leaf('effective', optTime(info.effective));
  w.leaf('onset', optTime(info.onset));
  w.leaf('expires', optTime(info.expires));
  w.leaf('senderName', info.senderName);
  w.leaf('headline', info.headline);
  w.leaf('description', info.description);
  w.leaf('instruction', info.instruction);
  w.leaf('web', info.web);
  w.leaf('contact', info.contact);
  w.pairs('parameter', info.parameter);
  for (const r of info.resource) {
    w.open('resource');
    w.leaf('resourceDesc', r.resourceDesc);
    w.leaf('mimeType', r.mimeType);
    w.leaf('size', r.size);
    w.leaf('uri', r.uri);
    w.leaf('derefUri', r.derefUri);
    w.leaf('digest', r.digest);
    w.close('resource');
  }
  for (const a of info.area) {
    w.open('area');
    w.leaf('areaDesc', a.areaDesc);
    for (const p of a.polygon) w.leaf('polygon', p);
    for (const c of a.circle) w.leaf('circle', c);
    w.pairs('geocode', a.geocode);
    w.leaf('altitude', a.altitude);
    w.leaf('ceiling', a.ceiling);
    w.close('area');
  }
  w.close('info');
}

// ---------------------------------------------------------------- geometry

/** At most 6 decimals (≈ 0.1 m; the Google profile's limit), without trailing zeros. */
const coord = (n: number): string => String(Math.round(n * 1e6) / 1e6);

/**
 * GeoJSON (RFC 7946, `lon,lat`) → CAP polygons (§3.2.4, `lat,lon`), one per outer ring. CAP has no
 * holes, so inner rings are dropped: the warned area can only grow, never miss a place.
 */
export function geoJsonToCapPolygons(geometry: Polygon | MultiPolygon): CapPolygon[] {
  const outers: Position[][] =
    geometry.type === 'Polygon'
      ? geometry.coordinates.slice(0, 1)
      : geometry.coordinates.flatMap((p) => p.slice(0, 1));
  const polygons: CapPolygon[] = [];
  for (const ring of outers) {
    // Rounding to 6 decimals can make neighbours equal; a repeated pair is dropped, a ring that collapses
    // below CAP's four pairs is dropped whole (it is smaller than ~0.1 m).
    const pairs = ring
      .map(([lon = 0, lat = 0]) => `${coord(lat)},${coord(lon)}`)
      .filter((pair, i, all) => i === 0 || pair !== all[i - 1]);
    if (pairs.length >= 4 && pairs[0] === pairs[pairs.length - 1]) polygons.push(pairs.join(' '));
  }
  return polygons;
}

/** CAP polygon (§3.2.4, `lat,lon` pairs) → GeoJSON Polygon (RFC 7946, `lon,lat`); throws on bad pairs. */
export function capPolygonToGeoJson(polygon: CapPolygon): Polygon {
  const ring = polygon
    .trim()
    .split(/\s+/)
    .map((pair) => {
      const [lat, lon, extra] = pair.split(',').map(Number);
      if (
        lat === undefined ||
        lon === undefined ||
        extra !== undefined ||
        Number.isNaN(lat) ||
        Number.isNaN(lon)
      ) {
        throw new RangeError(`CAP polygon pair "${pair}" is not "lat,lon" (§3.2.4)`);
      }
      return [lon, lat];
    });
  return { type: 'Polygon', coordinates: [ring] };
}

// ---------------------------------------------------------------- reading

/** Elements that may repeat (maxOccurs > 1 in CAP-v1.2.xsd): always arrays when read. */
const REPEATED = new Set([
  'code',
  'info',
  'category',
  'responseType',
  'eventCode',
  'parameter',
  'resource',
  'area',
  'polygon',
  'circle',
  'geocode',
]);

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/** The text's bytes decoded per its XML declaration (UTF-8 unless it says ISO-8859-1/Latin-1/Windows-1252). */
export function decodeXml(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  const head = new TextDecoder('latin1').decode(input.subarray(0, 200));
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1]?.toLowerCase();
  const label =
    declared && /^(iso-8859-1|latin-?1|windows-1252|us-ascii)$/.test(declared) ? 'latin1' : 'utf-8';
  return new TextDecoder(label).decode(input);
}

/**
 * Where each element starts: JSON-pointer-like paths (`/alert/info/1/area/0/polygon/2`, index only for
 * repeated elements, prefixes dropped) → 1-based line. Comments, CDATA and PIs are skipped.
 */
export function elementLines(xml: string): Map<string, number> {
  const lines = new Map<string, number>();
  const stack: { path: string; counts: Map<string, number> }[] = [{ path: '', counts: new Map() }];
  let line = 1;
  let last = 0;
  const token =
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>|<(\/?)([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
  for (const m of xml.matchAll(token)) {
    const at = m.index;
    for (let i = last; i < at; i++) if (xml.charCodeAt(i) === 10) line++;
    last = at;
    const name = m[2];
    if (name === undefined) continue;
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    if (m[1] === '/') {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const local = localName(name);
    const n = top.counts.get(local) ?? 0;
    top.counts.set(local, n + 1);
    const path = REPEATED.has(local) ? `${top.path}/${local}/${n}` : `${top.path}/${local}`;
    if (!lines.has(path)) lines.set(path, line);
    if (m[4] !== '/') stack.push({ path, counts: new Map() });
  }
  return lines;
}

/** The line of the nearest enclosing element that exists for a pointer. */
export function lineOf(lines: ReadonlyMap<string, number>, pointer: string): number | undefined {
  let p = pointer;
  while (p.length > 0) {
    const l = lines.get(p);
    if (l !== undefined) return l;
    p = p.slice(0, p.lastIndexOf('/'));
  }
  return undefined;
}

type Node = { readonly [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // Also decodes numeric character references (&#233; &#xE9;), which XML 1.0 §4.1 defines.
  htmlEntities: true,
  isArray: (name) => REPEATED.has(localName(name)),
});

/** What `readCapXml` gives: the alert read leniently (when the document is CAP 1.2 at all) and every problem. */
export interface CapReading {
  readonly alert?: CapAlert;
  readonly problems: readonly CapProblem[];
}

/**
 * Reads CAP 1.2 XML. Refuses a DOCTYPE (no DTD, no entities, nothing fetched), malformed XML (with its
 * line), another root or namespace (CAP 1.1, `…:alerts:1.2`), and values the model cannot hold.
 */
export function parseCapXml(xml: string | Uint8Array): CapParseResult {
  const { alert, problems } = readCapXml(xml);
  return problems.length === 0 && alert !== undefined ? { alert } : { problems };
}

/** Like {@link parseCapXml}, but keeps the leniently read alert beside the problems (for rule checks). */
export function readCapXml(input: string | Uint8Array): CapReading {
  const xml = decodeXml(input);
  const doctype = /<!DOCTYPE/i.exec(xml);
  if (doctype) {
    return {
      problems: [
        {
          line: lineAt(xml, doctype.index),
          reason: 'a DOCTYPE is not allowed in CAP: DTDs and entities are neither fetched nor expanded',
        },
      ],
    };
  }
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    return { problems: [{ line: wellFormed.err.line, reason: `malformed XML: ${wellFormed.err.msg}` }] };
  }
  const root = rootElement(xml);
  if (root === undefined) return { problems: [{ reason: 'no root element' }] };
  if (localName(root.name) !== 'alert') {
    return { problems: [{ line: root.line, reason: `root element is <${root.name}>, not the CAP <alert>` }] };
  }
  if (root.namespace !== CAP_NAMESPACE) {
    const what =
      root.namespace === 'urn:oasis:names:tc:emergency:cap:1.1'
        ? 'CAP 1.1'
        : root.namespace === undefined
          ? 'no namespace'
          : `namespace "${root.namespace}"`;
    return {
      problems: [
        { line: root.line, reason: `not CAP 1.2: <alert> is in ${what}, expected "${CAP_NAMESPACE}"` },
      ],
    };
  }
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (error) {
    // The parser is stricter than its validator in places (an unclosed `<?…`, more than 100 nested elements).
    return {
      problems: [{ reason: `malformed XML: ${error instanceof Error ? error.message : String(error)}` }],
    };
  }
  const lines = elementLines(xml);
  const reader = new Reader(lines);
  const alert = reader.alert(asNode(doc.alert));
  return alert === undefined ? { problems: reader.problems } : { alert, problems: reader.problems };
}

function lineAt(xml: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (xml.charCodeAt(i) === 10) line++;
  return line;
}

function rootElement(xml: string): { name: string; namespace?: string; line: number } | undefined {
  const start = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  for (const m of xml.matchAll(start)) {
    const name = m[1];
    if (name === undefined) continue;
    const prefix = name.includes(':') ? name.slice(0, name.indexOf(':')) : '';
    const attr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
    const ns = new RegExp(`(?:^|\\s)${attr}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(m[2] ?? '');
    const namespace = ns ? (ns[1] ?? ns[2]) : undefined;
    const line = lineAt(xml, m.index);
    return namespace === undefined ? { name, line } : { name, namespace, line };
  }
  return undefined;
}

const asNode = (v: unknown): Node | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Node)
    : typeof v === 'string'
      ? {}
      : undefined;

/** Text of an element read by fast-xml-parser: a string, or `#text` when it also has attributes. */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const t = (v as Node)['#text'];
    return typeof t === 'string' ? t : '';
  }
  return undefined;
}

/** Optional properties only when present (exactOptionalPropertyTypes). */
function present<T extends object>(o: { readonly [K in keyof Required<T>]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

class Reader {
  readonly problems: CapProblem[] = [];
  constructor(private readonly lines: ReadonlyMap<string, number>) {}

  problem(pointer: string, reason: string): void {
    const line = lineOf(this.lines, pointer);
    this.problems.push(line === undefined ? { pointer, reason } : { line, pointer, reason });
  }

  required(node: Node, key: string, at: string): string {
    const v = textOf(node[key]);
    if (v === undefined) {
      this.problem(`${at}/${key}`, `<${key}> is required (CAP 1.2 §3.2)`);
      return '';
    }
    return v;
  }

  optional(node: Node, key: string): string | undefined {
    const v = textOf(node[key]);
    return v === undefined || v === '' ? undefined : v;
  }

  list(node: Node, key: string): string[] {
    const v = node[key];
    return Array.isArray(v) ? v.map((x) => textOf(x) ?? '') : [];
  }

  nodes(node: Node, key: string): Node[] {
    const v = node[key];
    return Array.isArray(v) ? v.map((x) => asNode(x) ?? {}) : [];
  }

  oneOf<T extends string>(values: readonly T[], text: string, pointer: string, name: string): T {
    if ((values as readonly string[]).includes(text)) return text as T;
    // A missing element has already been reported by `required`.
    if (text !== '' || this.problems.at(-1)?.pointer !== pointer)
      this.problem(pointer, `<${name}> is "${text}", not one of ${values.join(', ')} (CAP 1.2 §3.2)`);
    return values[0] as T;
  }

  number(text: string | undefined, pointer: string, name: string): number | undefined {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (Number.isFinite(n)) return n;
    this.problem(pointer, `<${name}> is "${text}", not a number`);
    return undefined;
  }

  pairs(node: Node, key: string, at: string): CapValuePair[] {
    return this.nodes(node, key).map((n, i) => ({
      valueName: this.required(n, 'valueName', `${at}/${key}/${i}`),
      value: textOf(n.value) ?? this.required(n, 'value', `${at}/${key}/${i}`),
    }));
  }

  /** §3.2.1 references: "space-separated … sender,identifier,sent" triplets; an empty element says nothing. */
  references(text: string | undefined, at: string): CapReference[] {
    if (text === undefined) return [];
    if (text.trim() === '') {
      this.problem(
        at,
        '<references> is empty: it must hold "sender,identifier,sent" triplets (CAP 1.2 §3.2.1)',
      );
      return [];
    }
    return text
      .trim()
      .split(/\s+/)
      .flatMap((triplet) => {
        const parts = triplet.split(',');
        const [sender, identifier, sent] = parts;
        if (parts.length !== 3 || !sender || !identifier || !sent) {
          this.problem(at, `reference "${triplet}" is not "sender,identifier,sent" (CAP 1.2 §3.2.1)`);
          return [];
        }
        return [{ sender, identifier, sent }];
      });
  }

  alert(node: Node | undefined): CapAlert | undefined {
    if (node === undefined) {
      this.problem('/alert', 'no <alert> element');
      return undefined;
    }
    const at = '/alert';
    const incidents = this.optional(node, 'incidents');
    return present<CapAlert>({
      identifier: this.required(node, 'identifier', at),
      sender: this.required(node, 'sender', at),
      sent: this.required(node, 'sent', at),
      status: this.oneOf(CAP_STATUSES, this.required(node, 'status', at), `${at}/status`, 'status'),
      msgType: this.oneOf(CAP_MSG_TYPES, this.required(node, 'msgType', at), `${at}/msgType`, 'msgType'),
      source: this.optional(node, 'source'),
      scope: this.oneOf(CAP_SCOPES, this.required(node, 'scope', at), `${at}/scope`, 'scope'),
      restriction: this.optional(node, 'restriction'),
      addresses: this.optional(node, 'addresses'),
      code: this.list(node, 'code'),
      note: this.optional(node, 'note'),
      references: this.references(textOf(node.references), `${at}/references`),
      incidents: incidents === undefined ? [] : splitSpaced(incidents),
      info: this.nodes(node, 'info').map((n, i) => this.info(n, `${at}/info/${i}`)),
    });
  }

  info(node: Node, at: string): CapInfo {
    return present<CapInfo>({
      // CAP-v1.2.xsd: language default="en-US".
      language: this.optional(node, 'language') ?? 'en-US',
      category: this.list(node, 'category').map((c, i) =>
        this.oneOf(CAP_CATEGORIES, c, `${at}/category/${i}`, 'category'),
      ),
      event: this.required(node, 'event', at),
      responseType: this.list(node, 'responseType').map((c, i) =>
        this.oneOf(CAP_RESPONSE_TYPES, c, `${at}/responseType/${i}`, 'responseType'),
      ),
      urgency: this.oneOf(CAP_URGENCIES, this.required(node, 'urgency', at), `${at}/urgency`, 'urgency'),
      severity: this.oneOf(CAP_SEVERITIES, this.required(node, 'severity', at), `${at}/severity`, 'severity'),
      certainty: this.oneOf(
        CAP_CERTAINTIES,
        this.required(node, 'certainty', at),
        `${at}/certainty`,
        'certainty',
      ),
      audience: this.optional(node, 'audience'),
      eventCode: this.pairs(node, 'eventCode', at),
      effective: this.optional(node, 'effective'),
      onset: this.optional(node, 'onset'),
      expires: this.optional(node, 'expires'),
      senderName: this.optional(node, 'senderName'),
      headline: this.optional(node, 'headline'),
      description: this.optional(node, 'description'),
      instruction: this.optional(node, 'instruction'),
      web: this.optional(node, 'web'),
      contact: this.optional(node, 'contact'),
      parameter: this.pairs(node, 'parameter', at),
      resource: this.nodes(node, 'resource').map((n, i) => this.resource(n, `${at}/resource/${i}`)),
      area: this.nodes(node, 'area').map((n, i) => this.area(n, `${at}/area/${i}`)),
    });
  }

  resource(node: Node, at: string): CapResource {
    return present<CapResource>({
      resourceDesc: this.required(node, 'resourceDesc', at),
      mimeType: this.required(node, 'mimeType', at),
      size: this.number(this.optional(node, 'size'), `${at}/size`, 'size'),
      uri: this.optional(node, 'uri'),
      derefUri: this.optional(node, 'derefUri'),
      digest: this.optional(node, 'digest'),
    });
  }

  area(node: Node, at: string): CapArea {
    return present<CapArea>({
      areaDesc: this.required(node, 'areaDesc', at),
      polygon: this.list(node, 'polygon'),
      circle: this.list(node, 'circle'),
      geocode: this.pairs(node, 'geocode', at),
      altitude: this.number(this.optional(node, 'altitude'), `${at}/altitude`, 'altitude'),
      ceiling: this.number(this.optional(node, 'ceiling'), `${at}/ceiling`, 'ceiling'),
    });
  }
}
