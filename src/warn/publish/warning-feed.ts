/**
 * @module Our current warnings as an Atom 1.0 feed (RFC 4287) and an RSS 2.0 feed, each entry linking to
 * its CAP 1.2 document and carrying CAP extension elements as the NWS CAP Atom feeds do (OASIS "Example
 * Practices: CAP Feeds" 1.0, 2014).
 */

import { capTime } from '../cap/cap-alert.ts';
import { CAP_NAMESPACE } from '../cap/cap-xml.ts';

export interface WarningFeedEntry {
  /** Stable URI, e.g. urn:uuid or the CAP URL: readers key on it (RFC 4287 §4.2.6). */
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  /** BCP 47 tag of title and summary. */
  readonly language: string;
  /** ISO 8601 UTC. */
  readonly published: string;
  readonly updated: string;
  readonly capUrl: string;
  readonly jsonUrl: string;
  readonly authorName: string;
  readonly hazard: string;
  /** CAP `event` in the entry's language ("Air pollution"); the hazard code when absent. */
  readonly event?: string;
  readonly severity: string;
  readonly urgency: string;
  readonly certainty: string;
  readonly msgType: string;
  readonly areaDesc: string;
  readonly expires: string | null;
  /** CAP lat,lon pairs (§3.2.4). */
  readonly polygon: string | null;
}

export interface WarningFeed {
  readonly id: string;
  readonly title: string;
  readonly selfUrl: string;
  readonly alternateUrl: string;
  readonly updated: string;
  readonly entries: readonly WarningFeedEntry[];
}

const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';
const DUBLIN_CORE_NAMESPACE = 'http://purl.org/dc/elements/1.1/';
/** `scheme` of the category terms: which vocabulary a term is from (RFC 4287 §4.2.2.2). */
export const HAZARD_SCHEME = 'urn:ew4e:hazard';
export const SEVERITY_SCHEME = `${CAP_NAMESPACE}#severity`;
const GENERATOR = 'EW4E';

/** The feed as Atom 1.0 (RFC 4287), UTF-8. */
export function toAtomFeed(feed: WarningFeed): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="${ATOM_NAMESPACE}" xmlns:cap="${CAP_NAMESPACE}">`,
    leaf('id', feed.id, 1),
    leaf('title', feed.title, 1),
    leaf('updated', rfc3339(feed.updated), 1),
    `  <link rel="self" type="application/atom+xml" href="${attr(feed.selfUrl)}"/>`,
    `  <link rel="alternate" href="${attr(feed.alternateUrl)}"/>`,
    leaf('generator', GENERATOR, 1),
  ];
  for (const e of feed.entries) {
    lines.push(
      `  <entry xml:lang="${attr(e.language)}">`,
      leaf('id', e.id, 2),
      leaf('title', e.title, 2),
      leaf('published', rfc3339(e.published), 2),
      leaf('updated', rfc3339(e.updated), 2),
      `    <author>${leaf('name', e.authorName, 0)}</author>`,
      // The CAP document first: readers that take "the" alternate link take the first one.
      `    <link rel="alternate" type="application/cap+xml" href="${attr(e.capUrl)}"/>`,
      `    <link rel="alternate" type="application/json" href="${attr(e.jsonUrl)}"/>`,
      leaf('summary', e.summary, 2),
      `    <category scheme="${attr(HAZARD_SCHEME)}" term="${attr(e.hazard)}"/>`,
      `    <category scheme="${attr(SEVERITY_SCHEME)}" term="${attr(e.severity)}"/>`,
      ...capExtensions(e, 2),
      '  </entry>',
    );
  }
  lines.push('</feed>');
  return `${lines.join('\n')}\n`;
}

/** The feed as RSS 2.0, UTF-8: each item's link is its CAP document (the Google CAP index convention). */
export function toRssFeed(feed: WarningFeed): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<rss version="2.0" xmlns:atom="${ATOM_NAMESPACE}" xmlns:dc="${DUBLIN_CORE_NAMESPACE}" xmlns:cap="${CAP_NAMESPACE}">`,
    '  <channel>',
    leaf('title', feed.title, 2),
    leaf('link', feed.alternateUrl, 2),
    // RSS 2.0 requires a description; the title is the only one there is.
    leaf('description', feed.title, 2),
    leaf('lastBuildDate', rfc822(feed.updated), 2),
    leaf('generator', GENERATOR, 2),
    // RSS Best Practices Profile: the feed names its own URL.
    `    <atom:link rel="self" type="application/rss+xml" href="${attr(feed.selfUrl)}"/>`,
  ];
  for (const e of feed.entries) {
    lines.push(
      '    <item>',
      leaf('title', e.title, 3),
      leaf('link', e.capUrl, 3),
      leaf('description', e.summary, 3),
      `      <guid isPermaLink="false">${text(e.id)}</guid>`,
      leaf('pubDate', rfc822(e.published), 3),
      // RSS 2.0 has no "updated"; Dublin Core's date (W3CDTF) is where RSS readers look for one.
      leaf('dc:date', rfc3339(e.updated), 3),
      // RSS <author> must be an e-mail address; dc:creator takes a name.
      leaf('dc:creator', e.authorName, 3),
      leaf('dc:language', e.language, 3),
      `      <category domain="${attr(HAZARD_SCHEME)}">${text(e.hazard)}</category>`,
      `      <category domain="${attr(SEVERITY_SCHEME)}">${text(e.severity)}</category>`,
      `      <atom:link rel="alternate" type="application/json" href="${attr(e.jsonUrl)}"/>`,
      ...capExtensions(e, 3),
      '    </item>',
    );
  }
  lines.push('  </channel>', '</rss>');
  return `${lines.join('\n')}\n`;
}

/** The CAP summary elements of an NWS-style index entry; `cap:expires` in the §3.3.2 form (offset, no `Z`). */
function capExtensions(e: WarningFeedEntry, depth: number): string[] {
  return [
    leaf('cap:event', e.event ?? e.hazard, depth),
    e.expires === null ? null : leaf('cap:expires', capTime(instant(e.expires)), depth),
    leaf('cap:msgType', e.msgType, depth),
    leaf('cap:urgency', e.urgency, depth),
    leaf('cap:severity', e.severity, depth),
    leaf('cap:certainty', e.certainty, depth),
    leaf('cap:areaDesc', e.areaDesc, depth),
    e.polygon === null ? null : leaf('cap:polygon', e.polygon, depth),
  ].filter((line) => line !== null);
}

// ---------------------------------------------------------------- XML text and dates

/*
 * A tiny escaper rather than fast-xml-parser's XMLBuilder: the output is a fixed shape, and the builder
 * passes characters XML 1.0 forbids (C0 controls, lone surrogates) straight into the document, which
 * makes the whole feed unreadable to every client. Here they are dropped.
 */
const FORBIDDEN_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 §2.2 excludes.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** CR as a reference: a parser would read a literal one as LF (XML 1.0 §2.11). */
const text = (s: string): string =>
  s
    .replace(FORBIDDEN_CHARACTERS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');

/** Also `"`, and tab and LF as references: a parser would read them as spaces (XML 1.0 §3.3.3). */
const attr = (s: string): string =>
  text(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');

const leaf = (name: string, value: string, depth: number): string =>
  `${'  '.repeat(depth)}<${name}>${text(value)}</${name}>`;

function instant(iso: string): Date {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new RangeError(`"${iso}" is not an ISO 8601 date-time`);
  return at;
}

/** RFC 3339 §5.6 date-time: kept as written when it already is one, else rewritten in UTC. */
function rfc3339(iso: string): string {
  const at = instant(iso);
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(iso)) return iso;
  return at.toISOString();
}

/** RSS 2.0 dates are RFC 822 (with a four-digit year); `toUTCString` writes exactly that, in GMT. */
const rfc822 = (iso: string): string => instant(iso).toUTCString();
