import { parseFeed } from '@rowanmanning/feed-parser';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CAP_NAMESPACE } from '../cap/cap-xml.ts';
import { type CapFeed, readCapFeed } from '../federation/cap-feed-reader.ts';
import {
  HAZARD_SCHEME,
  SEVERITY_SCHEME,
  toAtomFeed,
  toRssFeed,
  type WarningFeed,
  type WarningFeedEntry,
} from './warning-feed.ts';

/** XML 1.0 §2.2 Char, by code point: the oracle for what survives. */
const isXmlChar = (c: string): boolean => {
  const cp = c.codePointAt(0) ?? 0;
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
};

const BASE = 'https://ew4e.example/v1';

const DHAKA: WarningFeedEntry = {
  id: 'urn:uuid:6f1c2a52-3c43-4c1e-9d3e-0d2b4f3e8a11',
  title: 'Air pollution: PM2.5 > 150 µg/m³ & rising <Dhaka South>',
  summary: 'Fine particles "very unhealthy" until 18:00; keep children indoors.',
  language: 'en',
  published: '2026-01-14T06:00:00Z',
  updated: '2026-01-14T07:30:00Z',
  capUrl: `${BASE}/warnings/6f1c2a52/cap.xml`,
  jsonUrl: `${BASE}/warnings/6f1c2a52`,
  authorName: 'Department of Environment, Bangladesh',
  hazard: 'air_pollution',
  severity: 'Severe',
  urgency: 'Expected',
  certainty: 'Likely',
  msgType: 'Alert',
  areaDesc: 'Dhaka South City Corporation',
  expires: '2026-01-14T18:00:00Z',
  polygon: '23.6913,90.3663 23.6813,90.4498 23.7352,90.4596 23.6913,90.3663',
};

const CAIRO: WarningFeedEntry = {
  ...DHAKA,
  id: 'urn:uuid:0b4a7e7e-8a55-4c59-b0c4-3e0c1c7f6d22',
  title: 'تحذير: تلوث المياه في نهر النيل',
  summary: 'يُرجى عدم استخدام مياه النهر للشرب حتى إشعار آخر. <فحص> & متابعة',
  language: 'ar',
  published: '2026-01-13T22:15:00Z',
  updated: '2026-01-14T05:00:00+02:00',
  capUrl: `${BASE}/warnings/0b4a7e7e/cap.xml?lang=ar&v=2`,
  jsonUrl: `${BASE}/warnings/0b4a7e7e?lang=ar&v=2`,
  authorName: 'جهاز شؤون البيئة',
  hazard: 'water_pollution',
  severity: 'Moderate',
  msgType: 'Update',
  areaDesc: 'محافظة القاهرة',
  expires: null,
  polygon: null,
};

const BEIJING: WarningFeedEntry = {
  ...DHAKA,
  id: `${BASE}/warnings/9c3d/cap.xml`,
  title: '空气污染预警：PM2.5 超过 250 微克/立方米',
  summary: '请减少户外活动 & 关闭门窗 <重要>',
  language: 'zh-CN',
  published: '2026-01-14T01:00:00Z',
  updated: '2026-01-14T01:00:00Z',
  capUrl: `${BASE}/warnings/9c3d/cap.xml`,
  jsonUrl: `${BASE}/warnings/9c3d`,
  authorName: '北京市生态环境局',
  severity: 'Extreme',
  urgency: 'Immediate',
  certainty: 'Observed',
  areaDesc: '北京市',
};

const FEED: WarningFeed = {
  id: `${BASE}/feeds/warnings`,
  title: 'EW4E current warnings <all> & more',
  selfUrl: `${BASE}/feeds/warnings.atom`,
  alternateUrl: 'https://ew4e.example/warnings',
  updated: '2026-01-14T07:30:00Z',
  entries: [DHAKA, CAIRO, BEIJING],
};

describe('toAtomFeed', () => {
  it('writes an RFC 4287 entry with CAP links, categories and CAP extension elements', () => {
    const atom = toAtomFeed({ ...FEED, entries: [DHAKA] });
    expect(atom).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <id>https://ew4e.example/v1/feeds/warnings</id>
  <title>EW4E current warnings &lt;all&gt; &amp; more</title>
  <updated>2026-01-14T07:30:00Z</updated>
  <link rel="self" type="application/atom+xml" href="https://ew4e.example/v1/feeds/warnings.atom"/>
  <link rel="alternate" href="https://ew4e.example/warnings"/>
  <generator>EW4E</generator>
  <entry xml:lang="en">
    <id>urn:uuid:6f1c2a52-3c43-4c1e-9d3e-0d2b4f3e8a11</id>
    <title>Air pollution: PM2.5 &gt; 150 µg/m³ &amp; rising &lt;Dhaka South&gt;</title>
    <published>2026-01-14T06:00:00Z</published>
    <updated>2026-01-14T07:30:00Z</updated>
    <author><name>Department of Environment, Bangladesh</name></author>
    <link rel="alternate" type="application/cap+xml" href="https://ew4e.example/v1/warnings/6f1c2a52/cap.xml"/>
    <link rel="alternate" type="application/json" href="https://ew4e.example/v1/warnings/6f1c2a52"/>
    <summary>Fine particles "very unhealthy" until 18:00; keep children indoors.</summary>
    <category scheme="urn:ew4e:hazard" term="air_pollution"/>
    <category scheme="urn:oasis:names:tc:emergency:cap:1.2#severity" term="Severe"/>
    <cap:event>air_pollution</cap:event>
    <cap:expires>2026-01-14T18:00:00-00:00</cap:expires>
    <cap:msgType>Alert</cap:msgType>
    <cap:urgency>Expected</cap:urgency>
    <cap:severity>Severe</cap:severity>
    <cap:certainty>Likely</cap:certainty>
    <cap:areaDesc>Dhaka South City Corporation</cap:areaDesc>
    <cap:polygon>23.6913,90.3663 23.6813,90.4498 23.7352,90.4596 23.6913,90.3663</cap:polygon>
  </entry>
</feed>
`);
  });

  it('is read by a standard feed parser: every title, CAP link, id, date, summary and category', () => {
    const parsed = parseFeed(toAtomFeed(FEED));
    expect(parsed.meta).toEqual({ type: 'atom', version: '1.0' });
    expect(parsed.title).toBe(FEED.title);
    expect(parsed.self).toBe(FEED.selfUrl);
    expect(parsed.items).toHaveLength(FEED.entries.length);
    parsed.items.forEach((item, i) => {
      const e = FEED.entries[i] as WarningFeedEntry;
      expect(item.title).toBe(e.title);
      expect(item.url).toBe(e.capUrl);
      expect(item.id).toBe(e.id);
      expect(item.published).toEqual(new Date(e.published));
      expect(item.updated).toEqual(new Date(e.updated));
      expect(item.description).toBe(e.summary);
      expect(item.authors.map((a) => a.name)).toEqual([e.authorName]);
      expect(item.categories.map((c) => c.term)).toEqual([e.hazard, e.severity]);
    });
  });

  it('carries the CAP extension elements in the CAP 1.2 namespace', () => {
    const atom = toAtomFeed(FEED);
    expect(XMLValidator.validate(atom)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'entry' }).parse(atom);
    expect(doc.feed['@_xmlns:cap']).toBe(CAP_NAMESPACE);
    const [dhaka, cairo] = doc.feed.entry;
    expect(dhaka).toMatchObject({
      'cap:event': 'air_pollution',
      'cap:severity': 'Severe',
      'cap:urgency': 'Expected',
      'cap:certainty': 'Likely',
      'cap:msgType': 'Alert',
      'cap:expires': '2026-01-14T18:00:00-00:00',
      'cap:areaDesc': 'Dhaka South City Corporation',
      'cap:polygon': DHAKA.polygon,
    });
    // No expiry, no polygon: the elements are left out, not written empty.
    expect(cairo).not.toHaveProperty('cap:expires');
    expect(cairo).not.toHaveProperty('cap:polygon');
    expect(cairo['@_xml:lang']).toBe('ar');
  });

  it('is read back by readCapFeed: each entry with its CAP URL (round trip)', () => {
    const feed = readCapFeed(toAtomFeed(FEED)) as CapFeed;
    expect(feed.format).toBe('atom');
    expect(feed.problems).toEqual([]);
    expect(feed.entries).toEqual(
      FEED.entries.map((e, i) => ({
        position: i + 1,
        id: e.id,
        title: e.title,
        updated: e.updated,
        capXml: null,
        capUrl: e.capUrl,
      })),
    );
  });
});

describe('toRssFeed', () => {
  it('is read by a standard feed parser: every title, CAP link, guid, date and summary', () => {
    const rss = toRssFeed(FEED);
    expect(rss).toContain(`<guid isPermaLink="false">${DHAKA.id}</guid>`);
    expect(rss).toContain('<pubDate>Wed, 14 Jan 2026 06:00:00 GMT</pubDate>');
    const parsed = parseFeed(rss);
    expect(parsed.meta).toEqual({ type: 'rss', version: '2.0' });
    expect(parsed.title).toBe(FEED.title);
    expect(parsed.url).toBe(FEED.alternateUrl);
    expect(parsed.items).toHaveLength(FEED.entries.length);
    parsed.items.forEach((item, i) => {
      const e = FEED.entries[i] as WarningFeedEntry;
      expect(item.title).toBe(e.title);
      expect(item.url).toBe(e.capUrl);
      expect(item.id).toBe(e.id);
      expect(item.published).toEqual(new Date(e.published));
      expect(item.updated).toEqual(new Date(e.updated));
      expect(item.description).toBe(e.summary);
      expect(item.categories.map((c) => c.term)).toEqual([e.hazard, e.severity]);
    });
  });

  it('is read back by readCapFeed (round trip)', () => {
    const feed = readCapFeed(toRssFeed(FEED)) as CapFeed;
    expect(feed).toMatchObject({ format: 'rss', title: FEED.title, problems: [] });
    expect(feed.entries.map((e) => [e.id, e.title, e.capUrl])).toEqual(
      FEED.entries.map((e) => [e.id, e.title, e.capUrl]),
    );
    expect(feed.entries[0]?.updated).toBe('Wed, 14 Jan 2026 06:00:00 GMT');
  });

  it('names the category vocabularies', () => {
    const rss = toRssFeed({ ...FEED, entries: [DHAKA] });
    expect(rss).toContain(`<category domain="${HAZARD_SCHEME}">air_pollution</category>`);
    expect(rss).toContain(`<category domain="${SEVERITY_SCHEME}">Severe</category>`);
  });
});

describe('escaping', () => {
  it('drops characters XML 1.0 forbids, so one bad title cannot break the whole feed', () => {
    const entry = { ...DHAKA, title: 'bad\u0000\u0007\u001b title\uD800', summary: 'tab\tcr\rlf\n' };
    for (const xml of [toAtomFeed({ ...FEED, entries: [entry] }), toRssFeed({ ...FEED, entries: [entry] })]) {
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(parseFeed(xml).items[0]?.title).toBe('bad title');
      expect((readCapFeed(xml) as CapFeed).entries[0]?.title).toBe('bad title');
    }
  });

  it('refuses a date that is not one, rather than publishing "Invalid Date"', () => {
    expect(() => toAtomFeed({ ...FEED, updated: 'yesterday' })).toThrow(RangeError);
    expect(() => toRssFeed({ ...FEED, entries: [{ ...DHAKA, published: '2026-13-45T00:00:00Z' }] })).toThrow(
      RangeError,
    );
  });

  it('round-trips any text and any URL through both feeds (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.webUrl(), (title, capUrl) => {
        const entry = { ...DHAKA, title, capUrl };
        const expected = [...title].filter(isXmlChar).join('').trim();
        for (const xml of [
          toAtomFeed({ ...FEED, entries: [entry] }),
          toRssFeed({ ...FEED, entries: [entry] }),
        ]) {
          const feed = readCapFeed(xml) as CapFeed;
          expect(feed.problems).toEqual([]);
          expect(feed.entries[0]?.title).toBe(expected === '' ? null : expected);
          expect(feed.entries[0]?.capUrl).toBe(new URL(capUrl).href);
        }
      }),
    );
  });
});
