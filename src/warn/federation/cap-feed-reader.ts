/**
 * @module Reads other authorities' CAP feeds (Atom 1.0, RFC 4287; RSS 2.0): for each entry the CAP alert it
 * embeds ("fat" feed) or the link to its CAP document ("thin"/index feed), after OASIS "Example Practices:
 * CAP Feeds" 1.0 (2014) and the feeds NWS, USGS, Krisinformation and Google publish.
 */

import { XMLValidator } from 'fast-xml-parser';
import { decodeXml } from '../cap/cap-xml.ts';

export interface CapFeedEntry {
  /** 1-based index of the entry (Atom `<entry>`, RSS `<item>`) in the feed. */
  readonly position: number;
  readonly id: string | null;
  readonly title: string | null;
  /** Atom `<updated>` (else `<published>`), RSS `<pubDate>`: the feed's text, not normalised. */
  readonly updated: string | null;
  /** CAP embedded in the entry (fat feed: Atom <content> holding an <alert>, or an <alert> element child of the entry/item) */
  readonly capXml: string | null;
  /** link to the CAP document (thin/index feed): Atom link with type application/cap+xml (or rel alternate/related pointing at .cap/.xml when no typed link), RSS <link>/<enclosure> */
  readonly capUrl: string | null;
}

/** Why the feed, or one entry (`position`), cannot be read; `line` of the XML where known. */
export interface CapFeedProblem {
  readonly position: number | null;
  readonly reason: string;
  readonly line?: number;
}

export interface CapFeed {
  readonly format: 'atom' | 'rss';
  readonly title: string | null;
  /** The readable entries; an entry without CAP is left out and named in `problems`. */
  readonly entries: readonly CapFeedEntry[];
  readonly problems: readonly CapFeedProblem[];
}

export interface CapFeedReadOptions {
  /** Where the feed was fetched from: relative links (and `xml:base`) resolve against it. */
  readonly baseUrl?: string;
  /** Larger feeds are refused unread (default {@link DEFAULT_MAX_FEED_BYTES}). */
  readonly maxBytes?: number;
}

/** 5 MiB: Google's CAP feed guidance names 900 KB as the most; NWS's national feed is a few hundred KB. */
export const DEFAULT_MAX_FEED_BYTES = 5 * 1024 * 1024;

const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';
/** Atom 0.3 (pre-RFC 4287), still served by a few old CAP servers. */
const ATOM_03_NAMESPACE = 'http://purl.org/atom/ns#';
/** CAP 1.0, 1.1 and 1.2 share this stem (CAP 1.2 §3.4). */
const CAP_NAMESPACE_STEM = 'urn:oasis:names:tc:emergency:cap:';
const CAP_MEDIA_TYPE = 'application/cap+xml';

/**
 * Reads a CAP feed. The whole feed is refused (only `problems`) when it is too large, declares a DOCTYPE or
 * ENTITY (nothing is expanded or fetched: the XXE/billion-laughs door stays shut), is not well-formed
 * (with the line) or is neither Atom nor RSS. Otherwise every entry with CAP is returned, and every entry
 * without it is a problem naming its position; the feed is never fetched from or followed here.
 */
export function readCapFeed(
  input: string | Uint8Array,
  options: CapFeedReadOptions = {},
): CapFeed | { readonly problems: readonly CapFeedProblem[] } {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FEED_BYTES;
  const size = typeof input === 'string' ? utf8Length(input) : input.byteLength;
  if (size > maxBytes) {
    return {
      problems: [{ position: null, reason: `feed is ${size} bytes, more than the ${maxBytes} allowed` }],
    };
  }
  // XML 1.0 §2.11: every parser sees line ends as LF; doing it first keeps raw slices and lines consistent.
  const xml = decodeXml(input)
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n');

  const declaration = /<!(DOCTYPE|ENTITY)/i.exec(xml);
  if (declaration) {
    return {
      problems: [
        {
          position: null,
          line: lineAt(xml, declaration.index),
          reason: `a ${declaration[1]?.toUpperCase()} declaration is not allowed in a CAP feed: DTDs and entities are neither fetched nor expanded`,
        },
      ],
    };
  }
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    return {
      problems: [
        { position: null, line: wellFormed.err.line, reason: `malformed XML: ${wellFormed.err.msg}` },
      ],
    };
  }
  const tree = parseTree(xml, options.baseUrl ?? null);
  if ('tooDeepAtLine' in tree) {
    return {
      problems: [
        {
          position: null,
          line: tree.tooDeepAtLine,
          reason: `elements are nested more than ${MAX_DEPTH} deep: not a feed, and a stack-exhaustion risk`,
        },
      ],
    };
  }
  const { root } = tree;
  if (root === undefined) return { problems: [{ position: null, reason: 'no root element' }] };

  if (root.local === 'feed' && isAtomNamespace(root.namespace)) return readAtom(xml, root);
  if (root.local === 'rss' && root.namespace === null) return readRss(xml, root);
  return {
    problems: [
      {
        position: null,
        line: root.line,
        reason: `root element is <${root.name}>, not an Atom <feed> or an RSS 2.0 <rss>`,
      },
    ],
  };
}

// ---------------------------------------------------------------- Atom and RSS

/** What an entry's CAP link rules found: a URL, a link that cannot be used, or nothing. */
type LinkFinding = { readonly url: string } | { readonly refused: string } | null;

function readAtom(xml: string, feed: XmlElement): CapFeed {
  const inAtom = (el: XmlElement, local: string) =>
    children(el, local).filter((c) => c.namespace === feed.namespace);
  const entries: CapFeedEntry[] = [];
  const problems: CapFeedProblem[] = [];
  inAtom(feed, 'entry').forEach((entry, index) => {
    const text = (local: string) => firstText(inAtom(entry, local));
    const fields = {
      position: index + 1,
      id: text('id'),
      title: text('title'),
      updated: text('updated') ?? text('published'),
    };
    const contents = inAtom(entry, 'content');
    const capXml = embeddedCap(xml, [entry, ...contents]);
    const link = atomCapLink(entry, inAtom(entry, 'link'), contents);
    settle(entries, problems, fields, capXml, link, entry.line);
  });
  return { format: 'atom', title: firstText(inAtom(feed, 'title')), entries, problems };
}

/**
 * The CAP link of an Atom entry, in order of trust: a link typed `application/cap+xml` (any rel: USGS uses
 * `related`); out-of-line `<content src>` typed so; an alternate/related link to a `.cap`/`.xml` path; and,
 * when the entry carries CAP extension elements (`cap:event`, `cap:areaDesc`… the NWS and Krisinformation
 * index feeds), its alternate link unless typed as something other than XML — there it is the CAP message.
 */
function atomCapLink(
  entry: XmlElement,
  links: readonly XmlElement[],
  contents: readonly XmlElement[],
): LinkFinding {
  const described = links.map((el) => ({
    el,
    // RFC 4287 §4.2.7.2: no rel means "alternate".
    rel: (el.attributes.get('rel') ?? 'alternate').trim(),
    type: mediaType(el.attributes.get('type')),
    href: el.attributes.get('href')?.trim() ?? '',
  }));
  const typed = described.find((l) => l.type === CAP_MEDIA_TYPE && l.href !== '');
  if (typed) return resolveLink(typed.href, typed.el);
  for (const content of contents) {
    const src = content.attributes.get('src')?.trim();
    if (src && mediaType(content.attributes.get('type')) === CAP_MEDIA_TYPE) return resolveLink(src, content);
  }
  const followable = described.filter((l) => (l.rel === 'alternate' || l.rel === 'related') && l.href !== '');
  const capPath = followable.find((l) => /\.(cap|xml)$/i.test(l.href.replace(/[?#].*$/, '')));
  if (capPath) return resolveLink(capPath.href, capPath.el);
  const hasCapExtensions = entry.children.some(
    (c) => typeof c !== 'string' && c.namespace?.startsWith(CAP_NAMESPACE_STEM) === true,
  );
  if (hasCapExtensions) {
    const alternate = followable.find((l) => l.rel === 'alternate' && (l.type === null || isXmlType(l.type)));
    if (alternate) return resolveLink(alternate.href, alternate.el);
  }
  return null;
}

function readRss(xml: string, rss: XmlElement): CapFeed | { readonly problems: readonly CapFeedProblem[] } {
  const channel = children(rss, 'channel').find((c) => c.namespace === null);
  if (channel === undefined) {
    return { problems: [{ position: null, line: rss.line, reason: 'RSS feed without a <channel>' }] };
  }
  // RSS 2.0 elements are in no namespace; extensions (dc:, atom:, cap:) are not read as them.
  const plain = (el: XmlElement, local: string) => children(el, local).filter((c) => c.namespace === null);
  const entries: CapFeedEntry[] = [];
  const problems: CapFeedProblem[] = [];
  plain(channel, 'item').forEach((item, index) => {
    const text = (local: string) => firstText(plain(item, local));
    const fields = { position: index + 1, id: text('guid'), title: text('title'), updated: text('pubDate') };
    settle(
      entries,
      problems,
      fields,
      embeddedCap(xml, [item]),
      rssCapLink(plain(item, 'enclosure'), plain(item, 'link')),
      item.line,
    );
  });
  return { format: 'rss', title: firstText(plain(channel, 'title')), entries, problems };
}

/** An RSS item's CAP: an enclosure typed `application/cap+xml`, else `<link>` (the Google CAP index convention), else a `.cap`/`.xml` enclosure. */
function rssCapLink(enclosures: readonly XmlElement[], links: readonly XmlElement[]): LinkFinding {
  const typed = enclosures.find(
    (e) => mediaType(e.attributes.get('type')) === CAP_MEDIA_TYPE && e.attributes.get('url')?.trim(),
  );
  if (typed) return resolveLink(typed.attributes.get('url')?.trim() ?? '', typed);
  const link = links.map((l) => ({ el: l, href: textContent(l).trim() })).find((l) => l.href !== '');
  if (link) return resolveLink(link.href, link.el);
  const capPath = enclosures.find((e) =>
    /\.(cap|xml)$/i.test((e.attributes.get('url') ?? '').trim().replace(/[?#].*$/, '')),
  );
  return capPath ? resolveLink(capPath.attributes.get('url')?.trim() ?? '', capPath) : null;
}

/** Files the entry as readable, or as a problem naming its position, id and title. */
function settle(
  entries: CapFeedEntry[],
  problems: CapFeedProblem[],
  fields: Pick<CapFeedEntry, 'position' | 'id' | 'title' | 'updated'>,
  capXml: string | null,
  link: LinkFinding,
  line: number,
): void {
  const capUrl = link !== null && 'url' in link ? link.url : null;
  if (capXml !== null || capUrl !== null) {
    entries.push({ ...fields, capXml, capUrl });
    return;
  }
  const named = [
    fields.id === null ? '' : `id ${fields.id}`,
    fields.title === null ? '' : `"${fields.title}"`,
  ]
    .filter((s) => s !== '')
    .join(', ');
  const which = `entry ${fields.position}${named === '' ? '' : ` (${named})`}`;
  const reason =
    link !== null && 'refused' in link
      ? `${which}: ${link.refused}`
      : `${which} has neither an embedded CAP <alert> nor a link to a CAP document`;
  problems.push({ position: fields.position, line, reason });
}

/**
 * The first CAP `<alert>` held by one of the elements (as a child element, or as escaped text such as
 * `<content type="text">&lt;alert …`), as a standalone document. The alert's own source text is kept
 * byte for byte; only the namespace declarations it borrowed from the feed are added to its start tag.
 */
function embeddedCap(xml: string, holders: readonly XmlElement[]): string | null {
  for (const holder of holders) {
    const alert = children(holder, 'alert')[0];
    if (alert !== undefined) return `<?xml version="1.0" encoding="UTF-8"?>\n${standalone(xml, alert)}`;
  }
  for (const holder of holders) {
    if (holder.children.some((c) => typeof c !== 'string')) continue;
    const text = textContent(holder).trim();
    if (/^(<\?xml[^>]*\?>\s*)?<([\w.-]+:)?alert[\s>]/.test(text)) return text;
  }
  return null;
}

/** The element's source with the in-scope namespace bindings it uses but does not declare itself. */
function standalone(xml: string, el: XmlElement): string {
  const declared = new Set(
    [...el.attributes.keys()].filter((a) => a === 'xmlns' || a.startsWith('xmlns:')).map((a) => a.slice(6)),
  );
  const borrowed = [...prefixesUsed(el)]
    .filter((p) => !declared.has(p) && p !== 'xml')
    .flatMap((p) => {
      const uri = el.scope.get(p);
      return uri === undefined || uri === ''
        ? []
        : [` ${p === '' ? 'xmlns' : `xmlns:${p}`}="${escapeAttribute(uri)}"`];
    });
  const source = xml.slice(el.start, el.end);
  const at = 1 + el.name.length;
  return `${source.slice(0, at)}${borrowed.join('')}${source.slice(at)}`;
}

function prefixesUsed(el: XmlElement, into = new Set<string>()): Set<string> {
  into.add(prefixOf(el.name));
  for (const a of el.attributes.keys()) {
    // Unprefixed attributes are in no namespace (Namespaces in XML §6.2): they need no binding.
    if (a.includes(':') && !a.startsWith('xmlns:')) into.add(prefixOf(a));
  }
  for (const c of el.children) if (typeof c !== 'string') prefixesUsed(c, into);
  return into;
}

/** An absolute http(s) URL, or why the link cannot be followed (a `file:` or relative-without-base link). */
function resolveLink(href: string, el: XmlElement): LinkFinding {
  let url: URL;
  try {
    url = el.base === null ? new URL(href) : new URL(href, el.base);
  } catch {
    const relative = el.base === null && !/^[A-Za-z][\w+.-]*:/.test(href);
    return {
      refused: relative
        ? `CAP link "${href}" is relative and there is no base URL to resolve it against`
        : `CAP link "${href}" is not a valid URL`,
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { refused: `CAP link "${href}" is not http(s): it is not followed` };
  }
  return { url: url.href };
}

const isAtomNamespace = (ns: string | null): boolean =>
  ns === ATOM_NAMESPACE || ns === ATOM_03_NAMESPACE || ns === null;

const mediaType = (type: string | undefined): string | null =>
  type === undefined ? null : (type.split(';')[0]?.trim().toLowerCase() ?? null);

/** RFC 7303: `…/xml` and `…+xml` types are XML. */
const isXmlType = (type: string): boolean => /[/+]xml$/.test(type);

// ---------------------------------------------------------------- a small namespace-aware XML tree

/**
 * An element with where its source text starts and ends, which fast-xml-parser does not tell: the
 * embedded CAP is cut from the source rather than rebuilt, so nothing of the sender's alert is lost.
 */
interface XmlElement {
  readonly name: string;
  readonly local: string;
  readonly namespace: string | null;
  /** Qualified attribute name → value with character references decoded. */
  readonly attributes: ReadonlyMap<string, string>;
  /** Namespace prefix ('' for the default namespace) → URI in scope at this element. */
  readonly scope: ReadonlyMap<string, string>;
  /** `xml:base` in effect (RFC 4287 §2 allows it), starting from the feed's own URL. */
  readonly base: string | null;
  readonly children: (XmlElement | string)[];
  /** Index of `<` of the start tag and index just after the end tag, in the source. */
  readonly start: number;
  end: number;
  readonly line: number;
}

/** Real feeds nest under 10 deep (a CAP alert in Atom: about 6); the tree is walked recursively. */
const MAX_DEPTH = 100;

const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The tree of a document already checked well-formed by XMLValidator (so tags balance). */
function parseTree(
  xml: string,
  baseUrl: string | null,
): { readonly root: XmlElement | undefined } | { readonly tooDeepAtLine: number } {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let line = 1;
  let counted = 0;
  let textFrom = 0;
  for (const m of xml.matchAll(TOKEN)) {
    const at = m.index;
    const parent = stack[stack.length - 1];
    if (parent !== undefined && at > textFrom) parent.children.push(decodeText(xml.slice(textFrom, at)));
    textFrom = at + m[0].length;
    for (let i = counted; i < at; i++) if (xml.charCodeAt(i) === 10) line++;
    counted = at;
    const [, cdata, closing, opening, attributeText = '', selfClosing] = m;
    if (cdata !== undefined) {
      parent?.children.push(cdata);
    } else if (closing !== undefined) {
      const done = stack.pop();
      if (done !== undefined) done.end = textFrom;
    } else if (opening !== undefined) {
      const el = element(opening, attributeText, parent, baseUrl, at, line);
      if (parent === undefined) root ??= el;
      else parent.children.push(el);
      if (selfClosing === '/') el.end = textFrom;
      else if (stack.push(el) > MAX_DEPTH) return { tooDeepAtLine: line };
    }
  }
  return { root };
}

function element(
  name: string,
  attributeText: string,
  parent: XmlElement | undefined,
  baseUrl: string | null,
  start: number,
  line: number,
): XmlElement {
  const attributes = new Map<string, string>();
  for (const a of attributeText.matchAll(ATTRIBUTE)) {
    // XML 1.0 §3.3.3: white space in attribute values reads as spaces.
    attributes.set(a[1] ?? '', decodeText(a[2] ?? a[3] ?? '').replace(/[\t\n]/g, ' '));
  }
  const scope = new Map(parent?.scope ?? []);
  for (const [attribute, value] of attributes) {
    if (attribute === 'xmlns') scope.set('', value);
    else if (attribute.startsWith('xmlns:')) scope.set(attribute.slice(6), value);
  }
  const inherited = parent === undefined ? baseUrl : parent.base;
  const xmlBase = attributes.get('xml:base');
  const base = xmlBase === undefined ? inherited : (absolute(xmlBase, inherited) ?? inherited);
  const namespace = scope.get(prefixOf(name));
  return {
    name,
    local: name.slice(name.indexOf(':') + 1),
    namespace: namespace === undefined || namespace === '' ? null : namespace,
    attributes,
    scope,
    base,
    children: [],
    start,
    end: start,
    line,
  };
}

function absolute(href: string, base: string | null): string | null {
  try {
    return base === null ? new URL(href).href : new URL(href, base).href;
  } catch {
    return null;
  }
}

const prefixOf = (name: string): string => (name.includes(':') ? name.slice(0, name.indexOf(':')) : '');

const children = (el: XmlElement, local: string): XmlElement[] =>
  el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.local === local);

function textContent(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');
}

/** Trimmed text of the first element, null when absent or blank. */
function firstText(els: readonly XmlElement[]): string | null {
  const el = els[0];
  if (el === undefined) return null;
  const text = textContent(el).trim();
  return text === '' ? null : text;
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

/** XML 1.0 §4.6 predefined entities and §4.1 character references; with no DTD there are no others. */
function decodeText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][\w.-]*);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED_ENTITIES[ref] ?? whole;
  });
}

const escapeAttribute = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** UTF-8 length counted without encoding: a huge string is measured, never copied. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair: one code point of four bytes.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
